# eventwire — `make demo` codes the bundled sample articles; `make test` runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= eventwire.duckdb

.PHONY: demo test install clean serve

$(BIN)/eventwire: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,data,serve,scale]"
	@touch $(BIN)/eventwire

install: $(BIN)/eventwire

demo: install
	$(BIN)/eventwire code examples/ --db $(DB) --format table
	@echo
	@echo "Events are stored in $(DB). Try:"
	@echo "  $(BIN)/eventwire events --db $(DB) --format jsonl | head"
	@echo "  $(BIN)/eventwire series --db $(DB) --dyad PAK-IND --by week"
	@echo
	@echo "Open the dashboard:  $(BIN)/eventwire serve --db $(DB)   # then http://127.0.0.1:8000/"

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(DB) .pytest_cache

serve: install
	$(BIN)/eventwire serve --db $(DB)
