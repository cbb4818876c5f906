# The npm package `gatekey` (node/) over libgatekey, and the fastmcp example.

NODE_PLATFORM = $(shell node -p 'process.platform + "-" + process.arch' 2>/dev/null)
NODE_PREBUILD = node/prebuilds/$(NODE_PLATFORM)
NODE_EXAMPLE := examples/node-fastmcp
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: node node-deps test-node bench-node

node: ## build libgatekey in release and copy it into node/prebuilds/<platform>-<arch>/
	$(CARGO) build -p gatekey-ffi --release
	mkdir -p $(NODE_PREBUILD)
	cp $(FFI_REL)/libgatekey.so $(NODE_PREBUILD)/ 2>/dev/null || cp $(FFI_REL)/libgatekey.dylib $(NODE_PREBUILD)/

node-deps: ## install the npm packages of node/ and the example from their lockfiles (npm ci)
	cd node && $(NPM_CI)
	cd $(NODE_EXAMPLE) && $(NPM_CI)

test-node: node node-deps ## Node: precedence matrix, API, errors, adapters, leak check; the fastmcp example under the MCP SDK client
	cd node && node --expose-gc --test --test-concurrency=1 test/
	cd $(NODE_EXAMPLE) && node_modules/.bin/tsc --noEmit -p .
	cd $(NODE_EXAMPLE) && node --import tsx --test --test-concurrency=1 test/server.test.ts

bench-node: node node-deps ## per-call authenticate time from Node, gatekey next to jose (ES256)
	cd node && node bench/bench.mjs

TEST_TARGETS += test-node
