# Shortcuts for the scripts the README documents.
.PHONY: run test lint format bench bench-http

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
