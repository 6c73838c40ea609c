# postcheck: `make demo` sets everything up and checks the example school;
# `make test` runs the whole test suite. Both create .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.postcheck-installed

.PHONY: demo test eval bench lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing postcheck and its dependencies (prebuilt wheels, no compiler: one to two minutes)..."
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Check the example school's batch of posts (examples/oakfield), as
# `postcheck demo` does on any system: exit code 0 when it ran, whatever the
# verdicts (the example posts are meant to pass, warn and block).
demo: $(STAMP)
	$(BIN)/postcheck demo

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/python eval/eval_real.py
	$(BIN)/python eval/eval_text.py
	$(BIN)/python eval/eval_classifier.py
	$(BIN)/python eval/eval_faces.py
	$(BIN)/python eval/eval_images.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests eval bench train
	$(BIN)/ruff format --check src tests eval bench train

format: $(STAMP)
	$(BIN)/ruff format src tests eval bench train
	$(BIN)/ruff check --fix src tests eval bench train

clean:
	rm -rf $(VENV) build dist .pytest_cache
