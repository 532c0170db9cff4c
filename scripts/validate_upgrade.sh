#!/usr/bin/env bash
# Validate a TensorFlow / Keras upgrade with tf2conf: run every bundled suite (TF-level,
# op database, Keras, keras.ops and layers, documented examples) in several environments,
# each in its own virtual environment, merge the matrix and write the diffs between pairs.
#
#   scripts/validate_upgrade.sh                       # the default matrix below
#   ENVIRONMENTS="tf2.15.1:2.15.1 tf2.21.0:2.21.0" scripts/validate_upgrade.sh
#
# An environment is NAME:TF_VERSION[:FLAVOUR[:VAR=VALUE,...]]: FLAVOUR is "keras" (whatever
# Keras the TensorFlow wheel brings: Keras 2 up to TF 2.15, Keras 3 from 2.16), "tf_keras"
# (Keras 2 on TF 2.16+: tf-keras of the same minor version, installed without its
# dependencies, and TF_USE_LEGACY_KERAS=1) or "keras==3.x.y" (another Keras 3 release);
# the variables are set for the run (TF_ENABLE_ONEDNN_OPTS=0 turns oneDNN off). Environments
# of the same TF version and flavour share one venv. PAIRS lists the diffs as
# BASELINE>CANDIDATE names (default: the six of the matrix below; with ENVIRONMENTS set and
# PAIRS empty, every environment against the last one).
#
# Each environment runs through `tf2conf run` (JOBS shards, a process that passes MAX_RSS MB
# is resumed by a fresh one). Writes reports/upgrade/<name>/ (JSON, Markdown, HTML, repro
# scripts), the diffs as Markdown under reports/examples/ (upgrade-<baseline>-to-<candidate>.md,
# with the behaviour-change section), the merged matrix, and the wall time per environment in
# reports/upgrade/times.txt. Downloads about 0.3-0.6 GB per TensorFlow version; TF <= 2.15
# needs Python <= 3.11. Exit status: 1 when a diff shows a regression
# (FAIL_ON_BEHAVIOUR_CHANGE=1: or a behaviour change), 0 otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
DEFAULT_ENVIRONMENTS="tf2.13.1:2.13.1 tf2.15.1:2.15.1 tf2.16.2:2.16.2 \
tf2.21.0-tf_keras:2.21.0:tf_keras tf2.21.0-keras3.12:2.21.0:keras==3.12.4 \
tf2.21.0-onednn-off:2.21.0:keras:TF_ENABLE_ONEDNN_OPTS=0 tf2.21.0:2.21.0"
DEFAULT_PAIRS="tf2.15.1>tf2.16.2 tf2.15.1>tf2.21.0 tf2.13.1>tf2.21.0 tf2.21.0-tf_keras>tf2.21.0 \
tf2.21.0-keras3.12>tf2.21.0 tf2.21.0>tf2.21.0-onednn-off"
if [ -n "${ENVIRONMENTS:-}" ]; then PAIRS="${PAIRS:-}"; else PAIRS="${PAIRS:-$DEFAULT_PAIRS}"; fi
ENVIRONMENTS="${ENVIRONMENTS:-$DEFAULT_ENVIRONMENTS}"
VENVS="${VENVS:-$ROOT/.venv-upgrade}"
OUT="${OUT:-$ROOT/reports/upgrade}"
EXAMPLES="${EXAMPLES:-$ROOT/reports/examples}"
PROFILE="${PROFILE:-quick}"
# One hypothesis seed for every environment: each draws the same examples, so a difference
# in the diffs is the versions', not the draws'.
SEED="${SEED:-20261130}"
# Suite folders or files under the bundled suites (e.g. "eager tape ops"); empty: every suite.
SUITES="${SUITES:-}"
# Extra pytest arguments, e.g. EXTRA_ARGS="--tf2conf-modes eager,function".
EXTRA_ARGS="${EXTRA_ARGS:---tf2conf-devices CPU:0}"
JOBS="${JOBS:-auto}"
# Environment names to run (default all; RUN=none: only the diffs and the merge); the others
# keep the report of an earlier run.
RUN="${RUN:-}"
MAX_RSS="${MAX_RSS:-auto}"
DIFF_ARGS=()
[ "${FAIL_ON_BEHAVIOUR_CHANGE:-0}" = 1 ] && DIFF_ARGS+=(--fail-on-behaviour-change)

declare -A VENV_OF  # environment name -> its venv
mkdir -p "$VENVS" "$OUT" "$EXAMPLES"
touch "$OUT/times.txt"

install_env() {  # venv TF_VERSION FLAVOUR
    local venv="$1" version="$2" flavour="$3"
    [ -x "$venv/bin/tf2conf" ] && return 0
    echo "== creating $venv (TensorFlow $version, $flavour)"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    # One resolve with TensorFlow: its NumPy pin holds for SciPy and the rest too (TF 2.13
    # needs NumPy < 1.25; a later, separate install pulled NumPy 2 and broke its import).
    local keras_pin=()
    case "$flavour" in keras==*) keras_pin=("$flavour") ;; esac
    "$venv/bin/pip" install -q "tensorflow-cpu==$version" "${keras_pin[@]}" -e "$ROOT" \
        pytest-timeout pytest-xdist hypothesis scipy
    if [ "$flavour" = tf_keras ]; then  # its own dependency is the full tensorflow wheel
        "$venv/bin/pip" install -q --no-deps "tf-keras==${version%.*}.*"
    fi
}

run_env() {  # NAME:TF_VERSION[:FLAVOUR[:VARS]]
    local name version flavour vars
    IFS=: read -r name version flavour vars <<< "$1"
    flavour="${flavour:-keras}"
    # One venv per TF version x flavour: oneDNN off runs in the candidate's install.
    local venv="$VENVS/tf$version-${flavour//[^A-Za-z0-9.]/_}" report="$OUT/$name" env_vars=()
    install_env "$venv" "$version" "$flavour"
    VENV_OF[$name]="$venv"
    if [ -n "$RUN" ] && [[ " $RUN " != *" $name "* ]]; then
        echo "== $name: kept from an earlier run ($report)"
        return 0
    fi
    [ "$flavour" = tf_keras ] && env_vars+=(TF_USE_LEGACY_KERAS=1)
    if [ -n "${vars:-}" ]; then IFS=, read -ra more <<< "$vars"; env_vars+=("${more[@]}"); fi
    local suites_dir paths=()
    if [ -n "$SUITES" ]; then
        suites_dir="$("$venv/bin/python" -c 'import pytest_tf2conf.suites as s; print(s.__path__[0])')"
        for suite in $SUITES; do paths+=("$suites_dir/$suite"); done
    fi
    echo "== $name: TensorFlow $version, $flavour ${env_vars[*]:-} (profile $PROFILE) -> $report"
    local scratch status=0 started=$SECONDS
    scratch="$(mktemp -d)"
    # A conformance failure is data, not an error of this script: only exit codes other
    # than 0 (all passed) and 1 (some failed) stop it.
    rm -rf "$report"
    (cd "$scratch" && env "${env_vars[@]}" "$venv/bin/tf2conf" run --jobs "$JOBS" \
        --max-rss "$MAX_RSS" --report "$report" -- --tf2conf-profile "$PROFILE" \
        --hypothesis-seed "$SEED" -q \
        -p no:cacheprovider $EXTRA_ARGS "${paths[@]}" > "$OUT/$name.log" 2>&1) || status=$?
    rm -rf "$scratch"
    tail -n 3 "$OUT/$name.log"
    echo "$name: $((SECONDS - started)) s (pytest exit $status)" | tee -a "$OUT/times.txt"
    if [ "$status" -gt 1 ]; then
        echo "== $name: pytest exited $status (see $OUT/$name.log)" >&2
        return "$status"
    fi
}

for entry in $ENVIRONMENTS; do
    run_env "$entry"
done

names=()
for entry in $ENVIRONMENTS; do names+=("${entry%%:*}"); done
last="${names[-1]}"
if [ -z "$PAIRS" ]; then
    for name in "${names[@]}"; do [ "$name" != "$last" ] && PAIRS+=" $name>$last"; done
fi
regressions=0
tf2conf="${VENV_OF[$last]}/bin/tf2conf"
for pair in $PAIRS; do
    baseline="${pair%%>*}" candidate="${pair#*>}"
    md="$EXAMPLES/upgrade-$baseline-to-$candidate.md"
    status=0
    "$tf2conf" diff "$OUT/$baseline/tf2conf-report.json" "$OUT/$candidate/tf2conf-report.json" \
        --format md -o "$md" "${DIFF_ARGS[@]}" || status=$?
    [ "$status" -eq 2 ] && exit 2
    [ "$status" -eq 1 ] && regressions=1
    echo "== diff $baseline -> $candidate: $md ($(head -n 1 "$md" | sed 's/^# //'))"
done
# The matrix: merged from each environment's shard reports (an environment's own report
# is already a merge), targets named by TF version, Keras version and variables.
reports=()
for name in "${names[@]}"; do reports+=("$OUT/$name"/shards/*/tf2conf-report.json); done
"$tf2conf" merge "${reports[@]}" --qualify tensorflow,keras,env_vars \
    -o "$OUT/merged/tf2conf-report.json" >/dev/null
cp "$OUT/merged/tf2conf-report.md" "$EXAMPLES/upgrade-merged.md"
echo "== merged report: $OUT/merged/tf2conf-report.html"
exit "$regressions"
