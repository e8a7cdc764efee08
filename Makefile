# The two commands of the README. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint coverage mutation

$(BIN)/lctasks: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,postgres]'
	touch $(BIN)/lctasks

# compile the package once: an editable install does not, and where
# PYTHONDONTWRITEBYTECODE is set every call would recompile it (~100 ms)
install: $(BIN)/lctasks
	$(BIN)/python -m compileall -q lctasks

## run: install, import the bundled plan into the default SQLite database, open lctasks
run: install
	$(BIN)/lctasks import
	$(BIN)/lctasks

## lint: ruff, mypy (strict) on the package, the layer contracts (import-linter)
lint: install
	$(BIN)/ruff check lctasks tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: lint, then the whole test suite (PostgreSQL tests run when LCTASKS_TEST_PG_URL is set)
test: lint
	$(BIN)/pytest

## coverage: the whole suite under coverage, child processes included (figure: docs/testing.md)
coverage: install
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -q -p no:cacheprovider
	$(BIN)/coverage combine -q
	$(BIN)/coverage report --sort=cover | tail -n 60

## mutation: mutation score of the core (MODULE=lights|dates|targets|transitions|batch|chain|access;
## all when empty). CPU-heavy, not in CI; figures in docs/testing.md
mutation: install
	$(BIN)/pip install -q -e '.[dev,postgres,mutation]'
	$(BIN)/python benchmarks/mutation.py $(MODULE)
