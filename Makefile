# Two commands on a fresh clone: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run serve worker cluster test lint format audit install clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	@test -f instance/.demo-loaded || ($(FLASK) seed-demo && touch instance/.demo-loaded)
	$(BIN)/python app.py

# The production server: settings from the environment (README, "Serving"), production
# unless RUNHIVE_ENV says otherwise. It refuses to start without SECRET_KEY, and on SQLite
# unless RUNHIVE_SINGLE_PROCESS=1.
serve: install
	$(FLASK) db upgrade
	RUNHIVE_ENV=$${RUNHIVE_ENV:-production} $(BIN)/python app.py

# Runs the queued jobs (mail, and more to come) when REDIS_URL is set; without Redis, jobs
# run in the server process and no worker is needed.
worker: install
	$(FLASK) jobs worker

# nginx in front of N app processes (PROCESSES, 2 by default) on http://127.0.0.1:$(CLUSTER_PORT),
# sharing DATABASE_URL and REDIS_URL from the environment (README, "A cluster behind nginx").
PROCESSES ?= 2
CLUSTER_PORT ?= 8080
cluster: install
	$(BIN)/python deploy/cluster.py --processes $(PROCESSES) --port $(CLUSTER_PORT)

# One worker per core (at most 4: each PostgreSQL worker holds up to 15 connections of 100).
PYTEST_WORKERS ?= -n auto --maxprocesses 4 --dist worksteal

test: install
	$(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Known vulnerabilities in the installed dependencies (PyPI's advisory data, through pip-audit).
audit: install
	$(BIN)/pip-audit --vulnerability-service pypi --skip-editable --progress-spinner off

# The main pages of the demo at 1280x800 and 390x844, into screenshots/ (not committed).
screenshots: install
	$(BIN)/python -m tests.screenshots screenshots

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
