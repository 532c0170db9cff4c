"""``tf2conf run``: shards in fresh processes, a memory ceiling that ends a process between
two tests, resumed after the ceiling and after a crash, merged into one complete report.

``--max-rss 100`` is below what any TensorFlow process holds, so every process stops after
its first test: the chain of resumed processes is exercised on a four-test suite.
"""

from __future__ import annotations

import json

import pytest

from pytest_tf2conf import cli, recycle, runner
from tests.test_crash_journal import HEADER, ONE_TARGET, _crash_suite, run_cli


def test_rss_is_read_from_proc() -> None:
    rss = recycle.rss_mb()
    assert rss is None or 10 < rss < 100_000


def test_ceiling_and_crash_are_resumed_into_one_complete_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = _crash_suite(pytester, "segfault")  # test b kills its first process
    monkeypatch.chdir(pytester.path)
    code, out, _ = run_cli(
        ["run", "--jobs", "2", "--max-rss", "100", "--report", "out", "--",
         *ONE_TARGET, "-p", "no:cacheprovider", str(suite)]
    )  # fmt: skip
    assert code == 0, out
    report = json.loads((pytester.path / "out" / "tf2conf-report.json").read_text())
    assert report["complete"]
    outcomes = {r["test"].split("::")[-1]: r["outcome"] for r in report["results"]}
    assert outcomes == {
        f"{name}[CPU:0-eager]": "passed"
        for name in ("test_a_first", "test_b_crash", "test_c_later", "test_d_later")
    }
    processes = [line for line in out.splitlines() if ", process " in line]
    assert len(processes) >= 4, out  # one test per process, plus the crashed one
    assert any("incomplete: resuming" in line for line in processes), out


def test_a_test_hung_outside_python_is_killed_and_resumed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test b blocks SIGALRM (so pytest-timeout's signal cannot reach it, as in a stuck XLA
    compilation) and sleeps the first time it runs: the runner kills the silent process
    and the next one runs b again. Each process also starts slower than --hang-seconds (a
    conftest sleeps before the journal is written, like TensorFlow's import on a loaded
    machine): start-up is no hang."""
    pytester.makeconftest("import time\n\ndef pytest_configure(config):\n    time.sleep(4)\n")
    marker = pytester.path / "hung-once"
    suite = pytester.makepyfile(
        test_hang=HEADER
        + f"""
import signal, time

@OK
def test_a_first(target):
    assert True

@OK
def test_b_hangs_once(target):
    if not os.path.exists({str(marker)!r}):
        open({str(marker)!r}, "w").close()
        signal.pthread_sigmask(signal.SIG_BLOCK, {{signal.SIGALRM}})
        time.sleep(600)

@OK
def test_c_later(target):
    assert True
"""
    )
    monkeypatch.chdir(pytester.path)
    monkeypatch.setattr(runner, "_POLL_SECONDS", 0.2)
    code, out, _ = run_cli(
        ["run", "--jobs", "1", "--hang-seconds", "3", "--report", "out", "--",
         *ONE_TARGET, "-p", "no:cacheprovider", str(suite)]
    )  # fmt: skip
    assert out.count("no test ended for") == 1, out  # the hang, not a slow start
    assert code == 0, out
    report = json.loads((pytester.path / "out" / "tf2conf-report.json").read_text())
    assert report["complete"]
    outcomes = {r["test"].split("::")[-1]: r["outcome"] for r in report["results"]}
    assert set(outcomes.values()) == {"passed"} and len(outcomes) == 3, outcomes


def test_options_it_sets_itself_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--", "--tf2conf-shard", "1/2"]) == 2
    assert "set by tf2conf run itself" in capsys.readouterr().err
    assert cli.main(["run", "--max-rss", "12"]) == 2
    assert "at least 64" in capsys.readouterr().err
    assert cli.main(["run", "--hang-seconds", "0"]) == 2
    assert "--hang-seconds" in capsys.readouterr().err


def test_max_rss_refuses_xdist_and_bad_values(pytester: pytest.Pytester) -> None:
    for args, says in (
        (("-n", "2", "--tf2conf-max-rss", "2000"), "needs one process per run"),
        (("--tf2conf-max-rss", "lots"), "expected megabytes"),
    ):
        result = pytester.runpytest("--tf2conf", *args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert says in result.stderr.str()


def test_auto_ceiling_shares_half_the_available_memory_among_the_shards() -> None:
    assert recycle.auto_ceiling(2, available=20_000) == 5_000
    assert recycle.auto_ceiling(1, available=20_000) == recycle.AUTO_CAP_MB  # within the cap
    assert recycle.auto_ceiling(8, available=8_000) == recycle.AUTO_FLOOR_MB  # the floor
    assert recycle.AUTO_FLOOR_MB <= recycle.auto_ceiling(2) <= recycle.AUTO_CAP_MB  # /proc


def test_max_rss_words_other_than_auto_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--max-rss", "lots"]) == 2
    assert "--max-rss: expected a whole number" in capsys.readouterr().err
