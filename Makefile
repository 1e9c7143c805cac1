# Pandu: `make run` serves the app (and runs its background jobs), `make test` runs the whole suite. Only Python 3.11+ is needed (and npm for the offline surveys and the accessibility tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Packages from the npm registry (package-lock.json): Dexie, served to the surveyors' phones
# (static/dexie/, pandu/settings.py), and axe-core for the accessibility check.
NODE_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install messages migrate run test test-fast lint bench stop-db backup restore clean cluster cluster-stop tls

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools<81" wheel
	# xstatic-bootstrap (Bootstrap's CSS/JS from PyPI) only builds with old setuptools, no isolation.
	$(BIN)/python -m pip install -q --no-build-isolation xstatic-bootstrap
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	@touch $(STAMP)

# npm ci installs exactly the lock file's versions. Without npm the app still installs and runs,
# but the offline surveys do not work (manage.py check warns) and the accessibility tests fail
# saying so (CI installs npm first: .ci/run).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm not found: Dexie and axe-core are not installed; the offline surveys and the accessibility tests will not work (apt-get install npm)"; \
	fi

install: $(STAMP) $(NODE_STAMP) messages

# The settings default to DEBUG off (a production server); the developer's commands turn it on,
# unless DEBUG is set already.
migrate run test test-fast bench backup restore cluster: export DEBUG ?= true

messages: $(STAMP)
	$(BIN)/pybabel -q compile -d locale -D django

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data

run: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Pandu: http://$(HOST):$(PORT)/  (stop with Ctrl+C; the database keeps running: make stop-db)"
	@echo "Background jobs: a worker runs next to the server, its log in .data/worker.log"
	$(BIN)/python scripts/run.py $(HOST):$(PORT)

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with its own test database,
# live server and browser: 2 by default, the office machine's cores.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

backup: install
	$(BIN)/python manage.py backup

# make restore FILE=.data/backups/pandu-backup-YYYYmmdd-HHMMSS.tar.gz  (into an empty database)
restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=archive.tar.gz" && exit 2)
	$(BIN)/python manage.py restore "$(FILE)"

# Two app servers, two job workers and a streaming replica of the embedded database, on this machine
# (scripts/cluster.py; docs/deploy.md). make cluster-stop ends them; the primary keeps running.
cluster: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python scripts/cluster.py start $(CLUSTER_ARGS)

# The office's own certificate authority and a certificate for this server's LAN names and
# addresses, under .data/tls/ (scripts/tls.py; docs/deploy.md "HTTPS on the office LAN"):
# make tls TLS_HOSTS="pandu.lan 192.168.1.10"
tls:
	$(PYTHON) scripts/tls.py $(TLS_HOSTS)

cluster-stop:
	@test -x $(BIN)/python && $(BIN)/python scripts/cluster.py stop || true

stop-db: cluster-stop
	@test -x $(BIN)/python && $(BIN)/python -m pandu.embedded_db stop || true

clean: stop-db
	rm -rf $(VENV) .data staticfiles node_modules
