"""``tf2conf ... | head``: a reader that stops early is not an error and prints no traceback."""

from __future__ import annotations

import subprocess
import sys

from tests.test_report_support import make_report, result, write_report


def test_closed_pipe_is_quiet(tmp_path) -> None:
    # 3000 regressions: far more text than a pipe buffer holds (64 KiB)
    claims = [f"eager.claim-{i}" for i in range(3000)]
    base = write_report(
        tmp_path, "base.json", make_report([result(c, "CPU:0-eager", "passed") for c in claims])
    )
    cand = write_report(
        tmp_path, "cand.json", make_report([result(c, "CPU:0-eager", "failed") for c in claims])
    )
    code = "import sys; from pytest_tf2conf.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "diff", base, cand, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| true`: the reader is gone before anything is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
