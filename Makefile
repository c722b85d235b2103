# Gongzhi — the two commands a user needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
ASSETS_STAMP := gongzhi/web/static/vendor/.built
DEMO_STAMP := var/.demo-territory
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test bench lint format setup assets territory serve clean

$(VENV_STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "需要 Python 3.11(当前:$$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	@touch $@

$(ASSETS_STAMP): package.json package-lock.json scripts/build_assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

setup: $(VENV_STAMP) $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

# The whole of Anhui: real division codes and outlines, generated grids.
$(DEMO_STAMP): $(VENV_STAMP) data/divisions/anhui_villages.csv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_divisions
	$(PY) manage.py import_boundaries
	$(PY) manage.py generate_grids
	@touch $@

territory: $(DEMO_STAMP)

demo: setup territory
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "共治平台已启动:http://$(HOST):$(PORT)/  (Ctrl-C 停止)"
	@trap 'kill 0' EXIT INT TERM; \
		$(PY) manage.py run_huey --quiet & \
		$(PY) manage.py runserver --insecure --noreload $(HOST):$(PORT)

test: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run.py

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules gongzhi/web/static/vendor var

# Intake category classifier (issue 4): trained from data/citizen-messages in ~30-50 s.
MODELS_DIR := $(or $(GONGZHI_DATA_DIR),var)/models
MODEL_STAMP := $(MODELS_DIR)/intake-category-current.json
.PHONY: model
$(MODEL_STAMP): $(VENV_STAMP) $(wildcard gongzhi/intake/classify/*.py) $(wildcard data/citizen-messages/*.csv)
	$(PY) manage.py train_classifier
model: $(MODEL_STAMP)
demo: model
