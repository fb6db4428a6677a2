# Signpost: `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint format validate index clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

validate: install
	$(BIN)/signpost validate

run: install
	$(BIN)/signpost validate
	$(BIN)/signpost index
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

index: install
	$(BIN)/signpost index

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install
	$(BIN)/ruff check .
	$(BIN)/signpost validate
	$(BIN)/pytest

clean:
	rm -rf $(VENV) instance .pytest_cache
