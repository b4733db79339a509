# make run: set up and serve the demo community on http://127.0.0.1:8000
# make test: lint, check the types and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install install-test browser-deps translations messages migrate demo serve bench wrk-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) translations

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(MAKE) translations

translations:
	$(BIN)/pybabel compile -d deliberate/locale -D messages >/dev/null

# Refresh the catalogue after changing messages; then translate new entries in the .po file.
messages:
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o deliberate/locale/messages.pot . >/dev/null
	$(BIN)/pybabel update --no-fuzzy-matching -i deliberate/locale/messages.pot -d deliberate/locale -D messages

migrate: install
	$(BIN)/deliberate db upgrade

demo: migrate
	$(BIN)/deliberate demo --if-empty

run: demo
	$(BIN)/deliberate serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check .

test: install-test browser-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# The real-browser tests (tests/browser) drive Debian's Chromium with Playwright (never `playwright
# install`), need CJK fonts to render Chinese, check pages with axe-core from the npm registry, and read the
# QR codes of printed notices with zbarimg (zbar-tools).
# Each piece is installed only when it is missing.
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	command -v fc-list >/dev/null 2>&1 || missing="$$missing fontconfig"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing fonts-noto-cjk"; \
	command -v zbarimg >/dev/null 2>&1 || missing="$$missing zbar-tools"; \
	if [ -n "$$missing" ]; then \
	  echo "browser-deps: installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi
	@test -f $(AXE) || npm install --no-audit --no-fund --prefix tests/browser

# make bench: pages, ballots and logins under wrk against `deliberate serve`, each beside its floor (a bare
# Starlette app); SCALE=small|district (default district), DB=postgresql+psycopg://… for PostgreSQL (or
# BENCH_DATABASE_URL), BENCH_SECONDS per wrk run. Results: bench/RESULTS.md and data/bench-results-latest.json.
SCALE ?= district
DB ?= $(BENCH_DATABASE_URL)
bench: install-test wrk-deps
	$(BIN)/python -m bench.run --scale $(SCALE) $(if $(DB),--database-url "$(DB)")

# wrk is Debian's package, installed only when it is missing.
wrk-deps:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  echo "wrk-deps: installing wrk"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; \
	fi

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache tests/browser/node_modules tests/screenshots
