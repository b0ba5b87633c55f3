# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app kiosk_server

.PHONY: run test lint format setup clean

# Stamps make each install step run again only when its inputs change.
$(VENV)/.run-deps: pyproject.toml scripts/venv.sh
	PYTHON=$(PYTHON) scripts/venv.sh $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps node_modules/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end packages (Socket.IO client for the screens; acorn and axe-core for tests).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --silent --no-audit --no-fund
	touch $@

setup: $(VENV)/.run-deps node_modules/.installed
	scripts/ensure-fonts.sh
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty

run: setup
	$(BIN)/python -m kiosk_server

lint: $(VENV)/.test-deps
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.test-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	scripts/ensure-chromium.sh
	$(BIN)/pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
