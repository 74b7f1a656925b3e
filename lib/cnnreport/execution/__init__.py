"""Where a build's runs are trained: in the build's own process, in a pool of worker processes
(one per GPU, or CPU cores divided among them), or as SLURM jobs through submitit.

A study asks for runs through `obtain` (one run) and `training.runs.obtain_each` (runs that do not
depend on each other); `RunMaker` finds the runs already made and hands the missing ones of each
batch to the executor chosen by `execution.runs.executor`. Every executor trains a run with
`make_run`, which holds the run's lock, checkpoints every epoch and resumes, so the results do not
depend on the executor.
"""

from .maker import RunMaker, run_maker

__all__ = ["RunMaker", "run_maker"]
