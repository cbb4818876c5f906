# Robustness and the edge: fuzzing (fuzz/), the Cortex-M4F firmware under
# QEMU, the panic-freedom link check and the footprint report
# (examples/cortex-m/). Everything here works with the stable toolchain.

PYTHON ?= python3
FUZZ_TARGETS := resolve verify jwks json cache ffi_authenticate token_structured
# The targets that also run under AddressSanitizer: the ones through unsafe code.
FUZZ_ASAN_TARGETS := ffi_authenticate
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_SECONDS ?= 600
CARGO_FUZZ_VERSION := 0.13.2

FW_DIR := examples/cortex-m
FW_TARGET_DIR := $(CURDIR)/target/cortex-m
FW_OUT := $(FW_TARGET_DIR)/$(EMBEDDED_TARGET)/release
FW_CARGO := cd $(FW_DIR) && CARGO_TARGET_DIR=$(FW_TARGET_DIR) $(CARGO)
# Panic sites allowed in gatekey's own code by `panic-check` (see the
# README's footprint section): split_at in extract::is_b64token and
# split_at_mut in verify::verify, both unreachable but kept by the
# optimiser. Lower it as they go; dependencies' sites are reported only.
PANIC_SITES_GATEKEY_MAX ?= 0
# The core feature that adds ES256 precomputed tables; `make size` reports
# both builds once core/Cargo.toml declares it.
SIZE_TABLES_FEATURE := es256-table
LLVM_BIN = $(shell rustc --print sysroot)/lib/rustlib/$(shell rustc -vV | sed -n 's/^host: //p')/bin

# The budget of the ES256 + HS256 firmware (no tables): flash, RAM and the
# stack of authenticate, in bytes; `make size` fails past any of them.
SIZE_BUDGET := 49152 12288 6144

TEST_TARGETS += test-firmware panic-check size test-fuzz-smoke

.PHONY: fuzz-tools fuzz fuzz-seeds test-fuzz-smoke embedded-tools firmware test-firmware panic-check size

fuzz-tools: ## install cargo-fuzz (from crates.io, once) for the fuzz targets
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

test-fuzz-smoke: fuzz-tools ## run each fuzz target for FUZZ_SMOKE_SECONDS (20 s), the unsafe ones under ASan too
	cd fuzz && $(CARGO) fmt -- --check
	@for t in $(FUZZ_TARGETS); do fuzz/run.sh $$t $(FUZZ_SMOKE_SECONDS) none; done
	@for t in $(FUZZ_ASAN_TARGETS); do fuzz/run.sh $$t $(FUZZ_SMOKE_SECONDS) address; done

fuzz: fuzz-tools ## run each fuzz target for FUZZ_SECONDS (default 600) and print the executions
	@for t in $(FUZZ_TARGETS); do fuzz/run.sh $$t $(FUZZ_SECONDS) none; done
	@for t in $(FUZZ_ASAN_TARGETS); do fuzz/run.sh $$t $(FUZZ_SECONDS) address; done

fuzz-seeds: ## rewrite the committed seed corpora fuzz/corpus/*/seed-* from the test data
	cd fuzz && $(PYTHON) seeds.py

embedded-tools: ## install the Cortex-M target, llvm-tools, QEMU and arm-none-eabi binutils when missing
	@rustup target add $(EMBEDDED_TARGET) >/dev/null
	@rustup component add llvm-tools >/dev/null
	@command -v qemu-system-arm >/dev/null && command -v arm-none-eabi-addr2line >/dev/null || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm binutils-arm-none-eabi >/dev/null; }

firmware: embedded-tools ## build the Cortex-M4F firmware (examples/cortex-m) in release
	$(FW_CARGO) build --release --bins

test-firmware: firmware ## authenticate the sample requests on an emulated Cortex-M4F (QEMU mps2-an386)
	$(FW_CARGO) fmt -- --check
	$(FW_CARGO) clippy --release --bins -- -D warnings
	cd $(FW_DIR) && timeout 120 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
	    -semihosting-config enable=on,target=native -kernel $(FW_OUT)/gatekey-qemu

panic-check: firmware ## link authenticate with a panic handler that cannot link; else count the panic sites by crate
	@if ($(FW_CARGO) build --release --bin footprint --features panic-check -q 2>/dev/null); then \
	    echo "panic-check: no panic path survives in the footprint firmware"; \
	else \
	    echo "panic-check: panic paths survive optimisation; their sites, by origin:"; \
	    $(FW_DIR)/scripts/panic-sites.sh $(FW_OUT)/footprint $(PANIC_SITES_GATEKEY_MAX); \
	fi
	@$(FW_CARGO) build --release --bin footprint -q

size: firmware ## flash, RAM and stack of the ES256 + HS256 firmware, with and without ES256 tables; fails past 48 KiB flash, 12 KiB RAM, 6 KiB stack
	@echo "footprint of the authenticate path on $(EMBEDDED_TARGET) (opt-level z, LTO):"
	@$(FW_DIR)/scripts/size.sh "$(LLVM_BIN)" $(FW_OUT) "without ES256 tables" $(SIZE_BUDGET)
	@if grep -q '^$(SIZE_TABLES_FEATURE) *=' core/Cargo.toml; then \
	    ($(FW_CARGO) build --release -q --bins --features gatekey/$(SIZE_TABLES_FEATURE) --target-dir $(FW_TARGET_DIR)-tables) && \
	    $(FW_DIR)/scripts/size.sh "$(LLVM_BIN)" $(FW_TARGET_DIR)-tables/$(EMBEDDED_TARGET)/release "with ES256 tables"; \
	else echo "  (core/Cargo.toml has no '$(SIZE_TABLES_FEATURE)' feature yet: no build with tables)"; fi
