# Set-up and the two commands of README.md.  Everything the project needs is
# installed from here: Python packages into .venv, Debian packages by apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages: Chromium for the browser tests (driven by Playwright, which
# is told to use it instead of downloading its own) and a CJK font so pages
# and screenshots show Chinese.
DEBIAN_PACKAGES := chromium fonts-noto-cjk

.PHONY: setup system test lint archive clean

system:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: system $(STAMP)

## Set up and run every test (what CI runs).
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Set up and run the main job: crawl, import the inbox, build site and index.
archive: setup
	$(BIN)/invoke scrape $(SCRAPE_ARGS) build

clean:
	rm -rf output search_index/_* .pytest_cache
