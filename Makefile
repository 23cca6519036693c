# beat-box: `make run` serves the site on :8080 with the task worker; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test setup peers lint messages clean

$(RUN_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(RUN_STAMP)
	$(PY) -m pip install -q -e ".[test]"
	touch $@

setup: $(RUN_STAMP)
	$(PY) manage.py init_credential_keys
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_admin
	$(PY) manage.py collectstatic --noinput -v 0

run: setup
	cd . && exec $(PY) -m beatbox.serve

peers:
	bash scripts/install-debian-peers.sh

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

test: $(TEST_STAMP) peers
	$(VENV)/bin/ruff check .
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/pytest

messages: $(RUN_STAMP)
	$(PY) manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l ja --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
