"""The submission zip: rendered report, executed notebooks, metric text files and final models.

    python -m cnnreport.package [--output PATH]

Everything comes from the last build; a missing piece stops the packaging with a message saying
which and how to make it. The zip carries a MANIFEST.txt listing each file with its size and SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from . import atomic
from .build import executed_path, timings_path
from .config import DATASETS
from .inference import ModelFileError, final_model_path
from .paths import artifacts_dir, project_root
from .provenance import git_commit
from .render import PDF_NAME, REPORT_DIR, book_chapters
from .runs import METRIC_FILES, runs_dir, used_runs_dir


class PackageError(RuntimeError):
    """Something the submission needs is missing."""


def submission_files(root: Path) -> dict[str, Path]:
    """Archive name -> file, for everything the submission holds."""
    report = root / REPORT_DIR
    files = {f"report/{name}": report / name for name in ("index.html", PDF_NAME)}
    for entry in book_chapters(root):
        if entry.endswith(".ipynb"):
            files[f"notebooks/{Path(entry).name}"] = executed_path(Path(entry).stem)
    for dataset in DATASETS:
        try:
            model = final_model_path(dataset)
        except ModelFileError as error:
            raise PackageError(str(error)) from None
        files[f"models/{model.name}"] = model
    used = sorted(marker.name for marker in used_runs_dir().glob("*")) if used_runs_dir().is_dir() else []
    for run_id in used:
        for name in (*METRIC_FILES.values(), "config.yaml"):
            files[f"metrics/{run_id}/{name}"] = runs_dir() / run_id / name
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise PackageError(f"missing {len(missing)} file(s), first {missing[0]}; build the report "
                           f"first (nox -s build_report)")
    return files


def manifest(files: dict[str, Path], profile: str) -> str:
    lines = [f"cnn-report submission, profile {profile}, commit {git_commit()}, "
             f"packed {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}", "",
             "report/     rendered report (HTML, self-contained; PDF)",
             "notebooks/  executed chapter notebooks, one per question instance",
             "models/     final models: <dataset>_<architecture>_e<epochs>_<run id>_best-e<epoch>.pt",
             "metrics/    per-epoch metric text files and config of every run the report used", ""]
    for name, path in sorted(files.items()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.stat().st_size:>10}  {name}")
    return "\n".join(lines) + "\n"


def make_package(output: Path | None = None) -> Path:
    root = project_root()
    files = submission_files(root)
    timings = json.loads(timings_path().read_text()) if timings_path().is_file() else {}
    profile = timings.get("profile", "unknown")
    output = output or artifacts_dir() / "submission" / f"cnn-report-{profile}.zip"

    def write_zip(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("MANIFEST.txt", manifest(files, profile))
            for name, source in sorted(files.items()):
                archive.write(source, name)

    atomic.write_with(output, write_zip)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="zip path (default artifacts/submission/)")
    arguments = parser.parse_args(argv)
    try:
        path = make_package(arguments.output)
    except PackageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as archive:
        count = len(archive.namelist())
    print(f"Submission written to {path} ({count} files, {path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
