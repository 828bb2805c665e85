# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app repository
INSTALLED := $(VENV)/.installed

.PHONY: run test lint setup assets browser ocr postgres data bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependencies change.
$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

# GOV.UK Frontend and axe-core, pinned in package-lock.json; the app serves them itself.
ASSETS := repository/static/govuk/VERSION
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(ASSETS): node_modules/.package-lock.json repository/assets.py | $(PY)
	$(PY) repository/assets.py

assets: $(ASSETS)

setup: $(INSTALLED) assets

# The accessibility tests drive Debian's chromium (CI runs as root).
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# Scanned PDFs are read by Debian's tesseract (drawn for it by ghostscript), legacy Word
# files by antiword; the extraction worker runs them, and the tests need them (CI runs as root).
ocr:
	@command -v tesseract >/dev/null && command -v gs >/dev/null && command -v antiword >/dev/null \
	  && tesseract --list-langs 2>/dev/null | grep -qx eng \
	  || (apt-get update && apt-get install -y tesseract-ocr tesseract-ocr-eng ghostscript antiword)

# Create or upgrade the database and index, and load the demo collection on first start.
data: setup
	$(FLASK) init-db
	$(FLASK) load-demo --if-empty

# The site and its indexer service (which keeps the search index in step with the database),
# stopped together. The local server speaks plain HTTP on loopback, so its session cookie
# cannot be Secure-only (a deployment behind HTTPS keeps the secure default).
run: data
	@$(FLASK) indexer & indexer=$$!; \
	trap 'kill $$indexer 2>/dev/null; wait $$indexer' EXIT INT TERM; \
	REPOSITORY_SESSION_COOKIE_SECURE=false $(FLASK) run --host 127.0.0.1 --port 5000

lint: setup
	$(PY) -m ruff check repository indexer tests bench

# The suite runs on PostgreSQL too: the tests start a throwaway server of Debian's package.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && apt-get install -y postgresql)

test: setup browser ocr postgres lint
	$(PY) -m pytest
	$(PY) -m pytest --database=postgresql

bench: setup postgres
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(PY) -m bench.ingest ../shared/corpora/pdfs/papers
	$(PY) -m bench.relevance ../shared/corpora/scifact
	$(PY) -m bench.speed ../shared/corpora/scifact
	$(PY) -m bench.nodes ../shared/corpora/scifact

clean:
	rm -rf $(VENV) *.egg-info node_modules repository/static/govuk
