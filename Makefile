# The two front-door commands are `make run` and `make test`; everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXTRACT_KEYWORDS := -k N_ -k flash:2 -k redirect_with_flash:2 -k NotFound -k InvalidInput -k Conflict -k PermissionDenied -k Unavailable

.PHONY: run test install lint typecheck pytest pytest-sqlite pytest-postgresql messages bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/hocso db upgrade
	$(BIN)/hocso courses import
	$(BIN)/hocso init --demo --if-empty
	$(BIN)/hocso serve

test: install lint typecheck pytest

lint:
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy

# The same suite twice: on the embedded SQLite, then on PostgreSQL (a configured server, or a
# throwaway cluster from the Debian binaries; skipped with a notice when neither exists,
# unless HOCSO_REQUIRE_POSTGRES=1 as in CI).
pytest: pytest-sqlite pytest-postgresql

# The coverage floor only goes up.
pytest-sqlite:
	HOCSO_TEST_BACKEND=sqlite $(BIN)/pytest --cov=app --cov-report=term:skip-covered --cov-fail-under=95

pytest-postgresql:
	HOCSO_TEST_BACKEND=postgresql $(BIN)/pytest

messages: install
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output --omit-header \
		-o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l vi \
		--no-fuzzy-matching --ignore-obsolete

bench: install
	$(BIN)/python -m bench.lesson_throughput

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
