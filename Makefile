# The two commands of the README. Each sets up a local virtual environment in .venv
# on first use, installs the package with what it needs, and runs.
#   make demo   the main job: `tinygrad-edu demo` on the built-in course data
#   make test   the test suite
# Extra arguments: make demo ARGS="--lang de --out results"

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: demo test benchmark

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

demo: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[viz]"
	$(BIN)/tinygrad-edu demo $(ARGS)

test: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[viz,dev]"
	$(BIN)/python -m pytest -q $(ARGS)

benchmark: $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[viz]"
	$(BIN)/python benchmarks/run.py $(ARGS)
