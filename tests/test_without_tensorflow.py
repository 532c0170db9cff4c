"""The plain ``pytest --tf2conf`` in an environment with Keras 3 and JAX or PyTorch but no
TensorFlow (the venvs of ``make conformance-backends``): it exits 0, every TensorFlow-level
claim is "not applicable", and the Keras suites run on that backend.

Runs the checkout's plugin and suites in ``.venv-jax`` / ``.venv-torch`` next to the
checkout (or the folder in ``$TF2CONF_BACKEND_VENVS``); skipped where such a venv does not
exist or cannot import its backend. A few minutes per backend (every suite, quick profile).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow


def _venv(backend: str) -> Path:
    folder = Path(os.environ.get("TF2CONF_BACKEND_VENVS", ROOT))
    return folder / f".venv-{backend}"


def _usable(venv: Path, backend: str) -> str | None:
    """None if the venv runs Keras on ``backend`` without TensorFlow, else why not."""
    python = venv / "bin" / "python"
    if not (venv / "bin" / "pytest").exists():
        return f"no venv at {venv}"
    probe = (
        "import importlib.util, sys, keras\n"
        "sys.exit(importlib.util.find_spec('tensorflow') is not None)\n"
    )
    env = {**os.environ, "KERAS_BACKEND": backend}
    done = subprocess.run([python, "-c", probe], env=env, capture_output=True, timeout=300)
    if done.returncode != 0:
        return f"{venv} does not import Keras on {backend} without TensorFlow"
    return None


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_plain_run_without_tensorflow_exits_0(tmp_path: Path, backend: str) -> None:
    venv = _venv(backend)
    why = _usable(venv, backend)
    if why:
        pytest.skip(why)
    report = tmp_path / "report"
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": str(ROOT),  # this checkout's plugin and suites, whatever is installed
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    done = subprocess.run(
        [str(venv / "bin" / "pytest"), "--tf2conf", "--tf2conf-profile", "quick", "-q",
         "-p", "no:cacheprovider", "--tf2conf-report", str(report)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    results = json.loads((report / "tf2conf-report.json").read_text())["results"]
    tf_level = [r for r in results if not r.get("backend")]
    keras_level = [r for r in results if r.get("backend") == backend]
    assert tf_level and keras_level
    not_applicable = [r for r in tf_level if r["outcome"] == "skipped"]
    assert len(not_applicable) == len(tf_level), {
        (r["claim"], r["outcome"]) for r in tf_level if r["outcome"] != "skipped"
    }
    assert all("not applicable" in (r.get("message") or "") for r in not_applicable)
    assert {r["claim"].split(".")[0] for r in keras_level} >= {"model", "layers", "saving"}
