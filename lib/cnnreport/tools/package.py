"""The submission zip of one study: rendered report, executed notebooks, metric text files, final
models and a README with the exact steps to run everything.

    python -m cnnreport.tools.package [STUDY] [--profile full] [--output PATH]

Everything comes from the study's last build with that profile; a missing piece stops the packaging
with a message saying which and how to make it. The zip carries a MANIFEST.txt listing each file
with its size and SHA-256, and is named after the group where the study's params name one.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from ..book.provenance import git_commit
from ..book.render import pdf_name
from ..common import atomic
from ..common.paths import notebooks_dir, report_dir, study_dir
from ..config.typed_yaml import ConfigError
from ..studies.registry import DEFAULT_STUDY, load_study_params
from ..training.runs import METRIC_FILES, final_models, made_runs


class PackageError(RuntimeError):
    """Something the submission needs is missing."""


def submission_files(params) -> dict[str, Path]:
    """Archive name -> file, for everything the submission holds."""
    study, profile = params.study_name, params.profile
    build_hint = f"build the report first (nox -s build_report -- {study} --profile {profile})"
    report = report_dir(study)
    files = {f"report/{name}": report / name for name in ("index.html", pdf_name(study))}
    if report.is_dir():  # Quarto's HTML book is a folder of pages and assets
        files.update({f"report/{path.relative_to(report).as_posix()}": path
                      for path in sorted(report.rglob("*")) if path.is_file()})
    for chapter in params.chapters:
        files[f"notebooks/{chapter.name}.ipynb"] = notebooks_dir(study, profile) / f"{chapter.name}.ipynb"
    finals = final_models(study, profile)
    if not finals:
        raise PackageError(f"no final models recorded for {study} ({profile}); {build_hint}")
    for model in finals.values():
        files[f"models/{model.name}"] = model
    for run in made_runs(study, profile):
        for name in (*METRIC_FILES.values(), "config.yaml"):
            files[f"metrics/{run.run_id}/{name}"] = run.folder / name
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise PackageError(f"missing {len(missing)} file(s), first {missing[0]}; {build_hint}")
    return files


def manifest(files: dict[str, Path], written: dict[str, bytes], params) -> str:
    """List every file in the zip but the manifest itself, with size and SHA-256."""
    contents = {name: path.read_bytes() for name, path in files.items()} | written
    lines = [f"cnn-report submission, study {params.study_name}, profile {params.profile}, commit "
             f"{git_commit()}, packed {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}", "",
             "report/     rendered report (HTML; PDF)",
             "notebooks/  executed chapter notebooks, one per question instance",
             "models/     final models: <dataset>_<architecture>_e<epochs>_<run id>_best-e<epoch>.pt",
             "metrics/    per-epoch metric text files and config of every run the report used", ""]
    for name, content in sorted(contents.items()):
        lines.append(f"{hashlib.sha256(content).hexdigest()}  {len(content):>10}  {name}")
    return "\n".join(lines) + "\n"


def readme(params) -> str:
    """How to rebuild and rerun what the zip holds, from a checkout of the project."""
    study, profile = params.study_name, params.profile
    return "\n".join([
        f"{params.book.title}", "", "How to run", "----------",
        "1. Python 3.11+, a checkout of cnn-report, and the datasets in torchvision's layout under",
        "   data/ (or set CNNREPORT_DATA_ROOT to the folder that holds them).",
        "2. pip install nox uv",
        f"3. nox -s build_report -- {study} --profile {profile}    # trains, evaluates, renders report/{study}/",
        f"4. nox -s chapter -- {study} <chapter> -p key=value       # reruns one chapter with changes",
        f"5. nox -s package -- {study} --profile {profile}          # this zip",
        "", f"All settings: params/{study}/{profile}.yaml. Chapters: chapters/{study}/.", "",
        "Contents", "--------", "report/     the report (HTML and PDF)",
        "notebooks/  the executed chapter notebooks", "models/     the final models",
        "metrics/    per-epoch metric text files and the config of every run",
        "MANIFEST.txt  every file with its size and SHA-256", ""])


def make_package(params, output: Path | None = None) -> Path:
    group = getattr(getattr(params, "group", None), "name", None)
    name = f"{group}.zip" if group else f"{params.study_name}-{params.profile}.zip"
    output = output or study_dir(params.study_name, params.profile) / "submission" / name
    return write_package(submission_files(params), params, output)


def write_package(files: dict[str, Path], params, output: Path) -> Path:
    """Zip the files with a README and a manifest of everything else in the zip."""
    written = {"README.txt": readme(params).encode()}

    def write_zip(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("MANIFEST.txt", manifest(files, written, params))
            for name, content in written.items():
                archive.writestr(name, content)
            for name, source in sorted(files.items()):
                archive.write(source, name)

    atomic.write_with(output, write_zip)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", nargs="?", help=f"study name (default {DEFAULT_STUDY})")
    parser.add_argument("--study", dest="study_option", help="the same, as an option")
    parser.add_argument("--profile", default="full")
    parser.add_argument("--output", type=Path, help="zip path (default artifacts/<study>/<profile>/"
                        "submission/)")
    arguments = parser.parse_args(argv)
    try:
        study = arguments.study or arguments.study_option or DEFAULT_STUDY
        path = make_package(load_study_params(study, arguments.profile), arguments.output)
    except (PackageError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(path) as archive:
        count = len(archive.namelist())
    print(f"Submission written to {path} ({count} files, {path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
