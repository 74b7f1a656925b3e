"""The build's `obtain`: runs already made are found, missing ones are trained by the executor.

A study asks for one run (`maker(spec, data)`) or for a batch of independent runs
(`obtain_each(maker, requests)`): the variants of a comparison, the seeds of an experiment. A batch
is where the processes and slurm executors train at once. A run asked for twice in one build (the
chosen variant, again for a later chapter) is made once.
"""

from __future__ import annotations

import itertools
import time
from contextlib import contextmanager
from typing import Iterator, Protocol

import torch
from tqdm import tqdm

from ..training.runs import (Run, RunRequest, RunSpec, epoch_summary, is_made, load_run, make_run,
                             runs_dir)


class RunFailedError(RuntimeError):
    """A run failed in a worker or a job; the message names the run, and the job and its log."""


class Executor(Protocol):
    """Trains the missing runs of one batch, numbered for progress lines; returns when all are
    made, or raises naming the run that failed."""

    def train(self, numbered: list[tuple[int, RunRequest]]) -> None: ...

    def close(self) -> None:
        """Release workers kept between batches (the build calls it when its runs are made)."""


class RunMaker:
    def __init__(self, executor: Executor):
        self.executor = executor
        self.made: dict[str, Run] = {}
        self.numbers = itertools.count(1)

    def __enter__(self) -> "RunMaker":
        return self

    def __exit__(self, *exc_info) -> None:
        self.executor.close()

    def __call__(self, spec: RunSpec, data) -> Run:
        return self.each([(spec, data)])[0]

    def each(self, requests: list[RunRequest]) -> list[Run]:
        """The runs of `requests`, in order; the missing ones go to the executor together."""
        missing: dict[str, tuple[int, RunRequest]] = {}
        for spec, data in requests:
            run_id = spec.run_id
            if run_id in self.made or run_id in missing:
                continue
            number = next(self.numbers)
            if is_made(runs_dir() / run_id):
                print(f"[run {number}] {spec.name} ({run_id}): already made, reused", flush=True)
                self.made[run_id] = load_run(runs_dir() / run_id, label=spec.name)
            else:
                missing[run_id] = (number, (spec, data))
        if missing:
            self.executor.train(list(missing.values()))
            for run_id, (_, (spec, _)) in missing.items():
                self.made[run_id] = load_run(runs_dir() / run_id, label=spec.name)
        return [self.made[spec.run_id] for spec, _ in requests]


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


def run_maker(params) -> RunMaker:
    """The run maker for `params.execution.runs` (executors are imported only when chosen)."""
    settings = params.execution.runs
    if settings.executor == "processes":
        from .processes import ProcessesExecutor
        return RunMaker(ProcessesExecutor(settings.workers, settings.cpu_threads))
    if settings.executor == "slurm":
        from .slurm import SlurmExecutor
        return RunMaker(SlurmExecutor(settings.slurm, settings.cpu_threads))
    return RunMaker(LocalExecutor(settings.cpu_threads))


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
