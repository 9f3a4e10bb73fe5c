# Shortcuts for the scripts the README documents.
.PHONY: run test lint format bench bench-http bench-peers

run:
	bash scripts/run

test:
	bash scripts/test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

# Benchmarks at 10k and 1M contacts on SQLite, then PostgreSQL (one database at a time);
# tables on stdout, JSON in bench/results/. Not part of the test suite. See docs/performance.md.
bench:
	bash scripts/bench

# The same pages over HTTP: the server mode, one then two web processes, concurrent clients.
bench-http:
	bash scripts/bench-http

# Clientela against DjangoCRM over HTTP in one run, the same rows in each (bench/peers/);
# `make bench-peers CONTACTS=10000`. Needs Python 3.12 for DjangoCRM, else says it skipped.
CONTACTS ?= 100000
bench-peers:
	bash scripts/bench-peers --contacts $(CONTACTS)
