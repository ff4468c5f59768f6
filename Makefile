# One command runs the pipeline on seeds/, one runs the tests. Both create .venv when it is missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: run test ui eval bench install compile clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,deploy,fast]"
	@touch $(STAMP)

install: $(STAMP)

compile: $(STAMP)  ## rebuild the mypyc-compiled text modules after editing aid_pipeline/text/*.py (about 40 s)
	$(BIN)/python setup.py --quiet build_ext --inplace

run: $(STAMP)  ## materialise every asset over seeds/ into ./warehouse
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/aid-pipeline run --inbox seeds --warehouse warehouse

test: $(STAMP)  ## the test suite (.ci/run calls exactly this)
	$(BIN)/python -m pytest

ui: $(STAMP)  ## the Dagster UI on http://127.0.0.1:3000
	$(BIN)/python -c "from aid_pipeline.cli import ensure_dagster_home; ensure_dagster_home()"
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

eval: $(STAMP)  ## extraction quality against ../shared/gold
	$(BIN)/aid-pipeline eval --gold ../shared/gold --inbox seeds --warehouse warehouse

N ?= 100 1000
bench: $(STAMP)  ## benchmark on synthetic corpora (full run: make bench N="100 1000 10000")
	@mkdir -p bench_out
	$(BIN)/aid-pipeline bench $(foreach n,$(N),--reports $(n)) --json bench_out/bench.json

clean:
	rm -rf warehouse .dagster
