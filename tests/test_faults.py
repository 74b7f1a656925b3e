"""The fault campaign (lib/cnnreport/faults/): every case, one test each, must be survived with no
result lost or corrupted; `nox -s faults` runs the same cases and prints their table."""

from __future__ import annotations

import pytest

from cnnreport.faults.campaign import CaseResult, all_cases, results_table, run_case
from cnnreport.faults.kit import Outcome
from cnnreport.tools import faults as faults_tool

CASES = all_cases()
# 15 to 35 s each on 2 cores, and each a further variant of a guarantee that a case kept in CI
# already tests (a kill mid-training resumes to the same metrics: sigkill_at_a_random_training_step;
# a killed render keeps the old report: sigkill_between_report_swaps; a damaged model file is named:
# the model-file cases that need no training). `nox -s faults` and `-m heavy` run them.
HEAVY = {"full_disk_while_writing_a_model", "sigkill_while_writing_a_checkpoint",
         "sigkill_while_writing_a_metric_file", "sigkill_while_writing_the_run_result",
         "damaged_training_checkpoint", "truncated_model_file", "sigkill_while_writing_the_report"}


@pytest.fixture(scope="session")
def campaign(tmp_path_factory):
    """What the cases of one session share: decoded data, the probe run, the first render."""
    return tmp_path_factory.mktemp("faults-shared"), {}


@pytest.mark.parametrize("case", [
    pytest.param(case, id=case.name, marks=[pytest.mark.heavy] if case.name in HEAVY else [])
    for case in CASES])
def test_fault_is_survived_and_nothing_is_lost(case, campaign, tmp_path, data_root):
    shared, memo = campaign
    outcome = run_case(case, tmp_path / "case", shared, data_root, memo)
    assert outcome.survived, f"{case.doc}\n{outcome.detail}"
    assert outcome.lost == 0, f"{case.doc}\n{outcome.detail}"


def test_every_fault_class_of_the_issue_has_cases():
    classes = {case.fault_class for case in CASES}
    assert classes == {"bad parameters", "damaged or missing data", "model files",
                       "process faults", "demo uploads and exposure"}
    names = {case.name for case in CASES}
    assert {"unknown_key", "wrong_type", "value_out_of_range", "unknown_study", "unknown_chapter",
            "unknown_dataset", "unknown_model", "fractions_not_summing_to_one"} <= names
    assert all(case.doc for case in CASES), "every case says what it provokes"
    assert HEAVY < names, "the cases left out of CI exist"


def test_table_counts_cases_survivors_and_losses():
    by_name = {case.name: case for case in CASES}
    results = [CaseResult(by_name["unknown_key"], Outcome(True, 0, ""), 1.0),
               CaseResult(by_name["wrong_type"], Outcome(False, 0, ""), 1.0),
               CaseResult(by_name["truncated_model_file"], Outcome(True, 2, ""), 1.0)]
    table = results_table(results).splitlines()
    assert table[2] == "| bad parameters | 2 | 1 | 0 |"
    assert table[3] == "| model files | 1 | 1 | 2 |"
    assert table[4] == "| **all** | **3** | **2** | **2** |"


def test_campaign_command_prints_the_table_and_its_exit_code(data_root, capsys, monkeypatch):
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(data_root))
    assert faults_tool.main(["--only", "bad parameters"]) == 0
    output = capsys.readouterr().out
    assert "| bad parameters | 9 | 9 | 0 |" in output
    assert "| **all** | **9** | **9** | **0** |" in output
