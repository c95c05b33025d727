# readiness: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint e2e bench worker beat clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: set up everything on a fresh machine and serve on http://127.0.0.1:8000
## (another port: make run PORT=8001; links in e-mails follow it unless SITE_URL is set)
PORT ?= 8000
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	mkdir -p var/mail var/media
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, the layers contract, migrations check, and the whole test suite
test: $(STAMP)
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	SECRET_KEY=check $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=check $(PY) manage.py check
	$(PY) -m pytest -q $(PYTEST_ARGS)

## make e2e: only the browser journeys and the accessibility check (needs /usr/bin/chromium)
e2e: $(STAMP)
	$(PY) -m pytest -q tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(STAMP)
	$(VENV)/bin/celery -A readiness worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A readiness beat -l info

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
