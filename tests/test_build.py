"""The build end to end: a failing chapter stops it cleanly; the quick profile renders Q1."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REPO

PROJECT_FILES = ("_quarto.yml", "index.qmd", "params", "chapters")


def run_build(project: Path, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("CNNREPORT_ARTIFACTS", None)  # the project's own artifacts/, as for a user
    return subprocess.run([sys.executable, "-m", "cnnreport", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)


def copy_project(target: Path) -> Path:
    target.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target / name)
    return target


def planted_failure_project(tmp_path: Path) -> Path:
    project = tmp_path / "failing"
    (project / "chapters").mkdir(parents=True)
    (project / "params").mkdir()
    (project / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
        "    - artifacts/notebooks/boom.ipynb\n")
    (project / "index.qmd").write_text("# Index\n")
    (project / "params" / "test.yaml").write_text(
        "profile: test\nchapters:\n  - {name: boom, notebook: boom}\n")
    parameters = nbformat.v4.new_code_cell('params_file = ""\noverrides = {}')
    parameters.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[
        parameters, nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell('raise ValueError("planted failure")')])
    nbformat.write(notebook, project / "chapters" / "boom.ipynb")
    (project / "report").mkdir()
    (project / "report" / "index.html").write_text("OLD REPORT")
    return project


def test_failing_chapter_stops_build_and_keeps_old_report(tmp_path):
    project = planted_failure_project(tmp_path)
    result = run_build(project, "build", "--profile", "test", timeout=300)
    assert result.returncode == 1
    assert "chapter boom failed in cell" in result.stderr
    assert 'raise ValueError("planted failure")' in result.stderr
    assert "ValueError: planted failure" in result.stderr
    assert (project / "report" / "index.html").read_text() == "OLD REPORT"
    assert (project / "artifacts" / "notebooks" / "boom.failed.ipynb").is_file()
    assert not (project / "artifacts" / "notebooks" / "boom.ipynb").exists()


@pytest.mark.slow
def test_quick_build_renders_numbered_report(tmp_path, data_root):
    project = copy_project(tmp_path / "project")
    result = run_build(project, "build", "--profile", "quick")
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"\[1/\d+\] q1-data: done in \d+\.\d s", result.stdout)
    assert "Quarto not found on PATH" in result.stdout or shutil.which("quarto")

    html = (project / "report" / "index.html").read_text()
    for heading in ("1 Dataset loading and preprocessing", "1(a) Loading MNIST and SVHN",
                    "1(b) Seeding for reproducibility", "1(c) Train, validation and test splits",
                    "1(d) Sample images and class distributions"):
        assert heading in html, heading
    for caption in ("Figure 1.1: MNIST: the first 2 images of every class",
                    "Figure 1.2: SVHN", "Figure 1.3: MNIST: class distribution",
                    "Figure 1.4: SVHN", "Table 1.1: MNIST: images per class and split"):
        assert caption in html, caption
    assert "(60 images)" in html and html.count("(60 images)") == 2, "2 x 10 classes x 3 splits"
    assert html.count('src="data:image/png;base64,') >= 4, "figures are embedded"
    assert not re.search(r'src="(?!data:)', html), "self-contained: no external sources"
    assert "Preview (quick profile)" in html

    pdf = (project / "report" / "cnn-report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 100_000

    executed = nbformat.read(project / "artifacts" / "notebooks" / "q1-data.ipynb", as_version=4)
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
                if o.get("name") == "stderr"], "progress output stripped from the report source"
    resolved = project / "artifacts" / "params" / "quick.yaml"
    assert "max_images: 6000" in resolved.read_text()

    # re-executing one chapter with an override re-renders the report
    result = run_build(project, "chapter", "q1", "--profile", "quick", "-p", "data.max_images=3000")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (project / "report" / "index.html").read_text()
    assert "3,000 images loaded" in html
