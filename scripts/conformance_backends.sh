#!/usr/bin/env bash
# Run the Keras suites (model, saving, callbacks, layers, the keras.ops records, and the
# documented examples of keras.ops and keras.layers) once per Keras backend.
#
# Keras 3 fixes its backend per process (KERAS_BACKEND), so each backend is its own run in
# its own virtual environment:
#   tensorflow  $VENV (default .venv, the one `make conformance` uses)
#   jax         .venv-jax    (jax CPU, no TensorFlow)
#   torch       .venv-torch  (torch 2.13.0 CPU wheel, no TensorFlow)
# Without TensorFlow the TensorFlow-only claims report "not applicable" (skipped).
#
# Steps: create/update the venvs; write one reference .keras archive per backend
# (portability); run the suites per backend into reports/backends/<backend>/; print the
# wall time per backend and the claims whose outcome differs between backends.
#
# Environment: BACKENDS ("tensorflow jax torch"), PROFILE (ci), REPORTS (./reports),
# PYTHON (python3), VENV (.venv), TF_REQUIREMENT, JAX_REQUIREMENT, TORCH_REQUIREMENT,
# ARGS (extra pytest arguments), SKIP_INSTALL=1 (use the venvs as they are).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
BACKENDS="${BACKENDS:-tensorflow jax torch}"
PROFILE="${PROFILE:-ci}"
REPORTS="${REPORTS:-$ROOT/reports}"
ARGS="${ARGS:-}"
TF_REQUIREMENT="${TF_REQUIREMENT:-tensorflow-cpu==2.21.0}"
JAX_REQUIREMENT="${JAX_REQUIREMENT:-jax}"
# Exactly this version: its CPU wheel is what pip finds here; any other torch release
# resolves to a multi-GB CUDA build.
TORCH_REQUIREMENT="${TORCH_REQUIREMENT:-torch==2.13.0}"
# Suite folders or files of the bundled suites (suites/ in the checkout; the docs suite's
# TensorFlow part needs TensorFlow: only its Keras file is a Keras suite).
KERAS_SUITES="model saving callbacks layers keras_ops docs/test_keras_examples.py"

OUT="$REPORTS/backends"
PORTABILITY_DIR="$OUT/portability"

venv_of() {
    case "$1" in
        tensorflow) echo "$VENV" ;;
        *) echo ".venv-$1" ;;
    esac
}

requirement_of() {
    case "$1" in
        tensorflow) echo "$TF_REQUIREMENT" ;;
        jax) echo "$JAX_REQUIREMENT" ;;
        torch) echo "$TORCH_REQUIREMENT" ;;
        *) echo "unknown Keras backend: $1" >&2; exit 2 ;;
    esac
}

ensure_venv() {
    local backend="$1" venv requirement stamp
    venv="$(venv_of "$backend")"
    requirement="$(requirement_of "$backend")"
    stamp="$venv/.tf2conf-backend-$backend"
    if [[ "${SKIP_INSTALL:-0}" == 1 && -x "$venv/bin/pytest" ]]; then
        return
    fi
    if [[ -f "$stamp" && "$stamp" -nt pyproject.toml && "$(cat "$stamp")" == "$requirement" ]]; then
        return
    fi
    if [[ "$backend" == tensorflow ]] && "$venv/bin/python" -c 'import tensorflow, keras' \
        2>/dev/null; then
        return # the main venv, set up by the Makefile: leave its TensorFlow alone
    fi
    echo "tf2conf: preparing $venv for Keras backend $backend ($requirement)"
    [[ -x "$venv/bin/python" ]] || "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -e ".[test]" "keras>=3" numpy "$requirement"
    if [[ "$backend" == torch ]]; then
        # Guard against a CUDA build sneaking in (gigabytes, and useless here).
        "$venv/bin/python" -c 'import torch, sys; sys.exit(torch.version.cuda is not None)' || {
            echo "tf2conf: $venv got a CUDA build of torch; install the CPU wheel" >&2
            exit 2
        }
    fi
    echo "$requirement" >"$stamp"
}

suite_paths() {
    # The installed package's suites (pytest_tf2conf.suites: the checkout's suites/ in an
    # editable install), so the run needs no checkout-relative paths.
    local venv="$1" base
    base="$("$venv/bin/python" -c 'import pytest_tf2conf.suites as s; print(s.__path__[0])')"
    for suite in $KERAS_SUITES; do
        if [[ -e "$base/$suite" ]]; then
            echo "$base/$suite"
        fi
    done
}

for backend in $BACKENDS; do
    ensure_venv "$backend"
done

# Portability: every backend writes its reference archive before any backend loads them.
rm -rf "$PORTABILITY_DIR"
mkdir -p "$PORTABILITY_DIR"
for backend in $BACKENDS; do
    KERAS_BACKEND="$backend" TF_CPP_MIN_LOG_LEVEL=2 \
        "$(venv_of "$backend")/bin/python" -m pytest_tf2conf.suites.saving._portability \
        "$PORTABILITY_DIR"
done

status=0
summary=""
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for backend in $BACKENDS; do
    venv="$ROOT/$(venv_of "$backend")"
    report="$OUT/$backend"
    mkdir -p "$report"
    mapfile -t suites < <(suite_paths "$venv")
    start=$(date +%s)
    rc=0
    # shellcheck disable=SC2086  # ARGS is a list of words on purpose
    (cd "$scratch" && KERAS_BACKEND="$backend" TF2CONF_PORTABILITY_DIR="$PORTABILITY_DIR" \
        "$venv/bin/pytest" --tf2conf --tf2conf-profile "$PROFILE" --tf2conf-report "$report" \
        -q -p no:cacheprovider "${suites[@]}" $ARGS) || rc=$?
    seconds=$(($(date +%s) - start))
    summary+="tf2conf: backend $backend: exit $rc in ${seconds}s -> $report/tf2conf-report.json"$'\n'
    # 1 = some claim failed: a finding to report, not a broken run; anything else is.
    if [[ $rc -ne 0 ]]; then
        status=1
    fi
done

printf '%s' "$summary"
# One matrix over the backends (targets already name their backend).
merge_inputs=()
for backend in $BACKENDS; do
    [[ -f "$OUT/$backend/tf2conf-report.json" ]] && merge_inputs+=("$OUT/$backend/tf2conf-report.json")
done
if [[ ${#merge_inputs[@]} -gt 1 ]]; then
    "$ROOT/$(venv_of "${BACKENDS%% *}")/bin/tf2conf" merge "${merge_inputs[@]}" \
        -o "$OUT/merged/tf2conf-report.json" || status=1
fi
"$ROOT/$(venv_of "${BACKENDS%% *}")/bin/python" - "$OUT" $BACKENDS <<'PY'
"""Print the claims whose outcome differs between the backends' reports."""
import json
import sys
from pathlib import Path

from pytest_tf2conf.report.schema import claim_outcome

out, backends = Path(sys.argv[1]), sys.argv[2:]
outcomes: dict[str, dict[str, str]] = {}
for backend in backends:
    path = out / backend / "tf2conf-report.json"
    if not path.exists():
        continue
    per_claim: dict[str, list[str]] = {}
    for result in json.loads(path.read_text()).get("results", []):
        per_claim.setdefault(result["claim"], []).append(result["outcome"])
    for claim_id, values in per_claim.items():
        outcomes.setdefault(claim_id, {})[backend] = claim_outcome(values)
differ = {c: o for c, o in sorted(outcomes.items()) if len(set(o.values())) > 1 or len(o) < len(backends)}
print(f"tf2conf: {len(outcomes)} Keras claims, {len(differ)} differ between backends")
for claim_id, per_backend in differ.items():
    cells = ", ".join(f"{b}={per_backend.get(b, 'absent')}" for b in backends)
    print(f"  {claim_id}: {cells}")
(out / "backend-differences.json").write_text(json.dumps(differ, indent=1) + "\n")
PY
exit $status
