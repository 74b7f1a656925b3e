"""Several runs at once on this machine: a pool of worker processes, one per GPU when there are
GPUs (each sees only its own through CUDA_VISIBLE_DEVICES), else CPU workers with the cores divided
among them so they do not fight over threads. Workers are spawned, not forked: a forked copy of a
process that has started torch's thread pools or CUDA is not safe."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import torch

from ..training.runs import RunRequest
from .job_files import batch_jobs, train_job
from .executor import RunFailedError


class ProcessesExecutor:
    """The pool is started at the first batch with missing runs and kept for the build's later
    batches (a worker's start-up, mostly importing torch, costs seconds)."""

    def __init__(self, workers: int | None, cpu_threads: int | None = None):
        self.gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        self.workers = workers or self.gpus or os.cpu_count() or 1
        self.threads = cpu_threads or max(1, (os.cpu_count() or 1) // self.workers)
        self.pool: ProcessPoolExecutor | None = None

    def train(self, numbered: list[tuple[int, RunRequest]]) -> None:
        where = f"{self.gpus} GPU(s)" if self.gpus else f"{self.threads} CPU thread(s) each"
        print(f"[runs] training {len(numbered)} run(s), up to {self.workers} at once ({where})",
              flush=True)
        with batch_jobs(numbered) as jobs:
            try:
                pool = self.pool = self.pool or self._start_pool()
                _wait_for(pool, {pool.submit(train_job, job): job for job in jobs})
            except BaseException:
                self.close()  # the workers stop before the batch's data files are removed
                raise

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _start_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        slots = context.Queue()
        for worker in range(self.workers):
            slots.put(worker % self.gpus if self.gpus else None)
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                   initargs=(slots, self.threads))


def _wait_for(pool: ProcessPoolExecutor, futures: dict) -> None:
    """A line per finished run (workers print their epochs); the first failure names its run."""
    started = time.perf_counter()
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            job = futures[future]
            try:
                future.result()
            except BrokenProcessPool as error:
                raise RunFailedError(f"run {job.name} ({job.run_id}): its worker process died "
                                     f"({error}); rerun the build to resume it") from error
            except Exception as error:
                raise RunFailedError(f"run {job.name} ({job.run_id}) failed in a worker process: "
                                     f"{type(error).__name__}: {error}") from error
            print(f"[run {job.number}] {job.name}: made ({len(futures) - len(pending)}/"
                  f"{len(futures)} of this batch, {time.perf_counter() - started:.1f} s)",
                  flush=True)


def _start_worker(slots, threads: int) -> None:
    """Each worker takes a slot: its GPU, or none (CPU), and its share of the CPU threads."""
    gpu = slots.get()
    if gpu is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpu)
    torch.set_num_threads(threads)
