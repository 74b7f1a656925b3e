"""Benchmark: the fixed cost of a chapter, in a fresh kernel each time against one warm kernel.

The timed chapter does what every chapter of the study does before its own work: it imports every
module the study's chapters import (collected from their code cells) and loads the resolved
params. It is executed `--chapters` times with papermill, first each time in a new kernel (the
build before warm kernels), then all in one warm kernel (`book/kernels.py`, as each chapter worker
of the build now does). Seconds per chapter are printed and written to
`artifacts/bench/chapter_kernels.json`.

    nox -s bench -- --chapter-kernels [--study mnist-svhn] [--profile quick] [--chapters 6]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from ..book.build import write_resolved_params
from ..book.execute import ensure_kernel
from ..book.kernels import ENGINE_NAME, WarmKernel
from ..book.plan import chapters_dir
from ..common import atomic
from ..common.paths import artifacts_dir, project_root
from ..studies.registry import DEFAULT_STUDY, load_study_params


def study_imports(study: str) -> list[str]:
    """Every import statement in the study's chapter notebooks, once each, in first-seen order."""
    statements: dict[str, None] = {}
    for path in sorted(chapters_dir(project_root(), study).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    statements.setdefault(ast.unparse(node))
    return list(statements)


def fixed_cost_notebook(folder: Path, study: str, params_file: Path) -> Path:
    """A chapter that only imports what the study's chapters import and loads its params."""
    imports = study_imports(study)
    setup = "\n".join([*imports, "from cnnreport.book.chapter import load_chapter_params",
                       f"params = load_chapter_params({str(params_file)!r}, {{}})"])
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup)])
    path = folder / "fixed_cost.ipynb"
    nbformat.write(document, path)
    return path


def time_chapters(source: Path, chapters: int, kernel_name: str, warm: bool) -> list[float]:
    """Seconds per execution of `source`: in one warm kernel, or in a new kernel each time (the
    kernel papermill starts and stops itself)."""
    seconds = []
    kernel = WarmKernel(kernel_name, project_root())  # started only if `warm`
    try:
        for number in range(chapters):
            started = time.perf_counter()
            in_kernel = {"engine_name": ENGINE_NAME, "km": kernel.ready()} if warm else {}
            papermill.execute_notebook(str(source), str(source.with_name(f"out-{number}.ipynb")),
                                       kernel_name=kernel_name, progress_bar=False,
                                       cwd=str(project_root()), **in_kernel)
            seconds.append(time.perf_counter() - started)
    finally:
        kernel.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter-kernels", action="store_true",
                        help="(how `nox -s bench` picks this)")
    parser.add_argument("--study", default=DEFAULT_STUDY)
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--chapters", type=int, default=6, help="executions per kind of kernel")
    arguments = parser.parse_args(argv)

    params_file = write_resolved_params(load_study_params(arguments.study, arguments.profile), {})
    kernel_name = ensure_kernel()
    with tempfile.TemporaryDirectory(prefix="bench-kernels-") as folder:
        source = fixed_cost_notebook(Path(folder), arguments.study, params_file)
        fresh = time_chapters(source, arguments.chapters, kernel_name, warm=False)
        warm = time_chapters(source, arguments.chapters, kernel_name, warm=True)
    result = {
        "study": arguments.study, "chapters": arguments.chapters,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "fresh_kernel_s": [round(value, 2) for value in fresh],
        "warm_kernel_s": [round(value, 2) for value in warm],
        "fresh_median_s": round(statistics.median(fresh), 2),
        "warm_first_s": round(warm[0], 2),
        "warm_later_median_s": round(statistics.median(warm[1:] or warm), 2),
    }
    atomic.write_json(artifacts_dir() / "bench" / "chapter_kernels.json", result)
    print(f"fixed cost of a {arguments.study} chapter ({arguments.chapters} executions each, "
          f"one at a time): new kernel each time, median {result['fresh_median_s']} s; one warm "
          f"kernel, first {result['warm_first_s']} s, then median "
          f"{result['warm_later_median_s']} s")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
