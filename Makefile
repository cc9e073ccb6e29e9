# Two entry points do all the set-up on a fresh machine (see README):
#   make demo   - install, then report on the bundled example denial letter
#   make test   - install, then ruff + mypy + pytest (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE ?= examples/ketamine-off-label-denial.pdf

.PHONY: setup browser demo test lint typecheck unit fuzz train examples corpus-pdfs benchmark clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(BIN)/denialparse report $(EXAMPLE)

lint: setup
	$(BIN)/ruff check src tests notebooks benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: setup
	$(BIN)/mypy

# Debian's chromium + chromedriver for the end-to-end browser test; best effort (needs root and apt): without
# them that one test is skipped with its reason.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
	{ command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  { timeout 600 apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	    { timeout 300 apt-get update -q >/dev/null 2>&1 && \
	      timeout 600 apt-get install -y -q chromium chromium-driver >/dev/null 2>&1; }; }; } || \
	echo "chromium/chromedriver not installed: the browser test will be skipped"

unit: setup browser
	$(BIN)/pytest -q

test: lint typecheck unit

train: setup
	$(BIN)/denialparse train --corpus corpus --out models/denial-reasons --name denial-reasons

examples: setup
	$(BIN)/python examples/build.py

corpus-pdfs: setup
	$(BIN)/denialparse corpus render corpus --out corpus/pdf --every 8

fuzz: setup
	DENIALPARSE_FUZZ_EXAMPLES=10000 $(BIN)/pytest -q tests/test_fuzz.py

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
