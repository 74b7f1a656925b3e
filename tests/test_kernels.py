"""Warm chapter kernels: one process serves chapter after chapter, each in a fresh namespace."""

from __future__ import annotations

import time
from concurrent.futures import CancelledError
from pathlib import Path

import nbformat
import papermill
import pytest

from cnnreport.book.execute import ensure_kernel
from cnnreport.book.kernels import ENGINE_NAME, KernelWorkers, WarmKernel

FIRST = ["import os, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt",
         "leftover = 41\nplt.figure()\nprint(os.getpid())"]
SECOND = ["import os\nimport matplotlib.pyplot as plt",
          "print(os.getpid(), 'leftover' in globals(), len(plt.get_fignums()))"]


def notebook(folder: Path, name: str, cells: list[str]) -> Path:
    path = folder / f"{name}.ipynb"
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    document.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(document, path)
    return path


def execute(source: Path, kernel: WarmKernel) -> nbformat.NotebookNode:
    target = source.with_name(f"{source.stem}.out.ipynb")
    papermill.execute_notebook(str(source), str(target), kernel_name=kernel.kernel_name,
                               progress_bar=False, engine_name=ENGINE_NAME, km=kernel.ready())
    return nbformat.read(target, as_version=4)


def printed(document: nbformat.NotebookNode, cell: int) -> str:
    return "".join(output["text"] for output in document.cells[cell].outputs).strip()


def test_second_chapter_reuses_the_process_with_an_empty_namespace(tmp_path):
    kernel = WarmKernel(ensure_kernel(), tmp_path)
    try:
        first = execute(notebook(tmp_path, "first", FIRST), kernel)
        second = execute(notebook(tmp_path, "second", SECOND), kernel)
    finally:
        kernel.close()
    pid = printed(first, 1)
    # same process, nothing left from the first chapter, no open figure, counting from 1 again
    assert printed(second, 1) == f"{pid} False 0"
    assert [cell.execution_count for cell in second.cells] == [1, 2]
    assert kernel.manager is None and kernel.sockets is None  # shut down, sockets removed


def test_a_failed_item_takes_its_kernel_and_the_next_item_gets_a_new_one(tmp_path):
    sources = {name: notebook(tmp_path, name, cells) for name, cells in
               [("first", FIRST), ("broken", ["raise ValueError('chapter failed')"]),
                ("second", SECOND)]}

    def run(name: str, kernel: WarmKernel) -> str:
        return printed(execute(sources[name], kernel), 1)

    with KernelWorkers(1, ensure_kernel(), tmp_path) as workers:
        futures = workers.run_all(run, ["first", "broken", "second"])
        first = futures[0].result()
        with pytest.raises(papermill.PapermillExecutionError, match="chapter failed"):
            futures[1].result()
        second_pid, leftover, figures = futures[2].result().split()
    assert second_pid != first and (leftover, figures) == ("False", "0")


def test_an_item_waits_for_the_items_it_reads_and_is_cancelled_when_one_fails(tmp_path):
    log = []

    def run(name: str, kernel: WarmKernel) -> str:  # the kernel is started only when asked for
        if name == "slow":
            time.sleep(1.0)
        if name == "broken":
            raise ValueError("failed")
        log.append(name)
        return name

    with KernelWorkers(2, ensure_kernel(), tmp_path) as workers:
        futures = workers.run_all(run, ["slow", "quick", "reader", "broken", "reader of broken"],
                                  after=[(), (), (0,), (), (3,)])
        assert [f.result() for f in futures[:3]] == ["slow", "quick", "reader"]
        with pytest.raises(ValueError):
            futures[3].result()
        with pytest.raises(CancelledError):
            futures[4].result()
    # "reader" was taken while "slow" still ran, and waited for it
    assert log == ["quick", "slow", "reader"]


def test_a_kernel_that_cannot_start_is_named_and_leaves_no_sockets(tmp_path):
    from cnnreport.book.kernels import KernelError

    kernel = WarmKernel("no-such-kernel", tmp_path)
    with pytest.raises(KernelError, match="could not start the chapter kernel 'no-such-kernel'"):
        kernel.ready()
    assert kernel.manager is None and kernel.sockets is None
