# Signpost: `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
NPM ?= npm
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
VENDOR := static/vendor/nhsuk
CHROMIUM ?= /usr/bin/chromium
# apt-get needs root: use sudo when not root (CI runs as root).
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install lock vendor browser redis postgres run dev test test-browser lint format validate index clean

# Every package at the version in constraints.txt (the lock of pyproject.toml's whole tree).
$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Regenerate constraints.txt after changing dependencies in pyproject.toml (needs PyPI).
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet pip-tools==7.6.2
	$(VENV)-lock/bin/pip-compile --quiet --extra dev --extra redis --strip-extras --no-header \
		--no-emit-index-url --no-emit-find-links --output-file constraints.in.txt pyproject.toml
	{ sed -n '1,3p' constraints.txt; cat constraints.in.txt; } > constraints.new && \
		mv constraints.new constraints.txt && rm constraints.in.txt

# NHS.UK frontend (styles, scripts, icons) and axe-core from npm, pinned in package-lock.json.
# The compiled files are copied into static/vendor/ (not committed). Two changes on the way:
# the CSS's absolute /assets/ URLs become relative, and its @font-face rules are dropped,
# because the Frutiger fonts are served from an NHS server and licensed for NHS sites only
# (text falls back to Arial, as NHS.UK frontend intends).
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

$(VENDOR)/.copied: node_modules/.installed
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)
	sed -E -e 's#url\(/assets/#url(assets/#g' -e 's#@font-face\{[^}]*\}##g' \
		-e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
		$(NHSUK)/nhsuk-frontend.min.css > $(VENDOR)/nhsuk-frontend.min.css
	sed -e 's#//\# sourceMappingURL=.*##' $(NHSUK)/nhsuk-frontend.min.js > $(VENDOR)/nhsuk-frontend.min.js
	cp -R $(NHSUK)/assets $(VENDOR)/assets
	cp node_modules/nhsuk-frontend/package.json $(VENDOR)/package.json
	touch $@

vendor: $(VENDOR)/.copied

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@if [ -n "$$SIGNPOST_SKIP_BROWSER" ] && [ "$$SIGNPOST_SKIP_BROWSER" != "0" ]; then \
		echo "SIGNPOST_SKIP_BROWSER is set: not installing Chromium."; \
	elif [ ! -x "$(CHROMIUM)" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; \
	fi

# Debian's Redis server, for the test of rate limits shared between app servers.
redis:
	@if ! command -v redis-server >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server; \
	fi

# Debian's PostgreSQL, for the insights store's tests (they start a throwaway cluster).
# SIGNPOST_SKIP_POSTGRES=1 skips both this and those tests.
postgres:
	@if [ -n "$$SIGNPOST_SKIP_POSTGRES" ] && [ "$$SIGNPOST_SKIP_POSTGRES" != "0" ]; then \
		echo "SIGNPOST_SKIP_POSTGRES is set: not installing PostgreSQL."; \
	elif ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; \
	fi

validate: install
	$(BIN)/signpost validate

run: install vendor
	$(BIN)/signpost validate
	$(BIN)/signpost index
	$(BIN)/signpost serve --host $(HOST) --port $(PORT)

# Flask's development server with reloading, for working on templates and views.
dev: install vendor
	$(BIN)/signpost index
	$(BIN)/flask --app app run --debug --host $(HOST) --port $(PORT)

index: install
	$(BIN)/signpost index

# ruff (rules and complexity limit in pyproject.toml), then mypy, strict, over the files
# pyproject.toml names.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint vendor browser redis postgres
	$(BIN)/signpost validate
	$(BIN)/pytest

# Only the browser journeys, accessibility checks and screenshots (test-artifacts/screenshots/).
test-browser: install vendor browser
	$(BIN)/pytest tests/browser

clean:
	rm -rf $(VENV) $(VENV)-lock instance .pytest_cache .mypy_cache node_modules static/vendor
