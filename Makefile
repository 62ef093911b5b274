# The two commands of the README: `make dev` (install into the project folder, start the local API)
# and `make test` (the whole suite: format, lint, types, tests). Everything lands in .venv/ and node_modules/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_DEFAULT_REGION ?= eu-central-1

.PHONY: dev test install lint synth bench bench-local openapi

$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --silent --no-audit --no-fund
	touch $(STAMP)

install: $(STAMP)

dev: install
	$(BIN)/kairos-local

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

synth: install
	npx cdk synth --quiet

bench: install
	$(BIN)/python -m bench.catalogue
	$(BIN)/python -m bench.slots
	$(BIN)/python -m bench.bookings

bench-local: install
	$(BIN)/python -m bench.local_api

openapi: install
	$(BIN)/python -c "import json; from kairos.api.openapi import openapi_document as d; \
	open('docs/openapi.json', 'w').write(json.dumps(d(), indent=2) + '\n')"
