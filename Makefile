# postcheck: `make demo` sets everything up and checks the example school;
# `make test` runs the whole test suite. Both create .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.postcheck-installed
EXAMPLE := examples/oakfield

.PHONY: demo test eval bench lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing postcheck and its dependencies (the first install compiles dlib: several minutes)..."
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Check the example school's batch of posts. Exit codes 1 (warn) and 2 (block)
# are the expected results of the demo, not failures of the command.
demo: $(STAMP)
	$(BIN)/postcheck $(EXAMPLE)/posts --config $(EXAMPLE)/postcheck.toml; \
	  rc=$$?; if [ $$rc -gt 2 ]; then exit $$rc; fi

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
