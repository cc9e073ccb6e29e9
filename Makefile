# Two entry points do all the set-up on a fresh machine (see README):
#   make demo   - install, then report on the bundled example denial letter
#   make test   - install, then ruff + mypy + pytest (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE ?= examples/ketamine-off-label-denial.pdf

.PHONY: setup system-packages demo test lint typecheck unit fuzz train train-fields examples corpus-pdfs benchmark clean

# Byte-compile the package as a regular (non-editable) install does: a cold `denialparse report` then skips
# compiling our modules from source, which it would do on every run where PYTHONDONTWRITEBYTECODE is set.
setup: $(STAMP)
	@$(BIN)/python -m compileall -q src >/dev/null

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: setup system-packages
	$(BIN)/denialparse report $(EXAMPLE)

lint: setup
	$(BIN)/ruff check src tests notebooks benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: setup
	$(BIN)/mypy

# System programs from Debian, best effort (needs root and apt): Tesseract for scanned letters, chromium and
# chromedriver for the end-to-end browser test. Without them, the tests that need them skip with the reason.
SYSTEM_PACKAGES = tesseract-ocr tesseract-ocr-eng chromium chromium-driver
system-packages:
	@command -v tesseract >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && \
	command -v chromedriver >/dev/null 2>&1 || \
	{ command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  { timeout 600 apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	    { timeout 300 apt-get update -q >/dev/null 2>&1 && \
	      timeout 600 apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null 2>&1; }; }; } || \
	echo "tesseract/chromium not installed: the OCR and browser tests will be skipped"

unit: setup system-packages
	$(BIN)/pytest -q

test: lint typecheck unit

train: setup
	$(BIN)/denialparse train --corpus corpus --out models/denial-reasons --name denial-reasons

# The service and service-date rankers, from the gold field annotations (leave-one-writer-out figures in the card).
train-fields: setup
	$(BIN)/denialparse train-fields --corpus corpus --gold corpus/fields --out models/field-rankers --seed 13

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
