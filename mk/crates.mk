# The crates as they would be published: gatekey and gatekey-host packaged
# and built from their .crate files, and the declared rust-version checked
# with that very toolchain.

# The workspace's declared minimum Rust version, e.g. 1.85.
MSRV = $(shell sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

.PHONY: test-crates test-msrv

test-crates: test-msrv ## crates: cargo publish --dry-run of gatekey and gatekey-host (packaged, then built from the package)
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
