"""Rendering a study's book: Quarto's profile divs, the pandoc + typst fallback, and the Quarto path
(driven here through a stand-in `quarto` executable, since Quarto cannot be installed here)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import nbformat

from cnnreport.book.execute import finish_notebook
from cnnreport.book.render import render_report, resolve_profile_divs

from conftest import REPO

STUDY = "mnist-merged"


def test_profile_divs_keep_only_the_active_profile():
    text = ("# About\n\n::: {.content-visible when-profile=\"a\"}\nonly a\n:::\n\n"
            "::: {.content-hidden when-profile=\"a\"}\nnot a\n:::\nall\n")
    assert resolve_profile_divs(text, "a") == "# About\n\nonly a\n\nall\n"
    assert resolve_profile_divs(text, "b") == "# About\n\n\nnot a\nall\n"
    index = resolve_profile_divs((REPO / "index.qmd").read_text(), STUDY)
    assert "merged-classes assignment (004)" in index and "MNIST + SVHN" not in index


def test_finishing_a_notebook_lifts_the_title_into_the_first_markdown_cell(tmp_path):
    title = nbformat.v4.new_output("display_data", data={"text/markdown": "# 5 Experiment 1"},
                                   metadata={"cnnreport": "chapter-title"})
    progress = nbformat.v4.new_output("stream", name="stderr", text="50%|#####")
    body = nbformat.v4.new_output("display_data", data={"text/markdown": "Some text."})
    cell = nbformat.v4.new_code_cell("chapter.title()")
    cell.outputs = [title, progress, body]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell]), path)
    finish_notebook(path)
    finished = nbformat.read(path, as_version=4)
    assert finished.cells[0].cell_type == "markdown" and finished.cells[0].source == "# 5 Experiment 1"
    assert [o["data"]["text/markdown"] for o in finished.cells[2].outputs] == ["Some text."]


def book_project(tmp_path: Path) -> Path:
    """A checkout with the study's book files and two executed chapters."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("_quarto.yml", f"_quarto-{STUDY}.yml", "index.qmd"):
        (project / name).write_text((REPO / name).read_text())
    profile = project / f"_quarto-{STUDY}.yml"
    text = profile.read_text().split("  chapters:")[0]
    profile.write_text(text + f"  chapters:\n  - index.qmd\n  - artifacts/{STUDY}/book/one.ipynb\n")
    book = project / "artifacts" / STUDY / "book"
    book.mkdir(parents=True)
    output = nbformat.v4.new_output("display_data", data={"text/markdown": "A table: 0.9896"})
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [output]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 5 Results"),
                                                   cell]), book / "one.ipynb")
    return project


FAKE_QUARTO = """#!/usr/bin/env bash
# A stand-in for Quarto 1.9: records its call, litters its working folder like Quarto does, and
# renders HTML; its typst render fails the way a book without book.author does.
echo "$PWD $*" >> "{log}"
mkdir -p .quarto && touch index.tex
out=""
while [ $# -gt 0 ]; do case "$1" in --output-dir) out="$2"; shift;; --to) to="$2"; shift;; esac; shift; done
mkdir -p "$out"
if [ "$to" = "html" ]; then echo "<html>quarto html</html>" > "$out/index.html"; exit 0; fi
if [ "{typst}" = "ok" ]; then printf '%%PDF-1.7 quarto' > "$out/{study}.pdf"; exit 0; fi
echo "ERROR: expected content, found array" >&2; exit 1
"""


def install_fake_quarto(tmp_path: Path, monkeypatch, typst: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "quarto.log"
    script = folder / "quarto"
    script.write_text(FAKE_QUARTO.format(log=log, typst=typst, study=STUDY))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def files_in(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}


def test_quarto_html_is_kept_and_a_failing_typst_pdf_falls_back_to_pandoc(tmp_path, monkeypatch,
                                                                         capsys):
    project = book_project(tmp_path)
    log = install_fake_quarto(tmp_path, monkeypatch, typst="fails")
    monkeypatch.chdir(project)
    before = files_in(project)
    report = render_report(project, STUDY, subtitle="Profile: quick")
    assert (report / "index.html").read_text() == "<html>quarto html</html>\n"
    assert (report / f"{STUDY}.pdf").read_bytes().startswith(b"%PDF")
    assert b"quarto" not in (report / f"{STUDY}.pdf").read_bytes()[:20], "pandoc + typst PDF"
    assert "Quarto's typst PDF failed (ERROR: expected content, found array)" in capsys.readouterr().out
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and all(f"--profile {STUDY}" in call for call in calls)
    assert "--to html" in calls[0] and "--to typst" in calls[1]
    assert not calls[0].startswith(str(project)), "Quarto runs in a temporary copy"
    added = files_in(project) - before
    assert added == {f"report/{STUDY}/index.html", f"report/{STUDY}/{STUDY}.pdf"}, \
        "nothing is written outside report/"


def test_quarto_pdf_is_used_when_it_renders(tmp_path, monkeypatch):
    project = book_project(tmp_path)
    install_fake_quarto(tmp_path, monkeypatch, typst="ok")
    monkeypatch.chdir(project)
    report = render_report(project, STUDY)
    assert (report / f"{STUDY}.pdf").read_bytes() == b"%PDF-1.7 quarto"


def test_without_quarto_pandoc_renders_html_and_pdf_with_the_title_and_author(tmp_path,
                                                                             monkeypatch, capsys):
    project = book_project(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto anywhere on it
    monkeypatch.chdir(project)
    report = render_report(project, STUDY, subtitle="Profile: quick")
    html = (report / "index.html").read_text()
    assert "MNIST with merged classes" in html and "5 Results" in html and "0.9896" in html
    assert "merged-classes assignment (004)" in html and "MNIST + SVHN" not in html
    assert "Profile: quick" in html and "cnn-report" in html
    assert (report / f"{STUDY}.pdf").read_bytes().startswith(b"%PDF")
    assert "Quarto not found on PATH" in capsys.readouterr().out
