# The two commands: `make demo` runs hogo's main job, `make test` runs every check.
# Both create .venv when it is missing (and refresh it when pyproject.toml changes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXAMPLE ?= examples/showcase/hogo.yaml
SITE ?= site

.PHONY: demo test lint types contracts pytest venv verify-venv peers-venv bench clean screenshots

venv: $(STAMP)

# pycanon checks k and l of every table the anonymity tests release. It pins typer and
# typing_extensions to versions hogo does not use, so it gets a venv of its own.
VERIFY := .venv-verify
VERIFY_STAMP := $(VERIFY)/.installed-stamp
verify-venv: $(VERIFY_STAMP)

$(VERIFY_STAMP): tests/verify/requirements.txt
	test -x $(VERIFY)/bin/python || $(PYTHON) -m venv $(VERIFY)
	$(VERIFY)/bin/python -m pip install --quiet -r tests/verify/requirements.txt
	touch $(VERIFY_STAMP)

# anjana and anonypy, the peers of the anonymization benchmark, for the same reason.
PEERS := .venv-peers
PEERS_STAMP := $(PEERS)/.installed-stamp
peers-venv: $(PEERS_STAMP)

$(PEERS_STAMP): benchmarks/peers-requirements.txt
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet -r benchmarks/peers-requirements.txt
	touch $(PEERS_STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The demo shows findings (vendor audits fall due as time passes) and renders regardless,
# then makes demo/ once (made-up people: `hogo demo`) and serves it on loopback.
DEMO_DIR ?= demo
demo: $(STAMP)
	$(BIN)/hogo check $(EXAMPLE) || echo "(findings above; the demo renders the policy anyway)"
	$(BIN)/hogo render $(EXAMPLE) --site $(SITE)
	test -f $(DEMO_DIR)/hogo.db || $(BIN)/hogo demo --dir $(DEMO_DIR)
	@echo "hogo demo: http://127.0.0.1:8000/ (portal) and http://127.0.0.1:8000/console"
	@echo "log in to the console as officer / hogo-demo-officer (made-up data only); Ctrl-C stops"
	HOGO_KEY_FILE=$(DEMO_DIR)/master.key $(BIN)/hogo serve --db sqlite:///$(DEMO_DIR)/hogo.db

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# Two workers: the suite is I/O-bound enough (SQLite files, PostgreSQL) that it halves the
# time on 2 cores. PYTEST_ARGS= runs it in one process.
PYTEST_ARGS ?= -n 2
pytest: $(STAMP) $(VERIFY_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types contracts pytest

bench: $(STAMP) $(PEERS_STAMP)
	$(BIN)/python benchmarks/bench_policy.py
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]' && $(BIN)/python benchmarks/bench_purpose_check.py
	$(BIN)/python benchmarks/bench_ledger.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_statistics.py
	$(BIN)/python benchmarks/bench_anonymize.py

clean:
	rm -rf $(VENV) $(VERIFY) $(PEERS) $(SITE) .pytest_cache .mypy_cache .ruff_cache

# Browser tests again, keeping their screenshots in docs/screenshots/ (for the README).
screenshots: $(STAMP)
	HOGO_SCREENSHOTS=1 $(BIN)/pytest -m browser
