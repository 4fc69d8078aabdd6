# RB Dash: `make run` serves the dashboard, `make test` runs the whole suite.
# Both create the virtual environment on first use (python3 -m venv) and install pinned
# requirements; a changed requirements file reinstalls.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

# Python's default is to keep compiled modules (__pycache__); an environment that turns it off
# (PYTHONDONTWRITEBYTECODE, as some sandboxes and containers do) makes every test worker, server and
# command recompile the project and pytest re-rewrite every test module: about a fifth of `make test`.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast lint bench data template clean constraints plotly-js demo

$(VENV)/.runtime: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# Re-pin every transitive package after a change to requirements*.txt (fresh environment).
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet -r requirements-dev.txt
	{ echo "# Every package of the tested environment (make test), pinned: pip installs with -c constraints.txt."; \
	  echo "# Regenerate after changing requirements*.txt: make constraints"; \
	  .venv-pin/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .venv-pin

run: $(VENV)/.runtime
	$(PY) -m rbdash.ui.serve --server.port $(PORT)

# Example (CONTOH) plans of the eight kab/kota and of 2023 into a new data directory (RBDASH_DATA_DIR or the
# settings'), beside the bundled 2022 workbook; refused where anyone has published. Then `make run`.
demo: $(VENV)/.runtime
	$(PY) -m rbdash demo

# pytest-xdist workers; a module whose tests share a server or a browser runs on one worker
# (`xdist_group`, `--dist loadgroup`; tests/conftest.py stops a run in which the groups are lost). The
# suite keeps both cores busy; on this 2-core machine it is fastest with three workers (255 s vs 263 s
# with four, 2026-11-29), the fast subset with two.
TEST_WORKERS ?= 3
FAST_TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -q --dist loadgroup

test: lint
	$(PYTEST) -n $(TEST_WORKERS)

# Everything but the tests that start a browser, a server, LibreOffice, a fuzzer or Python processes of their
# own (marked slow): the in-process suite.
test-fast: lint
	$(PYTEST) -n $(FAST_TEST_WORKERS) -m "not slow"

# Linter, formatter check and type checker (settings in pyproject.toml); `make test` runs it first.
lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: $(VENV)/.dev
	$(PY) -m bench.bench_load

# Fuzz the workbook reader for FUZZ_SECONDS (default 600): libFuzzer via atheris, findings replayed through the worker.
fuzz: $(VENV)/.dev
	$(PY) -m tests.fuzz_workbook run --seconds $(or $(FUZZ_SECONDS),600)

# Rewrite data/rencana_aksi_2022.xlsx from rbdash/annex2022.py (annex text and example data).
# openpyxl's own XML writer (not lxml's), as the bundled workbook was first written: its bytes change only
# where its data does (tests/hostile_factory.py edits its XML as written).
data: $(VENV)/.runtime
	OPENPYXL_LXML=False $(PY) -m rbdash build-data

template: $(VENV)/.runtime
	$(PY) -m rbdash template templat_rencana_aksi.xlsx --force

# Replace static/plotly/ with plotly.js's basic bundle of the version the installed plotly was built for
# (from npm; needs node's npm). Then set PLOTLY_JS_VERSION in rbdash/present/charts/plotlyjs.py to match.
plotly-js: $(VENV)/.runtime
	version=$$($(PY) -c "import plotly.offline; print(plotly.offline.get_plotlyjs_version())"); \
	tmp=$$(mktemp -d); cd $$tmp && npm pack --silent plotly.js-basic-dist-min@$$version >/dev/null && tar xzf *.tgz && cd - >/dev/null; \
	rm -rf static/plotly && mkdir -p static/plotly; \
	cp $$tmp/package/plotly-basic.min.js static/plotly/plotly-basic-$$version.min.js; \
	cp $$tmp/package/LICENSE static/plotly/LICENSE; rm -rf $$tmp; ls static/plotly

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
