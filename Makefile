# tf2conf — the two set-up commands of the README are `make conformance` and `make test`.
# Each creates its own virtual environment (.venv) on a fresh machine and installs what it needs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The TensorFlow under test; a CPU wheel keeps the install small on machines without a GPU.
TF_REQUIREMENT ?= tensorflow-cpu==2.21.0
REPORTS ?= $(CURDIR)/reports
PROFILE ?= ci
# Extra pytest arguments for the conformance run, e.g. ARGS="--tf2conf-modes eager".
ARGS ?=
# Shards of the conformance run, run in parallel (`tf2conf run --jobs`): "auto" is one per
# core; JOBS=0 (or 1) runs one shard, one process at a time.
JOBS ?= auto

.PHONY: conformance test lint bench bench-ops bench-memory validate-upgrade clean

$(BIN)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TF_REQUIREMENT)" "keras>=3"
	$(BIN)/pip install -q -e ".[test]"
	touch $@

# The main job: every bundled suite on this machine's CPU (split into 2 logical devices),
# in all modes; reports (JSON, Markdown, HTML) go to reports/. Runs from a scratch folder
# to show that the installed plugin needs no checkout. `tf2conf run` gives each of JOBS
# shards its own chain of processes: one that passes MAX_RSS MB of memory (XLA's cache
# is only freed with its process) or crashes is resumed by a fresh one; one merged report.
# MAX_RSS=auto: half the memory available at the start, split among the shards (1400-6000 MB).
MAX_RSS ?= auto
conformance: $(BIN)/.installed
	mkdir -p $(REPORTS)
	cd "$$(mktemp -d)" && $(CURDIR)/$(BIN)/tf2conf run --jobs $(if $(filter 0,$(JOBS)),1,$(JOBS)) \
		--max-rss $(MAX_RSS) --report $(REPORTS) -- --tf2conf-virtual-cpus 2 \
		--tf2conf-profile $(PROFILE) -q -p no:cacheprovider $(ARGS)

# The project's own tests (plugin, reports, planted faults).
test: $(BIN)/.installed
	$(BIN)/ruff check pytest_tf2conf suites tests bench scripts conftest.py
	$(BIN)/pytest tests -q -p no:cacheprovider

# Wall time, hypothesis examples/s, traces, the worst property and the cost per claim x
# target per suite file and mode; then Target.run against the direct call (figures, not tests).
BENCH_SUITES ?= eager graph tape tensor docs
bench: $(BIN)/.installed
	$(BIN)/python bench/bench_suites.py --profile $(PROFILE) --devices CPU:0 \
		$(addprefix suites/,$(BENCH_SUITES))
	$(BIN)/python bench/bench_target_run.py
	$(MAKE) --no-print-directory bench-ops
	$(MAKE) --no-print-directory bench-memory

# The op database at quick and ci on a deterministic sixteenth of its tests (2 virtual CPUs x
# 3 modes, one process each): seconds per op x dtype x target item (s/test) per property and
# mode. The whole database: `make conformance` (figures: docs/performance.md).
BENCH_OPS_SHARD ?= 1/16
bench-ops: $(BIN)/.installed
	for profile in quick ci; do $(BIN)/python bench/bench_suites.py --profile $$profile \
		--devices CPU:0,CPU:1 --virtual-cpus 2 --shard $(BENCH_OPS_SHARD) suites/ops || exit 1; done

# Resident memory of a whole conformance run (every suite unless BENCH_MEMORY_SUITES is set,
# 2 virtual CPUs x 3 modes, one process unless BENCH_MEMORY_JOBS is set): peak RSS per
# process, RSS per quarter of the run and per suite folder (figures: docs/performance.md).
BENCH_MEMORY_SUITES ?=
BENCH_MEMORY_JOBS ?= 0
bench-memory: $(BIN)/.installed
	$(BIN)/python bench/bench_memory.py --profile $(PROFILE) -n $(BENCH_MEMORY_JOBS) \
		$(addprefix suites/,$(BENCH_MEMORY_SUITES))

# Random seeds against the derandomized ci run: quick x SEEDS and thorough x 1, every
# claim x target whose outcome differs is listed (exit 1 if any). Reports in reports/flake-check/.
SEEDS ?= 5
.PHONY: flake-check
flake-check: $(BIN)/.installed
	$(BIN)/python scripts/flake_check.py --seeds $(SEEDS) --thorough 1 --out $(REPORTS)/flake-check

# The upgrade matrix: every suite in seven environments (TF 2.13.1 and 2.15.1 with Keras 2,
# 2.16.2, 2.21.0 with tf_keras, with Keras 3.12, with oneDNN off, and 2.21.0 with Keras 3),
# each in its own venv; the six diffs with behaviour changes in reports/examples/.
validate-upgrade:
	bash scripts/validate_upgrade.sh

lint: $(BIN)/.installed
	$(BIN)/ruff check pytest_tf2conf suites tests bench scripts conftest.py
	$(BIN)/ruff format --check pytest_tf2conf suites tests bench scripts conftest.py

clean:
	rm -rf $(VENV) reports/*.json reports/*.md reports/*.html build *.egg-info

# The Keras suites (model, saving, callbacks, the Keras docs examples) once per Keras
# backend (tensorflow, jax, torch), each in its own venv (.venv, .venv-jax, .venv-torch),
# plus the cross-backend portability claim; reports go to reports/backends/<backend>/.
.PHONY: conformance-backends
conformance-backends: $(BIN)/.installed
	PYTHON=$(PYTHON) VENV=$(VENV) PROFILE=$(PROFILE) REPORTS=$(REPORTS) \
		TF_REQUIREMENT="$(TF_REQUIREMENT)" ARGS="$(ARGS)" bash scripts/conformance_backends.sh
