# One task runner for developers and CI. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= sqlite+aiosqlite:///var/demo.db

.PHONY: demo test test-slow lint i18n bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "climate needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	CLIMATE_MODE=$${CLIMATE_MODE:-demo} CLIMATE_DATABASE_URL=$${CLIMATE_DATABASE_URL:-$(DEMO_DB)} \
		$(BIN)/climate demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Browser tests run in their own process: Playwright's sync API keeps an event loop
# running in the main thread, which the database tests' asyncio.run() cannot share.
test: $(STAMP) lint
	$(BIN)/pytest -m "not slow and not browser" --cov --cov-report=
	$(BIN)/pytest -m "browser and not slow" --cov --cov-append --cov-report=term-missing:skip-covered

# The slow tier: long simulations and the disclosure audit checked against brute-force oracles
# and mutants. Minutes rather than seconds, so `make test` leaves it out; CI runs both.
test-slow: $(STAMP)
	$(BIN)/pytest -m slow

# Extract both gettext domains, bring every locale's catalogs up to date (exact matches
# only: a fuzzy guess would reach students unreviewed), then compile as a check. A template
# whose only change is its creation date is kept as it was, so a run with nothing new to
# translate leaves every catalog untouched.
i18n: LOCALES := en es ar zh_Hans vi pt ru ht so
i18n: $(STAMP)
	for domain in messages instruments; do \
		if [ $$domain = messages ]; then mapping=babel.cfg; else mapping=babel-$$domain.cfg; fi; \
		$(BIN)/pybabel extract -F $$mapping -c TRANSLATORS: --project=climate \
			--copyright-holder="the climate project" -o locales/$$domain.pot.new . || exit 1; \
		if diff -q -I '^"POT-Creation-Date:' locales/$$domain.pot locales/$$domain.pot.new \
			>/dev/null 2>&1; then rm locales/$$domain.pot.new; \
		else mv locales/$$domain.pot.new locales/$$domain.pot; fi; \
		for locale in $(LOCALES); do \
			if [ -f locales/$$locale/LC_MESSAGES/$$domain.po ]; then \
				$(BIN)/pybabel update -D $$domain -i locales/$$domain.pot -d locales \
					-l $$locale --no-fuzzy-matching --ignore-obsolete || exit 1; \
			else \
				$(BIN)/pybabel init -D $$domain -i locales/$$domain.pot -d locales \
					-l $$locale || exit 1; \
			fi; \
		done; \
		$(BIN)/pybabel compile -D $$domain -d locales --statistics || exit 1; \
	done

bench: $(STAMP)
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
