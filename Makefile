# Convene: `make run` to try it, `make test` to check it. Only Python >= 3.11 and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: run test install install-dev migrate demo bench lint format clean messages

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Convene needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

migrate: install
	$(BIN)/convene migrate --no-input -v 0

demo: migrate
	$(BIN)/convene demo

run: demo
	@echo ""
	@echo "  Convene is starting on http://$(HOST):$(PORT)/"
	@echo "  Log in as coordinator@example.org (or any demo member listed above) with password: convene-demo"
	@echo "  Stop with Ctrl-C."
	@echo ""
	$(BIN)/convene runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

BENCHES := opinion.py polis_fidelity.py grouping.py matching.py deliberation_vote.py insights.py load.py digest.py

bench: install-dev
	cd bench && for script in $(BENCHES); do ../$(BIN)/python $$script || exit 1; done

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Update every translation catalogue (project and apps) from the source and compile them (docs/i18n.md).
messages: install-dev
	$(BIN)/convene messages

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
