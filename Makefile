# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app kiosk_server

.PHONY: run test lint format setup clean cluster cluster-stop bench bench-frontend bench-screens bench-city

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
	scripts/ensure-nginx.sh
	$(BIN)/pytest

# Two app processes on PostgreSQL and Redis behind nginx on 127.0.0.1:8080 (docs/deploy.md).
cluster: $(VENV)/.run-deps node_modules/.installed
	scripts/ensure-fonts.sh
	$(BIN)/python scripts/cluster.py

cluster-stop:
	$(BIN)/python scripts/cluster.py --stop

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# The TV's first screen over the wire and its Lighthouse score, into docs/benchmarks.md.
bench: bench-frontend bench-city bench-screens
bench-frontend: $(VENV)/.test-deps
	scripts/ensure-chromium.sh
	$(BIN)/python bench/frontend.py

# Screens at city scale: a TV's cold start, page steps, searches and the public reads
# beside the Python floor at 1,000, 10,000 and 50,000 listings in one community's
# scope, on the machine's PostgreSQL (bench/city.py); ~15 min on 2 cores.
bench-city: $(VENV)/.test-deps
	scripts/ensure-chromium.sh
	$(BIN)/python bench/city.py

# Ours vs a minimal Node Socket.IO server at 1,000, 5,000 and 10,000 screens, same
# client harness, on the machine's PostgreSQL (bench/run.py); ~30 min on 2 cores.
bench-screens: $(VENV)/.test-deps
	$(BIN)/python bench/run.py
