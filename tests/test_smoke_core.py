from tests.helpers import suite


def test_inprocess_run_reports(run_conformance):
    run = run_conformance(suite("tensor/test_smoke_tmp.py"), "--tf2conf-devices", "CPU:1")
    run.assert_all_passed()
    assert {r["target"] for r in run.report["results"]} == {
        "CPU:1-eager",
        "CPU:1-function",
        "CPU:1-xla",
    }
