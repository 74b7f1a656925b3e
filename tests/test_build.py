"""The build end to end: a failing chapter stops it cleanly; the quick profile renders Q1."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnreport.demo.catalog import catalog
from cnnreport.demo.presenter import Presenter
from cnnreport.demo.settings import DemoSettings

from conftest import REPO

PROJECT_FILES = ("index.qmd", "params", "chapters",
                 *sorted(path.name for path in REPO.glob("_quarto*.yml")))


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
    """The mnist-merged study with its first chapter replaced by one that fails."""
    project = copy_project(tmp_path / "failing")
    parameters = nbformat.v4.new_code_cell('params_file = ""\noverrides = {}')
    parameters.metadata["tags"] = ["parameters"]
    notebook = nbformat.v4.new_notebook(cells=[
        parameters, nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell('raise ValueError("planted failure")')])
    nbformat.write(notebook, project / "chapters" / "mnist-merged" / "data.ipynb")
    (project / "report" / "mnist-merged").mkdir(parents=True)
    (project / "report" / "mnist-merged" / "index.html").write_text("OLD REPORT")
    return project


def test_failing_chapter_stops_build_and_keeps_old_report(tmp_path, data_root):
    project = planted_failure_project(tmp_path)
    result = run_build(project, "build", "mnist-merged", "--profile", "quick", timeout=600)
    assert result.returncode == 1
    assert "chapter data failed in cell" in result.stderr
    assert 'raise ValueError("planted failure")' in result.stderr
    assert "ValueError: planted failure" in result.stderr
    assert (project / "report" / "mnist-merged" / "index.html").read_text() == "OLD REPORT"
    notebooks = project / "artifacts" / "mnist-merged" / "quick" / "notebooks"
    assert (notebooks / "data.failed.ipynb").is_file()
    assert not (notebooks / "data.ipynb").exists()


QUESTION_HEADINGS = (
    "1 Dataset loading and preprocessing", "1(a) Loading MNIST and SVHN",
    "1(b) Seeding for reproducibility", "1(c) Train, validation and test splits",
    "1(d) Sample images and class distributions",
    "2 Building and training the CNN (MNIST)", "2(a) The CNN, built from scratch",
    "2(b) Training on MNIST: hyperparameter study", "2(c) Metrics for each epoch",
    "2(d) Training curves and final metrics", "2(e) Repeating the training on SVHN",
    "2(e)(b) Training on SVHN", "3 Model evaluation and visualization",
    "3(a) MNIST and SVHN compared", "3(b) Inference with the saved models",
    "3(b) Confusion matrices", "3(b) Probability maps", "3(b) Per-class performance",
    "4 Dimensionality reduction and clustering analysis", "4(a) UMAP of the fully connected layer",
    "4(b) Cross-dataset evaluation", "5.1 Imbalanced training on MNIST, case 1",
    "5.3(b) Test metrics for classes 1 and 2 on MNIST and SVHN",
    "5(c).2 Imbalanced training repeated on SVHN, case 2",
    "5(d) Class imbalance across the three cases",
    "5(d) How imbalance changes the model and its latent manifold",
    "6 Summary of findings and reproducibility", "6(a) Results at a glance",
    "6(b) Reproducibility appendix")
CAPTIONS = (
    "Figure 1.1: MNIST: the first 2 images of every class", "Figure 1.3: MNIST: class distribution",
    "Table 1.1: MNIST: images per class and split", "Figure 2.1: MNIST: validation accuracy per epoch",
    "Table 2.2: MNIST: validation metrics per epoch", "Figure 2(e).2: SVHN",
    "Figure 3.2: MNIST: misclassified test images", "Table 3.2: MNIST: most confused pairs",
    "Figure 4.1: MNIST: UMAP of the feature layer", "Table 4.2: In-distribution versus cross-dataset",
    "Table 5.1.1:", "Figure 5(d).1:", "Table 6.5: Every run this build used")


def without_artifacts_override() -> dict:
    return {k: v for k, v in os.environ.items() if k != "CNNREPORT_ARTIFACTS"}


@pytest.mark.slow
def test_quick_build_renders_the_whole_numbered_report(tmp_path, data_root):
    project = copy_project(tmp_path / "project")
    result = run_build(project, "build", "--profile", "quick")  # the default study: mnist-svhn
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[data] SVHN" in result.stdout and "[run 1] study-mnist-baseline" in result.stdout
    assert result.stdout.index("[run 1]") < result.stdout.index("[1/13] q1-data"), \
        "every run is made before any chapter executes"
    assert re.search(r"\[1/13\] q1-data: done in \d+\.\d s", result.stdout)
    assert re.search(r"\[13/13\] q6-summary: done in \d+\.\d s", result.stdout)
    assert "Quarto not found on PATH" in result.stdout or shutil.which("quarto")

    report = project / "report" / "mnist-svhn"
    html = (report / "index.html").read_text()
    for text in QUESTION_HEADINGS + CAPTIONS:
        assert text in html, text
    assert html.count("(60 images)") == 2, "2 images x 10 classes x 3 splits, per dataset"
    assert html.count('src="data:image/png;base64,') >= 40, "figures are embedded"
    assert not re.search(r'src="(?!data:)', html), "self-contained: no external sources"
    assert "Preview (quick profile)" in html
    assert "synthetic stand-in of 6,000 rendered house-number crops" in html
    assert "Traceback" not in html

    pdf = (report / "mnist-svhn.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 500_000

    executed = nbformat.read(project / "artifacts" / "mnist-svhn" / "book" / "q2-mnist.ipynb",
                             as_version=4)
    assert executed.cells[0].cell_type == "markdown", "Quarto reads the title from the notebook"
    assert executed.cells[0].source == "# 2 Building and training the CNN (MNIST)"
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
                if o.get("name") == "stderr"], "progress output stripped from the report source"
    study_folder = project / "artifacts" / "mnist-svhn" / "quick"
    assert "max_images: 6000" in (study_folder / "params.yaml").read_text()
    made = json.loads((study_folder / "runs.json").read_text())
    assert len([label for label in made.values() if label == "mnist-final"]) == 1
    final_run = project / "artifacts" / "runs" / next(r for r, label in made.items()
                                                      if label == "mnist-final")
    for name in ("metrics_train.txt", "metrics_val.txt", "metrics_test.txt", "config.yaml"):
        assert (final_run / name).is_file(), name
    assert "mnist-svhn" in (project / "report" / "index.html").read_text()

    # the submission zip holds every listed file and opens
    packaged = subprocess.run([sys.executable, "-m", "cnnreport.tools.package", "--profile", "quick"],
                              cwd=project, capture_output=True, text=True, timeout=300,
                              env=without_artifacts_override())
    assert packaged.returncode == 0, packaged.stderr
    archive_path = study_folder / "submission" / "mnist-svhn-quick.zip"
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        manifest = archive.read("MANIFEST.txt").decode()
    assert {"report/index.html", "report/mnist-svhn.pdf", "notebooks/q1-data.ipynb",
            "notebooks/q6-summary.ipynb"} <= names
    assert len([n for n in names if n.startswith("models/mnist_convnet-")]) == 1
    assert len([n for n in names if n.startswith("models/svhn_convnet-")]) == 1
    assert len([n for n in names if n.endswith("/metrics_test.txt")]) == len(made)
    for name in names - {"MANIFEST.txt"}:
        assert name in manifest, name

    # the demo works from the saved model
    shown = subprocess.run([sys.executable, "-m", "cnnreport.tools.demo", "mnist-svhn", "--gallery",
                            "--key", "svhn", "--n", "6", "--profile", "quick", "--no-open"],
                           cwd=project, capture_output=True,
                           text=True, timeout=300, env=without_artifacts_override())
    assert shown.returncode == 0, shown.stderr
    assert len(list((study_folder / "demo").glob("svhn_*-on-svhn.html"))) == 1

    # re-executing one chapter with an override re-renders the report, training nothing
    result = run_build(project, "chapter", "mnist-svhn", "q1", "--profile", "quick",
                       "-p", "data.max_images=3000")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[run " not in result.stdout, "Q1 reads no runs"
    html = (report / "index.html").read_text()
    assert "3,000 images loaded" in html
    # ... and says so: on the command line, under Q1's title and in the appendix (issue 15)
    assert ("warning: data.max_images=3000 (rest of the report: 6000) changes the data or splits "
            "of q1-data only") in result.stdout
    assert "nox -s build_report -- mnist-svhn --profile quick -p data.max_images=3000" in result.stdout
    book = project / "artifacts" / "mnist-svhn" / "book"
    q1 = nbformat.read(book / "q1-data.ipynb", as_version=4)
    assert q1.cells[0].source == "# 1 Dataset loading and preprocessing"
    assert q1.cells[1].source.startswith("> **Executed on its own with other parameters** (")
    assert "`data.max_images=3000` (rest of the report: 6000)" in q1.cells[1].source
    assert not nbformat.read(book / "q2-mnist.ipynb", as_version=4).cells[1].get("metadata", {}) \
        .get("cnnreport"), "chapters run with the report's settings carry no notice"
    assert html.count("Executed on its own with other parameters") == 1
    assert "Chapters executed with other parameters than the rest of the report" in html
    assert re.search(r"<li>q1-data \([0-9-]+ [0-9:]+ UTC\): <code>data.max_images=3000</code>", html)


FASHION_HEADINGS = (
    "1 Fashion-MNIST: loading, splitting and normalizing", "2 An MLP written from scratch in NumPy",
    "2(a) Flattening", "2(b) Pre-processing module", "2(c) Forward pass", "2(d) Backward pass",
    "2(e) Cross-entropy loss", "2(f) Hyperparameters: depth, width, dropout, activation",
    "3 A 5-convolution CNN backbone in PyTorch", "3(a) Pooling: max, average and global average",
    "3(b) Kernel size and filters per layer", "3(c) Weight initialization: random, Xavier, He",
    "3(d) CNN features classified by the scratch MLP",
    "4 Report: models, training, results and how to run them")


@pytest.mark.slow
def test_quick_build_of_fashion_mnist_answers_assignment_001(tmp_path, data_root):
    project = copy_project(tmp_path / "project")
    result = run_build(project, "build", "fashion-mnist", "--profile", "quick")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("[run ") == 2 * 22, "10 MLP variants + final, 9 CNN + final, features"
    html = (project / "report" / "fashion-mnist" / "index.html").read_text()
    for text in FASHION_HEADINGS:
        assert text in html, text
    assert "Ankle boot" in html and "(your name)" in html
    assert re.search(r"and \d\.\de-1\d against autograd", html), "hand gradients equal autograd's"
    finals = json.loads((project / "artifacts" / "fashion-mnist" / "quick" / "results" /
                         "finals.json").read_text())["test_accuracy"]
    assert set(finals) == {"scratch MLP on pixels", "5-convolution CNN", "scratch MLP on CNN features"}
    assert all(0.3 < accuracy <= 1 for accuracy in finals.values())
    packaged = subprocess.run([sys.executable, "-m", "cnnreport.tools.package", "fashion-mnist",
                               "--profile", "quick"], cwd=project, capture_output=True, text=True,
                              timeout=300, env=without_artifacts_override())
    assert packaged.returncode == 0, packaged.stderr
    with zipfile.ZipFile(project / "artifacts" / "fashion-mnist" / "quick" / "submission" /
                         "group.zip") as archive:
        names = set(archive.namelist())
        instructions = archive.read("README.txt").decode()
    assert {"report/fashion-mnist.pdf", "report/index.html", "notebooks/q2-mlp.ipynb"} <= names
    assert len([n for n in names if n.startswith("models/")]) == 3
    assert "nox -s build_report -- fashion-mnist --profile quick" in instructions


MERGED_HEADINGS = (
    "2.10 Data preprocessing", "2.10.1 Normalization", "2.10.3 Merged classes",
    "3 Network architecture", "3.1 The layers as the assignment prescribes them",
    "4 Experimental setup", "4.2 Batch size from the roll number",
    "5 Experiment 1: Results", "5.1 Training results", "5.2 Confusion matrix",
    "5.3 Graphical analysis", "5.4 Model parameters", "5.5 Observations",
    "6 Experiment 2: Results", "6.4 Model parameters",
    "6.6 Conclusion: what merging the classes changed", "7 Code and reproducibility")


@pytest.mark.slow
def test_quick_build_of_mnist_merged_answers_assignment_004(tmp_path, data_root, monkeypatch):
    project = copy_project(tmp_path / "project")
    result = run_build(project, "build", "mnist-merged", "--profile", "quick",
                       "-p", "execution.runs.executor=processes", "-p", "execution.runs.workers=2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("training 3 run(s), up to 2 at once") == 2, "an experiment's seeds"
    assert result.stdout.count(": made (") == 6, "2 experiments x 3 seeds"
    assert result.stdout.count("epoch 2/2, train loss") == 6
    html = (project / "report" / "mnist-merged" / "index.html").read_text()
    for text in MERGED_HEADINGS:
        assert text in html, text
    assert "Total parameters: <strong>11,070</strong>" in html
    assert "Total parameters: <strong>7,008</strong>" in html
    assert "Roll number <strong>208</strong>: 208 is divisible by 2, so the batch size is <strong>32</strong>" in html
    assert "Class 3 {2, 3, 5, 8}" in html and "Figure 5.1:" in html and "Table 6.1:" in html
    assert (project / "report" / "mnist-merged" / "mnist-merged.pdf").read_bytes().startswith(b"%PDF")
    results = project / "artifacts" / "mnist-merged" / "quick" / "results"
    merged = json.loads((results / "experiment-merged.json").read_text())
    assert merged["seeds"]["runs"] == 3 and len(merged["confusion"]) == 4
    assert sum(map(sum, merged["confusion"])) == 600, "the 20% test split of 3,000 images"
    executed = nbformat.read(project / "artifacts" / "mnist-merged" / "book" / "results-merged.ipynb",
                             as_version=4)
    assert executed.cells[0].source == "# 6 Experiment 2: Results"

    # the live demo serves the built models, with the merged-class view for the merged experiment
    monkeypatch.chdir(project)
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(project / "artifacts"))
    presenter = Presenter(catalog(["mnist-merged"]), DemoSettings(seed=0))
    assert presenter.studies["mnist-merged"].profile == "quick"
    selection = presenter.select("mnist-merged", "merged")
    assert "| Class 3 {2, 3, 5, 8} | 2, 3, 5, 8 |" in selection.merged
    shown = presenter.random_test("mnist-merged", "merged", "mnist")
    assert shown.prediction.true_name.startswith("Class ") and len(shown.prediction.bars()) == 4

