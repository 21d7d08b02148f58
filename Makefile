# eventwire — `make demo` installs the runtime and codes the bundled sample articles; `make test` adds the
# test extras and runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= eventwire.duckdb
# Stamps: what has been installed into the venv (rebuilt when pyproject.toml changes).
RUNTIME := $(VENV)/.installed-runtime
TESTING := $(VENV)/.installed-test
SERVING := $(VENV)/.installed-serve

.PHONY: demo test install clean serve

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

# Tests cover every extra: tables (pandas, polars, Parquet, plots), the dashboard, Dask, the scorer's training.
$(TESTING): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[test,data,serve,scale,train]"
	@touch $@

$(SERVING): $(RUNTIME)
	$(BIN)/pip install --quiet -e ".[serve]"
	@touch $@

install: $(RUNTIME)

demo: install
	$(BIN)/eventwire code examples/ --db $(DB) --format table --show 8
	@echo
	@echo "Events are stored in $(DB). Try:"
	@echo "  $(BIN)/eventwire events --db $(DB) --root 11          # accusations and criticism"
	@echo "  $(BIN)/eventwire events --db $(DB) --format jsonl | head -3"
	@echo "  $(BIN)/eventwire eval examples/sentences.gold             # accuracy against a small gold file"
	@echo
	@echo "The dashboard:  make serve   # then http://127.0.0.1:8000/"

test: $(TESTING)
	$(BIN)/python -m pytest -q

serve: $(SERVING)
	$(BIN)/eventwire serve --db $(DB)

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
