# The two front-door commands are `make run` and `make test`; everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-stamp
DEV := $(VENV)/.dev-stamp
EXTRACT_KEYWORDS := -k N_ -k flash:2 -k redirect_with_flash:2 -k NotFound -k InvalidInput -k Conflict -k PermissionDenied -k Unavailable
# pytest-xdist workers: one per core by default (`make test TEST_WORKERS=1` runs in one process).
TEST_WORKERS ?= auto
PYTEST_FLAGS := -n $(TEST_WORKERS) --dist loadgroup --durations=15

.PHONY: run test install install-dev lint typecheck pytest pytest-sqlite pytest-postgresql messages bench screenshots clean

# `make run` needs only what the app runs on; `make test` adds the dev extras (linters, type
# checker, pytest, Playwright, schemathesis) on top, in the same virtual environment.
install: $(RUNTIME)
install-dev: $(DEV)

$(RUNTIME): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(DEV)

run: install
	$(BIN)/hocso db upgrade
	$(BIN)/hocso courses import
	$(BIN)/hocso init --demo --if-empty
	$(BIN)/hocso serve

# Prints the total at the end; each pytest pass prints its slowest tests.
test: install-dev
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint typecheck pytest; status=$$?; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "make test: $$([ $$status -eq 0 ] && echo passed || echo FAILED) in $$((elapsed / 60)) min $$((elapsed % 60)) s"; \
	exit $$status

lint:
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

# The same suite twice: on the embedded SQLite, then on PostgreSQL (a configured server, or a
# throwaway cluster from the Debian binaries; skipped with a notice when neither exists, unless
# HOCSO_REQUIRE_POSTGRES=1 as in CI). Tests that touch no database run in the first pass only,
# the browser tests in the second (README, "Tests").
pytest: pytest-sqlite pytest-postgresql

# The coverage floor only goes up; the workers' figures combine into one.
pytest-sqlite:
	HOCSO_TEST_BACKEND=sqlite $(BIN)/pytest $(PYTEST_FLAGS) --cov=app --cov-report=term:skip-covered --cov-fail-under=95

pytest-postgresql:
	$(BIN)/python -m tests.postgres_pass $(PYTEST_FLAGS)

messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output --omit-header \
		-o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l vi \
		--no-fuzzy-matching --ignore-obsolete

# The README's pictures: each role's main pages on the demo site, at a phone's and a desk's width.
screenshots: install-dev
	$(BIN)/python -m tests.screenshots

bench: install-dev
	$(BIN)/python -m bench.lesson_throughput

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
