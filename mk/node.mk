# The npm package `gatekey` (node/): its Node-API addon (napi-rs, node/src)
# and the fastmcp example.

# napi-rs's file name for the running platform: gatekey.<platform>-<arch>[-gnu|-musl].node
NODE_ADDON = node/$(shell cd node && node -p 'require("./lib/native.cjs").addonFile()' 2>/dev/null)
NODE_EXAMPLE := examples/node-fastmcp
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: node node-deps test-node bench-node

node: ## build the Node addon (gatekey-node) in release and copy it into node/ under its napi-rs name
	$(CARGO) build -p gatekey-node --release
	cp target/release/libgatekey_node.so $(NODE_ADDON) 2>/dev/null || cp target/release/libgatekey_node.dylib $(NODE_ADDON)

node-deps: ## install the npm packages of node/ and the example from their lockfiles (npm ci)
	cd node && $(NPM_CI)
	cd $(NODE_EXAMPLE) && $(NPM_CI)

test-node: node node-deps ## Node: precedence and validation matrices, API, errors, option fuzzing, adapters, leak check; the fastmcp example under the MCP SDK client
	cd node && node --expose-gc --test --test-concurrency=1 test/
	cd $(NODE_EXAMPLE) && node_modules/.bin/tsc --noEmit -p .
	cd $(NODE_EXAMPLE) && node --import tsx --test --test-concurrency=1 test/server.test.ts

bench-node: node node-deps ## per-call authenticate time from Node, gatekey next to jose and fast-jwt
	cd node && node bench/bench.mjs

TEST_TARGETS += test-node
