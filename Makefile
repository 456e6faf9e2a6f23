# Set-up and the two commands of README.md.  Everything the project needs is
# installed from here: Python packages into .venv, Debian packages by apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint archive clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

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
