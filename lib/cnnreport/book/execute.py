"""Executing one chapter notebook with papermill, and shaping it for the book.

Each instance runs with this environment's kernel (not the kernelspec saved in the notebook), in
its worker's warm kernel (`kernels.WarmKernel`) with a fresh namespace. A failure stops the build
with the chapter, the failing cell's source and the error, keeping `<name>.failed.ipynb`. A
finished notebook loses its progress bars (stderr) and gets its chapter title as its first Markdown
cell, where Quarto reads a chapter's title.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import papermill

from ..common import atomic
from .chapter import TITLE_METADATA
from .kernels import ENGINE_NAME, KernelError, WarmKernel
from .plan import KERNEL_NAME, PlannedChapter


class BuildError(RuntimeError):
    """A chapter failed or the build could not start; the message says which and why."""


def ensure_kernel() -> str:
    """Register this interpreter as a kernel so notebooks run where the package is installed."""
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="cnn-report", prefix=sys.prefix)
    return KERNEL_NAME


def execute_chapter(item: PlannedChapter, target: Path, params_file: Path, kernel: WarmKernel,
                    timeout_s: int, root: Path) -> Path:
    """Execute `item` into `target` (atomically); a failure raises BuildError naming the cell."""
    target.parent.mkdir(parents=True, exist_ok=True)
    failed = target.with_suffix(".failed.ipynb")
    failed.unlink(missing_ok=True)
    # the resolved params file already holds any overrides; `overrides` is for manual papermill use
    parameters = {"params_file": str(params_file), "overrides": {}, **item.parameters}
    with atomic.atomic_path(target) as temporary:
        try:
            papermill.execute_notebook(
                str(item.source), str(temporary), parameters=parameters,
                kernel_name=kernel.kernel_name, language="python", cwd=str(root),
                execution_timeout=timeout_s, progress_bar=False, stderr_file=sys.stderr,
                log_output=False, engine_name=ENGINE_NAME, km=_ready(kernel, item))
        except papermill.PapermillExecutionError as error:
            temporary.replace(failed)
            raise BuildError(
                f"chapter {item.name} failed in cell {error.cell_index}:\n"
                f"--- cell source ---\n{error.source}\n--- error ---\n"
                f"{error.ename}: {error.evalue}\n(executed notebook: {failed})") from None
        finish_notebook(temporary)
    return target


def _ready(kernel: WarmKernel, item: PlannedChapter):
    try:
        return kernel.ready()
    except KernelError as error:
        raise BuildError(f"chapter {item.name}: {error}") from None


def finish_notebook(path: Path) -> None:
    """Drop progress output (stderr) and lift the chapter title into the first Markdown cell."""
    notebook = nbformat.read(path, as_version=4)
    title = None
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            if title is None and output.get("metadata", {}).get("cnnreport") == \
                    TITLE_METADATA["cnnreport"]:
                title = "".join(output["data"]["text/markdown"])
                continue
            kept.append(output)
        cell.outputs = kept
    if title is not None:
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(title))
    nbformat.write(notebook, path)
