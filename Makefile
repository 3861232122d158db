# netzicht — the two commands that matter from a fresh clone:
#   make demo   synthetic exports → ingest → analysis → dashboard
#   make test   ruff, mypy and every test (embedded store, real Neo4j + GDS, real browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NEO4J_PY := PYTHON=$(abspath $(PY))

.PHONY: install lint typecheck test test-fast demo dashboard bench browser neo4j-start neo4j-stop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check graph_model ingest netzicht analytics dashboard tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy graph_model ingest netzicht analytics dashboard cypher

# Debian's chromium serves the browser tests; test tools never download a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install Debian's chromium (needed for the browser tests)"; exit 1; }; }

neo4j-start: $(STAMP)
	$(NEO4J_PY) bash tools/neo4j/start.sh

neo4j-stop:
	bash tools/neo4j/stop.sh

# The whole suite. Neo4j is started for it and always stopped afterwards; in CI (CI=true) the
# Neo4j and browser tests fail instead of skipping when their server or browser is missing.
test: lint typecheck browser neo4j-start
	@status=0; NETZICHT_TEST_NEO4J=bolt://127.0.0.1:7687 $(PY) -m pytest -q || status=$$?; \
	bash tools/neo4j/stop.sh; exit $$status

# Embedded store only: no Java, no browser.
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not neo4j and not browser"

demo: $(STAMP)
	$(VENV)/bin/netzicht demo --out demo-data --store sqlite:///demo-data/demo.db

dashboard: $(STAMP)
	$(VENV)/bin/netzicht dashboard --store sqlite:///demo-data/demo.db

bench: $(STAMP)
	$(PY) bench/ingest.py --rows 1000000

clean:
	rm -rf $(VENV) .neo4j demo-data test-artifacts .pytest_cache .mypy_cache .ruff_cache
