"""`report/index.html`: one page linking every built study's report with its profile, date and
headline numbers (read from each study's last build record; nothing is recomputed)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from ..common import atomic
from ..common.paths import report_dir, study_root
from ..studies.registry import get_study, study_names
from .render import pdf_name

STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#1f2328}"
         "table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.3em .7em;"
         "text-align:left;vertical-align:top}thead{background:#f6f8fa}")


def last_build_path(study: str) -> Path:
    """What the build records of a study's last build: profile, date, seconds, headline numbers."""
    return study_root(study) / "last-build.json"


def built_studies() -> list[dict]:
    """The last build record of every study that has a rendered report."""
    records = []
    for study in study_names():
        path = last_build_path(study)
        if path.is_file() and (report_dir(study) / "index.html").is_file():
            records.append(json.loads(path.read_text()))
    return records


def write_index() -> Path:
    rows = []
    for record in built_studies():
        study = record["study"]
        entry = get_study(study)
        numbers = "<br>".join(f"{html.escape(k)}: {html.escape(v)}"
                              for k, v in record["headline"].items()) or "&ndash;"
        rows.append(
            f"<tr><td><a href='{study}/index.html'>{html.escape(study)}</a> "
            f"(<a href='{study}/{pdf_name(study)}'>PDF</a>)</td>"
            f"<td>{html.escape(entry.assignment)}</td><td>{html.escape(entry.summary)}</td>"
            f"<td>{html.escape(record['profile'])}</td><td>{html.escape(record['finished'])}</td>"
            f"<td>{numbers}</td></tr>")
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>cnn-report: reports</title>"
            f"<style>{STYLE}</style></head><body><h1>cnn-report: reports</h1>"
            "<table><thead><tr><th>study</th><th>assignment</th><th>what it answers</th>"
            "<th>profile</th><th>built (UTC)</th><th>headline numbers</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></body></html>\n")
    return atomic.write_text(report_dir() / "index.html", page)
