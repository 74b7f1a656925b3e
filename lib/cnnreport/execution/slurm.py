"""Every missing run of a batch as a SLURM job, through submitit.

submitit writes the sbatch script, pickles the call, submits it, and when SLURM preempts a job or
its time runs out, calls the job's `checkpoint` and requeues it: `TrainRunJob.checkpoint` (from
`submitit.helpers.Checkpointable`) resubmits the same call, and `make_run` resumes from the run's
last finished epoch. The build waits with one progress bar over the jobs, reads the runs from the
shared file system, and stops at the first failed job with the run's name, the job id and the tail
of its log. `cluster: local` runs the same jobs with submitit's local executor (subprocesses of
this machine): the same code path up to the submission, which is how it is tested here.
"""

from __future__ import annotations

import time
from collections import Counter

import submitit
import torch
from tqdm import tqdm

from ..common.paths import artifacts_dir
from ..config.sections import SlurmConfig
from ..training.runs import RunRequest
from .job_files import RunJob, batch_jobs, train_job
from .executor import RunFailedError

LOG_TAIL_LINES = 25


class TrainRunJob(submitit.helpers.Checkpointable):
    """One run as a job: the default `checkpoint` resubmits this call unchanged."""

    def __init__(self, threads: int):
        self.threads = threads

    def __call__(self, job: RunJob) -> str:
        torch.set_num_threads(self.threads)
        return train_job(job)


def slurm_logs_dir():
    """submitit's job scripts, pickles and logs, one folder per job id (kept for reading)."""
    return artifacts_dir() / "slurm"


class SlurmExecutor:
    def __init__(self, settings: SlurmConfig, cpu_threads: int | None = None):
        self.settings = settings
        self.threads = cpu_threads or settings.cpus_per_job

    def train(self, numbered: list[tuple[int, RunRequest]]) -> None:
        submitted: dict = {}
        with batch_jobs(numbered) as jobs:
            try:
                executor = self._executor()
                for job in jobs:
                    executor.update_parameters(name=f"cnnreport-{job.name}")
                    submitted[executor.submit(TrainRunJob(self.threads), job)] = job
                print(f"[runs] submitted {len(submitted)} {self.settings.cluster} job(s): "
                      + ", ".join(f"{job.name}={handle.job_id}"
                                  for handle, job in submitted.items()), flush=True)
                self._wait_for(submitted)
            except KeyboardInterrupt:
                for handle in submitted:
                    handle.cancel(check=False)
                print(f"[runs] interrupted: cancelled {len(submitted)} job(s); a new build "
                      f"resumes them from their last epoch", flush=True)
                raise

    def close(self) -> None:
        pass

    def _executor(self) -> submitit.AutoExecutor:
        settings = self.settings
        executor = submitit.AutoExecutor(folder=slurm_logs_dir() / "%j", cluster=settings.cluster,
                                         slurm_max_num_timeout=settings.max_requeues,
                                         local_max_num_timeout=settings.max_requeues)
        executor.update_parameters(
            timeout_min=settings.time_limit_min, gpus_per_node=settings.gpus_per_job,
            cpus_per_task=settings.cpus_per_job, mem_gb=settings.mem_gb, nodes=1,
            tasks_per_node=1, slurm_partition=settings.partition, slurm_account=settings.account,
            slurm_additional_parameters=dict(settings.sbatch) or None)
        return executor

    def _wait_for(self, submitted: dict) -> None:
        """Poll the jobs' states; a line per finished job, the first failure stops the build."""
        pending = dict(submitted)
        with tqdm(total=len(submitted), desc="jobs", unit="job", dynamic_ncols=True) as bar:
            while pending:
                for handle, job in list(pending.items()):
                    if not handle.done():
                        continue
                    del pending[handle]
                    error = handle.exception()
                    if error is not None:
                        for other in pending:
                            other.cancel(check=False)
                        raise RunFailedError(_failure(job, handle, error))
                    tqdm.write(f"[run {job.number}] {job.name}: job {handle.job_id} done")
                    bar.update()
                bar.set_postfix_str(", ".join(f"{state.lower()} {count}" for state, count in
                                              sorted(Counter(h.state for h in pending).items())))
                if pending:
                    time.sleep(self.settings.poll_s)


def _failure(job: RunJob, handle, error: Exception) -> str:
    """The run, the job, the exception (the last line of the job's stderr, where the traceback
    ends) and the log's last lines."""
    log = (handle.stderr() or handle.stdout() or "").strip().splitlines()
    cause = log[-1].strip() if log else str(error).strip() or type(error).__name__
    tail = "\n".join(f"    {line}" for line in log[-LOG_TAIL_LINES:])
    return (f"run {job.name} ({job.run_id}): job {handle.job_id} failed: {cause}\n"
            f"  log: {handle.paths.stderr}\n  last lines:\n{tail}")
