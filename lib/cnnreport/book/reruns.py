"""Which parameters each executed chapter ran with, so a report never mixes them silently.

`nox -s chapter -- <study> q1 -p data.max_images=3000` re-executes one chapter with other settings
than the rest of the report's. That is useful (try a value, look at one chapter) and dangerous (a
submitted report whose Q1 shows other splits than the runs of Q2). The build records, per chapter,
the overrides and chapter parameters it executed with and when (`chapter_params.json` beside the
study's results); a full build resets the record and sets the report's own settings. Every chapter
whose settings differ from the report's gets a notice under its title when the book is published,
and the reproducibility appendix lists them; both are refreshed at every publication, so they are
right even when the appendix itself was not re-executed.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from ..common import atomic
from ..common.paths import study_dir
from ..config.typed_yaml import get_dotted

RECORD_FILE = "chapter_params.json"
DATA_KEYS = ("seed", "data")  # overrides of these (or under `data.`) change a chapter's data or splits
RERUNS_METADATA = {"cnnreport": "chapter-reruns"}  # the appendix output refreshed at publication
NOTICE_METADATA = {"cnnreport": "rerun-notice"}  # the notice cell under a chapter's title
NOT_SET = "<not set>"


def record_path(params) -> Path:
    return study_dir(params.study_name, params.profile) / RECORD_FILE


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def load_record(params) -> dict:
    path = record_path(params)
    return json.loads(path.read_text()) if path.is_file() else {"report": {}, "chapters": {}}


def record_full_build(params, overrides: dict, chapter_parameters: dict) -> None:
    """A full build's settings become the report's: no chapter differs from them."""
    atomic.write_json(record_path(params), {
        "report": {"overrides": overrides, "parameters": chapter_parameters, "built": _now()},
        "chapters": {chapter.name: {"differs": [], "executed": _now()}
                     for chapter in params.chapters}})


def report_overrides(params) -> dict:
    """The dotted overrides of the last full build (the report's own settings)."""
    return load_record(params).get("report", {}).get("overrides", {})


def rerun_differences(params, report_params, overrides: dict, chapter_parameters: dict) -> list[dict]:
    """What a chapter rerun with `overrides` and `chapter_parameters` changes against the report's
    settings (`report_params`: the profile with the last full build's overrides)."""
    report = load_record(params).get("report", {})
    differs = _differences(overrides, report.get("overrides", {}), report_params.to_dict())
    return differs + _differences(chapter_parameters, report.get("parameters", {}), {})


def record_rerun(params, names: list[str], differs: list[dict]) -> None:
    """Chapters `names` were re-executed (successfully) with settings that differ by `differs`."""
    record = load_record(params)
    for name in names:
        record["chapters"][name] = {"differs": differs, "executed": _now()}
    atomic.write_json(record_path(params), record)


def _differences(used: dict, report: dict, report_values: dict) -> list[dict]:
    """Keys whose value here is not the report's: set here, or set only for the report."""
    differs = []
    for key in sorted(set(used) | set(report)):
        value = used.get(key, get_dotted(report_values, key, NOT_SET))
        reference = report.get(key, get_dotted(report_values, key, NOT_SET))
        if value != reference:
            differs.append({"key": key, "value": value, "report": reference})
    return differs


def changes_data(differs: list[dict]) -> list[dict]:
    """The differences that change a chapter's data or splits."""
    return [item for item in differs if item["key"].split(".")[0] in DATA_KEYS]


def describe(differs: list[dict]) -> str:
    return ", ".join(f"`{item['key']}={item['value']}` (rest of the report: {item['report']})"
                     for item in differs)


def rebuild_command(params, differs: list[dict]) -> str:
    settings = " ".join(f"-p {item['key']}={item['value']}" for item in differs)
    return f"nox -s build_report -- {params.study_name} --profile {params.profile} {settings}".rstrip()


def data_warning(params, names: list[str], differs: list[dict]) -> str | None:
    """The command-line warning for a rerun whose overrides change data or splits, else None."""
    changed = changes_data(differs)
    if not changed:
        return None
    return (f"warning: {describe(changed).replace('`', '')} changes the data or splits of "
            f"{', '.join(names)} only; the other chapters keep the report's. The report will mark "
            f"{'these chapters' if len(names) > 1 else 'this chapter'}. To rebuild the whole report "
            f"consistently: {rebuild_command(params, differs)}")


# ---------------------------------------------------------------------------------------------
# What the published book shows


def notice_markdown(params, entry: dict) -> str:
    return (f"> **Executed on its own with other parameters** ({entry['executed']}): "
            f"{describe(entry['differs'])}. The numbers in this chapter do not come from the "
            f"settings of the other chapters. To make the report consistent, rebuild it whole: "
            f"`{rebuild_command(params, entry['differs'])}`.")


def appendix_markdown(params, record: dict | None = None) -> str:
    """The appendix's list of chapters executed with other parameters than the report's."""
    record = record or load_record(params)
    built = record.get("report", {}).get("built", "unknown")
    rerun = {name: entry for name, entry in record.get("chapters", {}).items() if entry["differs"]}
    if not rerun:
        return (f"Every chapter was executed with the report's parameters (full build of {built}"
                f"{_report_overrides(record)}).")
    lines = [f"- {name} ({entry['executed']}): {describe(entry['differs'])}"
             for name, entry in rerun.items()]
    return (f"**Chapters executed with other parameters than the rest of the report** (full build "
            f"of {built}{_report_overrides(record)}):\n\n" + "\n".join(lines) +
            f"\n\nRebuild the whole report to make it consistent (`nox -s build_report -- "
            f"{params.study_name} --profile {params.profile}` with the overrides you want).")


def _report_overrides(record: dict) -> str:
    overrides = {**record.get("report", {}).get("overrides", {}),
                 **record.get("report", {}).get("parameters", {})}
    if not overrides:
        return ""
    return ", with " + ", ".join(f"`{key}={value}`" for key, value in overrides.items())


def mark_notebook(path: Path, params, name: str, record: dict) -> None:
    """Refresh a published chapter: the notice under its title (added, updated or removed) and the
    appendix's list of reruns."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [cell for cell in notebook.cells
                      if cell.get("metadata", {}).get("cnnreport") != NOTICE_METADATA["cnnreport"]]
    entry = record.get("chapters", {}).get(name)
    if entry and entry["differs"]:
        cell = nbformat.v4.new_markdown_cell(notice_markdown(params, entry), metadata=NOTICE_METADATA)
        position = 1 if notebook.cells and notebook.cells[0].cell_type == "markdown" else 0
        notebook.cells.insert(position, cell)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("cnnreport") == RERUNS_METADATA["cnnreport"]:
                output["data"] = {"text/markdown": appendix_markdown(params, record)}
    nbformat.write(notebook, path)
