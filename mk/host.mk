# gatekey-host (host/): the threaded token cache the Python and C layers share.

.PHONY: test-host

test-host: ## host crate: the sharded token cache and authenticate_cached
	$(CARGO) test -p gatekey-host

TEST_TARGETS += test-host
