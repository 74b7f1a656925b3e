"""What an executor is, and the default one: runs trained one after another in the build's process.

The processes and slurm executors (`processes.py`, `slurm.py`) follow the same contract and raise
the same error; `maker.py` picks one from the params.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator, Protocol

import torch
from tqdm import tqdm

from ..training.runs import RunRequest, epoch_summary, make_run


class RunFailedError(RuntimeError):
    """A run failed in a worker or a job; the message names the run, and the job and its log."""


class Executor(Protocol):
    """Trains the missing runs of one batch, numbered for progress lines; returns when all are
    made, or raises naming the run that failed."""

    def train(self, numbered: list[tuple[int, RunRequest]]) -> None: ...

    def close(self) -> None:
        """Release workers kept between batches (the build calls it when its runs are made)."""


class LocalExecutor:
    """One run after another in the build's own process, a progress bar over each run's batches."""

    def __init__(self, cpu_threads: int | None = None):
        self.cpu_threads = cpu_threads

    def close(self) -> None:
        pass

    def train(self, numbered: list[tuple[int, RunRequest]]) -> None:
        with cpu_threads(self.cpu_threads):
            self._train(numbered)

    def _train(self, numbered: list[tuple[int, RunRequest]]) -> None:
        for number, (spec, data) in numbered:
            print(f"[run {number}] {spec.name} ({spec.run_id})", flush=True)
            started = time.perf_counter()

            def epoch_line(epoch, record, spec=spec):
                tqdm.write(f"  epoch {epoch}/{spec.train.epochs}: {epoch_summary(record)}")

            run = make_run(spec, data, on_epoch_end=epoch_line)
            state = (f"trained {run.trained_epochs} epoch(s) in {time.perf_counter() - started:.1f} s"
                     if run.trained_epochs else "nothing left to train (made by another build "
                     "meanwhile, or every epoch was in its checkpoint)")
            print(f"[run {number}] {spec.name}: {state}", flush=True)


@contextmanager
def cpu_threads(threads: int | None) -> Iterator[None]:
    """torch's CPU threads set to `threads` (None: left as they are) for the block."""
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
