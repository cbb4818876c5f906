# gatekey-host (host/): the one Verifier beneath every hosted surface
# (options schema, trust, cache, refusal) and the shared matrices in Rust.

.PHONY: test-host

# Unoptimised test builds place a verifier's per-issuer key sets (8 issuers
# of 64 keys, about 1.2 MiB) on the stack while boxing them; release builds
# do not, but a test thread's 2 MiB is too little for the debug copy.
test-host: ## host crate: Verifier, options, refusal, cache, validation and precedence matrices
	RUST_MIN_STACK=16777216 $(CARGO) test -p gatekey-host

TEST_TARGETS += test-host
