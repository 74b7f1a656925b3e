"""The build's `obtain`: runs already made are found, missing ones are trained by the executor.

A study asks for one run (`maker(spec, data)`) or for a batch of independent runs
(`obtain_each(maker, requests)`): the variants of a comparison, the seeds of an experiment. A batch
is where the processes and slurm executors train at once. A run asked for twice in one build (the
chosen variant, again for a later chapter) is made once.
"""

from __future__ import annotations

import itertools

from ..training.runs import Run, RunRequest, RunSpec, is_made, load_run, runs_dir
from .executor import Executor, LocalExecutor


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
