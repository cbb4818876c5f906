# gatekey — `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
CARGO ?= cargo
EMBEDDED_TARGET := thumbv7em-none-eabihf
# The base of a proxy-wasm filter: the core with no std and no allocator.
WASM_TARGET := wasm32-unknown-unknown

# Layers add their own targets and append to TEST_TARGETS in mk/*.mk.
TEST_TARGETS := test-core bench-build
include $(sort $(wildcard mk/*.mk))

.PHONY: help setup demo demo-rust test test-core lint fmt doc embedded bench bench-mcp bench-build bench-adversarial bench-peers instructions

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## install the Rust components and targets the tests need
	rustup component add rustfmt clippy >/dev/null
	rustup target add $(EMBEDDED_TARGET) $(WASM_TARGET) >/dev/null

demo: demo-python ## create .venv, build and install the wheel, run `gatekey demo` (an MCP client against a protected MCP server)

demo-rust: setup ## the Rust example: resolve sample requests under each preset and verify their tokens
	$(CARGO) run -q -p gatekey --example demo --features std

test: setup $(TEST_TARGETS) ## run every test, lint and build check (what CI runs)
	@echo "make test: all green"

test-core: lint doc embedded ## core: fmt, clippy, tests on every ES256 backend (p256, small and hosted tables, ring), docs, the Cortex-M build
	$(CARGO) test -p gatekey
	# The small-target tables ride inside each key (30 KiB): key sets of
	# the default capacity need more than a test thread's 2 MiB of stack.
	RUST_MIN_STACK=16777216 $(CARGO) test -p gatekey --features es256-table
	$(CARGO) test -p gatekey --features ring,std
	$(CARGO) test -p gatekey --all-features
	# Without the optional algorithm families (EdDSA, HS384/HS512).
	$(CARGO) test -p gatekey --no-default-features

lint: ## rustfmt --check and clippy with warnings denied
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

fmt: ## format the Rust code
	$(CARGO) fmt --all

doc: ## build the docs with warnings denied
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p gatekey --no-deps --all-features

embedded: setup ## build the core with no std and no allocator for a Cortex-M4F and for wasm32
	$(CARGO) build -p gatekey --no-default-features --target $(EMBEDDED_TARGET) --release
	$(CARGO) build -p gatekey --no-default-features --features es256-table --target $(EMBEDDED_TARGET) --release
	$(CARGO) build -p gatekey --target $(EMBEDDED_TARGET) --release
	$(CARGO) build -p gatekey --no-default-features --target $(WASM_TARGET) --release
	$(CARGO) build -p gatekey --target $(WASM_TARGET) --release

bench: ## run the criterion benchmarks: ES256 on each backend (p256, small tables, ring, hosted), RS256/PS256, HS256, cache, requests
	$(CARGO) bench -p gatekey-benches --bench es256
	$(CARGO) bench -p gatekey-benches --bench es256 --features table
	$(CARGO) bench -p gatekey-benches --bench es256 --features ring
	$(CARGO) bench -p gatekey-benches --bench es256 --features hosted
	$(CARGO) bench -p gatekey-benches --bench verify
	$(CARGO) bench -p gatekey-benches --bench verify --features hosted
	$(MAKE) --no-print-directory bench-mcp

bench-mcp: ## MCP's per-call decision (Mcp-Method/Mcp-Name, scope rules, body check) against an HS256 verify, one run
	$(CARGO) bench -p gatekey-benches --bench mcp --features hosted

bench-build: ## compile the benchmarks and the hot-path example without running them (part of make test)
	$(CARGO) bench -p gatekey-benches --no-run --features hosted
	$(CARGO) build -p gatekey-benches --release --example hot_path --features hosted
	$(CARGO) build -p gatekey-benches --release --example adversarial --features hosted

bench-adversarial: ## the adversarial corpus through authenticate: each input's cost against a valid HS256 request (fails past 20x)
	$(CARGO) run -p gatekey-benches --release --example adversarial --features hosted -- --max 20

bench-peers: ## ES256/HS256 against jsonwebtoken (aws_lc_rs), jwt-simple, jwt-compact: its own crate, builds aws-lc (C)
	cd benches/peers && $(CARGO) bench

instructions: ## instructions per call of extract + resolve and of a cache hit, counted by callgrind (noise-free)
	benches/scripts/instructions.sh
