"""Chapter reruns with other settings: what differs from the report, the notice under the chapter's
title, the appendix's list, and the notice's removal when the chapter runs with the report's
settings again."""

from __future__ import annotations

import json

import nbformat

from cnnreport.book import reruns
from cnnreport.common.paths import ARTIFACTS_ENV


def test_differences_notice_appendix_and_removal(full_params, tmp_path, monkeypatch):
    monkeypatch.setenv(ARTIFACTS_ENV, str(tmp_path / "artifacts"))
    params = full_params
    reruns.record_full_build(params, {"train.epochs": 4}, {})
    assert reruns.report_overrides(params) == {"train.epochs": 4}
    differs = reruns.rerun_differences(params, params, {"data.max_images": 3000},
                                       {"samples": 5})
    assert differs == [
        {"key": "data.max_images", "value": 3000, "report": params.data.max_images},
        {"key": "train.epochs", "value": params.train.epochs, "report": 4},
        {"key": "samples", "value": 5, "report": "<not set>"}]
    warning = reruns.data_warning(params, ["q1"], differs)
    assert warning.startswith(f"warning: data.max_images=3000 (rest of the report: "
                              f"{params.data.max_images}) changes the data or splits of q1 only")
    assert reruns.data_warning(params, ["q1"], differs[1:]) is None, "no data key, no warning"
    reruns.record_rerun(params, ["q1"], differs)
    record = json.loads(reruns.record_path(params).read_text())
    assert record["chapters"]["q1"]["differs"] == differs
    assert record["chapters"]["q2-mnist"]["differs"] == []

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 1 Data"),
                                               nbformat.v4.new_code_cell("x = 1")])
    appendix = nbformat.v4.new_code_cell("show()")
    appendix.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "stale"},
                                               metadata=reruns.RERUNS_METADATA)]
    notebook.cells.append(appendix)
    path = tmp_path / "q1.ipynb"
    nbformat.write(notebook, path)
    reruns.mark_notebook(path, params, "q1", record)
    marked = nbformat.read(path, as_version=4)
    assert [cell.cell_type for cell in marked.cells] == ["markdown", "markdown", "code", "code"]
    assert "`data.max_images=3000`" in marked.cells[1].source
    listing = marked.cells[3].outputs[0]["data"]["text/markdown"]
    assert "- q1 (" in listing and "with `train.epochs=4`" in listing

    reruns.record_rerun(params, ["q1"], [])  # the report's settings again
    reruns.mark_notebook(path, params, "q1", reruns.load_record(params))
    again = nbformat.read(path, as_version=4)
    assert len(again.cells) == 3, "the notice is removed, not duplicated"
    assert again.cells[2].outputs[0]["data"]["text/markdown"].startswith(
        "Every chapter was executed with the report's parameters")
