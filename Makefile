# The two entry points of the README: `make run` (default job) and `make test` (test suite).
# Both create or reuse the Python environment in .venv/.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
CORES ?= 2

.PHONY: setup run test report docs lint clean bench-job

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[all,test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(VENV)/bin/snakemake --profile profiles/local --cores $(CORES)

test: setup
	$(VENV)/bin/python -m pytest

report: setup
	$(VENV)/bin/snakemake --profile profiles/local --cores $(CORES) --report report.html

# The generated parts of docs/: the configuration reference, and docs/results.md's tables from
# the default job's results/ (run `make run` first).
docs: setup
	$(VENV)/bin/python -m w2vtheory.documentation configuration
	$(VENV)/bin/python -m w2vtheory.documentation results results

# CPU and wall seconds per job and per rule of the last run, from results/benchmarks/.
bench-job: setup
	$(VENV)/bin/python benchmarks/bench_default_job.py results/benchmarks

# Workflow lint and layout, then Python lint and layout (settings in pyproject.toml). CI runs it.
lint: setup
	$(VENV)/bin/snakemake --lint
	$(VENV)/bin/snakefmt --check Snakefile rules/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/black --check .

clean:
	rm -rf results .snakemake report.html report.zip
