#!/usr/bin/env bash
# Validate a TensorFlow upgrade with tf2conf: run the TF-level conformance suites (eager,
# graph, tape, tensor) and the documented examples (docs: a claim per documented symbol of TF,
# and of Keras where Keras 3 is installed) under several TensorFlow versions, each in its own
# virtual environment, then diff every older version against the newest one.
#
#   scripts/validate_upgrade.sh                      # TF 2.15.1, 2.20.0 -> 2.21.0
#   TF_VERSIONS="2.20.0 2.21.0" scripts/validate_upgrade.sh
#
# Writes reports/upgrade/tf<version>/ (JSON, Markdown, HTML, repro scripts) and the diffs as
# Markdown under reports/examples/ (upgrade-<old>-to-<new>.md). Downloads about 0.3-0.6 GB
# per TensorFlow version. TF 2.15 needs Python <= 3.11 (and brings Keras 2: only the
# TF-level suites are run, the Keras suites would not apply). Exit status: 1 when a diff
# shows a regression, 0 otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
TF_VERSIONS="${TF_VERSIONS:-2.15.1 2.20.0 2.21.0}"
VENVS="${VENVS:-$ROOT/.venv-upgrade}"
OUT="${OUT:-$ROOT/reports/upgrade}"
EXAMPLES="${EXAMPLES:-$ROOT/reports/examples}"
PROFILE="${PROFILE:-ci}"
SUITES="${SUITES:-eager graph tape tensor docs}"
# Extra pytest arguments, e.g. EXTRA_ARGS="--tf2conf-modes eager,function -n 2".
EXTRA_ARGS="${EXTRA_ARGS:---tf2conf-devices CPU:0}"

mkdir -p "$VENVS" "$OUT" "$EXAMPLES"

run_version() {
    local version="$1" venv="$VENVS/tf$1"
    if [ ! -x "$venv/bin/tf2conf" ]; then
        echo "== creating $venv (TensorFlow $version)"
        "$PYTHON" -m venv "$venv"
        "$venv/bin/pip" install -q --upgrade pip
        "$venv/bin/pip" install -q "tensorflow-cpu==$version"
        "$venv/bin/pip" install -q -e "$ROOT" pytest-timeout
    fi
    local suites_dir paths=() report="$OUT/tf$version"
    suites_dir="$("$venv/bin/python" -c 'import pytest_tf2conf.suites as s; print(s.__path__[0])')"
    for suite in $SUITES; do paths+=("$suites_dir/$suite"); done
    echo "== TensorFlow $version: ${SUITES} (profile $PROFILE) -> $report"
    local scratch status=0 started=$SECONDS
    scratch="$(mktemp -d)"
    # A conformance failure is data, not an error of this script: only exit codes other
    # than 0 (all passed) and 1 (some failed) stop it.
    (cd "$scratch" && "$venv/bin/pytest" --tf2conf --tf2conf-profile "$PROFILE" \
        --tf2conf-report "$report" -q -p no:cacheprovider $EXTRA_ARGS "${paths[@]}" \
        > "$OUT/tf$version.log" 2>&1) || status=$?
    rm -rf "$scratch"
    tail -n 3 "$OUT/tf$version.log"
    echo "== TensorFlow $version: $((SECONDS - started)) s"
    if [ "$status" -gt 1 ]; then
        echo "== TensorFlow $version: pytest exited $status (see $OUT/tf$version.log)" >&2
        return "$status"
    fi
}

for version in $TF_VERSIONS; do
    run_version "$version"
done

newest="${TF_VERSIONS##* }"
regressions=0
tf2conf="$VENVS/tf$newest/bin/tf2conf"
for version in $TF_VERSIONS; do
    [ "$version" = "$newest" ] && continue
    md="$EXAMPLES/upgrade-$version-to-$newest.md"
    status=0
    "$tf2conf" diff "$OUT/tf$version/tf2conf-report.json" "$OUT/tf$newest/tf2conf-report.json" \
        --format md -o "$md" || status=$?
    [ "$status" -eq 2 ] && exit 2
    [ "$status" -eq 1 ] && regressions=1
    echo "== diff $version -> $newest: $md ($(head -n 1 "$md" | sed 's/^# //'))"
done
"$tf2conf" merge "$OUT"/tf*/tf2conf-report.json -o "$OUT/merged/tf2conf-report.json" >/dev/null
cp "$OUT/merged/tf2conf-report.md" "$EXAMPLES/upgrade-merged.md"
echo "== merged report: $OUT/merged/tf2conf-report.html"
exit "$regressions"
