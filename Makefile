# The two commands: `make run` and `make test`. Everything else is what they call.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test setup install migrate demo admin lint check bench-sign bench-page bench-deliver bench-handover clean

run: setup ## Set everything up and start web + worker + beat (Ctrl-C stops all).
	@echo "Pluma on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
		GRANIAN_LOG_ACCESS_ENABLED="$${GRANIAN_LOG_ACCESS_ENABLED:-true}" \
		$(BIN)/honcho start --no-prefix -f Procfile -p $(PORT)

test: install ## Set up and run the test suite.
	$(BIN)/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

setup: install migrate demo admin
	$(BIN)/python manage.py collectstatic --noinput -v0

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

demo: install
	$(BIN)/python manage.py load_demo

admin: install
	$(BIN)/python manage.py ensure_admin

lint: install ## What CI checks besides the tests: style, the import layers, types, Django.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

bench-sign: install
	$(BIN)/python bench/sign.py

bench-page: install
	$(BIN)/python bench/page.py

bench-deliver: install
	$(BIN)/python bench/deliver.py

bench-handover: install
	$(BIN)/python bench/handover.py

clean:
	rm -rf var/ .pytest_cache
