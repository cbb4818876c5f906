# Python layer: the wheel (PyO3 + maturin), its pytest suite and the demo.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.gatekey-dev
WHEEL_DIR := target/wheels

TEST_TARGETS += test-python

.PHONY: venv wheel install-python test-python demo-python bench-python

$(VENV_STAMP): python/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r python/requirements-dev.txt
	touch $@

venv: $(VENV_STAMP) ## Python: create .venv with maturin, pytest, mypy and the peers the tests compare with

wheel: venv ## Python: build the abi3 wheel into target/wheels
	rm -f $(WHEEL_DIR)/gatekey-*.whl
	$(VENV)/bin/maturin build --release -q -m python/Cargo.toml -o $(WHEEL_DIR)

install-python: wheel ## Python: install the built wheel into .venv
	$(VPY) -m pip install -q --force-reinstall --no-deps $(WHEEL_DIR)/gatekey-*.whl

test-python: install-python ## Python: pytest against the installed wheel, stubtest, mypy --strict
	$(VPY) -m pytest python/tests -q -p no:cacheprovider
	$(VPY) -m mypy.stubtest gatekey._gatekey
	$(VPY) -m mypy --strict --no-incremental -p gatekey

demo-python: install-python ## Python: run `gatekey demo` (a protected stateless MCP server driven by the MCP SDK client)
	$(VENV)/bin/gatekey demo

bench-python: install-python ## Python: gatekey vs PyJWT and joserfc per call, and ASGI middleware overhead vs an unprotected app and the MCP SDK bearer backend
	$(VPY) benches/python_bench.py
