# The two commands of the README: `make dev` (install into the project folder, start the local API)
# and `make test` (the whole suite: format, lint, types, tests). Everything lands in .venv/ and node_modules/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The runtime dependency set, every package pinned with the hashes of its files (`make lock` writes it):
# `make install` installs it exactly, and the Lambda layer is built from it (infra/layer.py).
LOCK := requirements.lock
CONSTRAINTS := $(VENV)/lock-constraints.txt
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_DEFAULT_REGION ?= eu-central-1

# The Portal web app (web/): its packages when its lock changes, its build (web/dist, which the local server
# serves) when a source changes.
WEB_MODULES := web/node_modules/.package-lock.json
WEB_DIST := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
# The browser tests drive Debian's Chromium (Playwright's own download is not reachable). Where it is missing,
# `make test` installs it in the background while the other tests run; the browser tests' fixture waits for
# the status file (tests/browser/conftest.py).
CHROMIUM := /usr/bin/chromium
CHROMIUM_INSTALL := $(VENV)/chromium-install

.PHONY: dev test install lint lock synth bench bench-local bench-portal openapi

# The locked set first (hash-checked), then the project and its dev tools around it: the lock's pins are
# constraints there, so a dev tool that wanted another version of a runtime package fails the install
# instead of moving it. The dev tools are not byte-compiled at install (30 s of a fresh clone's 42): Python
# compiles what is imported, when it is first imported.
$(STAMP): pyproject.toml clients/python/pyproject.toml $(LOCK) package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	grep -oE '^[A-Za-z0-9._-]+==[^ ]+' $(LOCK) > $(CONSTRAINTS)
	$(BIN)/pip install --quiet --no-compile -c $(CONSTRAINTS) -e '.[dev]'
	$(BIN)/pip install --quiet --no-compile --no-deps -e clients/python  # kairos-client: its httpx and pydantic come from above
	npm ci --silent --no-audit --no-fund
	touch $(STAMP)

$(WEB_MODULES): web/package.json web/package-lock.json
	cd web && npm ci --silent --no-audit --no-fund
	touch $@

$(WEB_DIST): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run --silent build > /dev/null

install: $(STAMP) $(WEB_DIST)

# Bytecode kept (in .venv/pycache, not beside the sources, which the stack's assets are made of) whatever
# the shell says: each local server, store, sandbox and tool the tests start imports moto, boto3 and kairos,
# which without it are compiled from source at every start (a fifth of the process-heavy tests' CPU).
BYTECODE := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache

dev: install
	$(BYTECODE) $(BIN)/kairos-local

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd web && node_modules/.bin/tsc --noEmit

# mypy (and the web app's tsc) run beside the tests, not before them: on a fresh clone (no cache) mypy takes
# about 50 s, most of it reading aws-cdk-lib's types, while the tests often wait on servers they started.
# All must pass; the type checkers' report follows the tests'. Three workers on two cores: many tests wait
# (on expiries, timeouts, paced answers, a browser, servers they started), and with two workers a third of
# the machine's CPU stood idle (pytest 654 s with 2 workers, 466 s with 3, the same 2,133 tests).
test: install
	if test -x $(CHROMIUM); then rm -f $(CHROMIUM_INSTALL).log; else rm -f $(CHROMIUM_INSTALL).status; \
		( export DEBIAN_FRONTEND=noninteractive; \
		  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
		  echo $$? > $(CHROMIUM_INSTALL).status ) > $(CHROMIUM_INSTALL).log 2>&1 & fi
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	{ $(BIN)/mypy && cd web && node_modules/.bin/tsc --noEmit; } > $(VENV)/types.log 2>&1 & types=$$!; \
	$(BYTECODE) $(BIN)/pytest -n 3 --dist loadgroup --durations=20; tests=$$?; \
	wait $$types; typed=$$?; cat $(VENV)/types.log; \
	test $$tests -eq 0 && test $$typed -eq 0

# After changing the runtime dependencies in pyproject.toml. pip-compile keeps every pin it can; it needs
# only pip-tools (at the version pyproject.toml names), not the installed set the old lock describes.
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "$$(grep -oE 'pip-tools==[0-9.]+' pyproject.toml)"
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

synth: install
	npx cdk synth --quiet

bench: install
	$(BIN)/python -m bench.catalogue
	$(BIN)/python -m bench.slots
	$(BIN)/python -m bench.bookings
	$(BIN)/python -m bench.cold_starts

bench-local: install
	$(BIN)/python -m bench.local_api
	$(BIN)/python -m bench.local_store

bench-portal: install
	$(BIN)/python -m bench.portal

openapi: install
	$(BIN)/python -c "import json; from kairos.api.openapi import openapi_document as d; \
	open('docs/openapi.json', 'w').write(json.dumps(d(), indent=2) + '\n')"
	$(BIN)/python -c "import json; from kairos.api.portal_openapi import portal_openapi_document as d; \
	open('docs/portal-openapi.json', 'w').write(json.dumps(d(), indent=2) + '\n')"
