# The crates as they would be published: gatekey and gatekey-host packaged
# and built from their .crate files, and the declared rust-version checked
# with that very toolchain.

# The workspace's declared minimum Rust version, e.g. 1.85.
MSRV = $(shell sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

.PHONY: test-crates test-msrv

# cargo verifies gatekey-host against the packaged gatekey through a local
# registry under target/package, and takes a registry package to be
# immutable: its build in the target directory is reused by name and
# version alone, and so are its sources unpacked into
# $CARGO_HOME/registry/src (under a name hashed from the checkout's path).
# A second dry run with the same version, from a target directory or
# path that saw the first, builds gatekey-host against the first run's
# gatekey. Neither crate is on the public registry, so every such copy is
# ours and stale: remove them first.
CARGO_HOME_DIR = $(or $(CARGO_HOME),$(HOME)/.cargo)
WORKSPACE_VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

test-crates: test-msrv ## crates: cargo publish --dry-run of gatekey and gatekey-host (packaged, then built from the package)
	$(CARGO) clean -q -p gatekey -p gatekey-host
	rm -rf $(CARGO_HOME_DIR)/registry/src/*/gatekey-$(WORKSPACE_VERSION) \
	       $(CARGO_HOME_DIR)/registry/src/*/gatekey-host-$(WORKSPACE_VERSION)
	$(CARGO) publish --dry-run --allow-dirty -p gatekey -p gatekey-host

# The committed Cargo.lock follows the newest releases, some of which need a
# newer Rust than ours; a user building with our MSRV gets versions that fit
# it from cargo's rust-version-aware resolver. So the check resolves the
# same way, in a scratch copy of the tracked files, and builds the core
# (no_std and with every feature) and the host with that toolchain.
test-msrv: ## crates: check gatekey and gatekey-host with the declared rust-version's toolchain
	@rustup toolchain list | grep -q '^$(MSRV)-' || rustup toolchain install $(MSRV) --profile minimal >/dev/null
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	git ls-files -z | xargs -0 cp --parents -t "$$scratch" && cd "$$scratch" && \
	CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback $(CARGO) update -q && \
	export CARGO_TARGET_DIR=$(CURDIR)/target/msrv && \
	cargo +$(MSRV) check -q -p gatekey --no-default-features && \
	cargo +$(MSRV) check -q -p gatekey --all-features && \
	cargo +$(MSRV) check -q -p gatekey-host && \
	echo "test-msrv: gatekey and gatekey-host build with Rust $(MSRV)"

TEST_TARGETS += test-crates
