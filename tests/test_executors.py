"""Run executors: worker processes and SLURM jobs (submitit's local executor: real subprocesses,
the same code path as SLURM up to the submission) make the same runs as the build's own process;
a preempted job is requeued and resumes; a failed job names its run, job and log; two builds that
need one run train it once."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from cnnreport.common.paths import ARTIFACTS_ENV
from cnnreport.config.sections import SlurmConfig, TrainConfig
from cnnreport.data.splits import load_splits
from cnnreport.execution.executor import LocalExecutor, RunFailedError
from cnnreport.execution.maker import RunMaker
from cnnreport.execution.processes import ProcessesExecutor
from cnnreport.execution.slurm import SlurmExecutor
from cnnreport.studies.variants import training_data
from cnnreport.training.engine import TrainingData
from cnnreport.training.runs import RunSpec, obtain_each

from conftest import REPO, TINY_MODEL

LOCAL_SLURM = SlurmConfig(cluster="local", gpus_per_job=0, cpus_per_job=1, poll_s=0.5,
                          time_limit_min=10)


def tiny_request(params, seed: int = 42, epochs: int = 2, images: int = 600):
    splits = load_splits(params, "mnist")
    data, key = training_data(splits, images, params.seed)
    spec = RunSpec(f"executor-test-seed{seed}", "mnist", TINY_MODEL,
                   TrainConfig(epochs=epochs, batch_size=32, learning_rate=0.01), seed,
                   splits.definition(params), key)
    return spec, data


def comparable(run) -> tuple:
    """Everything a run measured, without the seconds it took."""
    history = [{key: value for key, value in record.items() if key != "seconds"}
               for record in run.history]
    return run.run_id, history, run.metric_files()["test"].read_text()


def local_runs(requests, folder: Path, monkeypatch) -> list:
    monkeypatch.setenv(ARTIFACTS_ENV, str(folder))
    with RunMaker(LocalExecutor(cpu_threads=1)) as maker:
        return obtain_each(maker, requests)


def test_processes_executor_trains_a_batch_at_once_with_the_metrics_of_local(
        quick_params, tmp_path, monkeypatch, capfd):
    requests = [tiny_request(quick_params, seed) for seed in (42, 43, 44)]
    expected = [comparable(run) for run in local_runs(requests, tmp_path / "local", monkeypatch)]
    monkeypatch.setenv(ARTIFACTS_ENV, str(tmp_path / "processes"))
    with RunMaker(ProcessesExecutor(workers=2, cpu_threads=1)) as maker:
        runs = obtain_each(maker, requests + requests[:1])  # a run asked for twice is made once
    output = capfd.readouterr().out
    assert [comparable(run) for run in runs[:3]] == expected
    assert runs[3] is runs[0]
    assert "training 3 run(s), up to 2 at once (1 CPU thread(s) each)" in output
    assert output.count(": made (") == 3 and "epoch 2/2" in output
    assert not list((tmp_path / "processes" / "jobs").iterdir()), "batch data files are removed"


def test_slurm_job_preempted_mid_run_is_requeued_and_resumes_to_the_same_metrics(
        quick_params, tmp_path, monkeypatch):
    request = tiny_request(quick_params, epochs=4, images=1500)
    expected = comparable(local_runs([request], tmp_path / "local", monkeypatch)[0])
    artifacts = tmp_path / "slurm"
    monkeypatch.setenv(ARTIFACTS_ENV, str(artifacts))
    checkpoint = artifacts / "runs" / request[0].run_id / "checkpoint.pt"
    preempted = []
    watcher = threading.Thread(target=preempt_after_first_epoch,
                               args=(artifacts / "slurm", checkpoint, preempted), daemon=True)
    watcher.start()
    with RunMaker(SlurmExecutor(LOCAL_SLURM, cpu_threads=1)) as maker:
        run = maker(*request)
    watcher.join(timeout=5)
    assert preempted, "the job was signalled while it trained"
    assert comparable(run) == expected
    log = "".join(path.read_text() for path in (artifacts / "slurm").rglob("*_log.*"))
    assert "Requeued job" in log, log[-2000:]
    assert log.count("epoch 1/4") == 1 and log.count("epoch 4/4") == 1, "resumed, not restarted"


def preempt_after_first_epoch(jobs: Path, checkpoint: Path, preempted: list) -> None:
    """What SLURM does to a preempted job, sent to submitit's local task once an epoch is saved:
    the signal submitit's job environment answers by checkpointing and requeueing."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not checkpoint.is_file():
        time.sleep(0.05)
    for controller in (folder.name for folder in jobs.iterdir() if folder.name.isdigit()):
        tasks = subprocess.run(["pgrep", "-P", controller], capture_output=True, text=True).stdout
        for task in tasks.split():
            os.kill(int(task), signal.SIGUSR2)
            preempted.append(task)


def test_a_failed_job_names_its_run_its_job_and_the_tail_of_its_log(quick_params, tmp_path,
                                                                     monkeypatch):
    spec, data = tiny_request(quick_params)
    crop = {name: dataclasses.replace(part, images=part.images[:, :, :2, :2])
            for name, part in (("train", data.train), ("val", data.val), ("test", data.test))}
    monkeypatch.setenv(ARTIFACTS_ENV, str(tmp_path))
    with pytest.raises(RunFailedError) as failure:
        with RunMaker(SlurmExecutor(LOCAL_SLURM)) as maker:
            maker(dataclasses.replace(spec, name="too-small-images"), TrainingData(**crop))
    message = str(failure.value)
    assert message.startswith(f"run too-small-images ({spec.run_id}): job ")
    job_id = message.split(": job ")[1].split()[0]
    assert (tmp_path / "slurm" / job_id).is_dir()
    assert f"log: {tmp_path / 'slurm' / job_id}" in message
    cause = "RuntimeError: Given input size: (16x1x1). Calculated output size: (16x0x0)"
    assert cause in message.splitlines()[0], "the job's exception, on the first line"
    assert "last lines:" in message and cause in message.splitlines()[-1], "and at the log's end"


CONCURRENT_MAKER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from conftest import TINY_MODEL
    from cnnreport.studies.registry import load_study_params
    from test_executors import tiny_request
    from cnnreport.training.runs import make_run
    params = load_study_params("mnist-svhn", "quick", root=__import__("pathlib").Path(sys.argv[2]))
    run = make_run(*tiny_request(params, epochs=3, images=3000))
    print("TRAINED", run.trained_epochs, run.best["val"]["accuracy"], flush=True)
""")


@pytest.mark.heavy  # in CI: the fault campaign's two_builds_at_once_on_one_run (tests/test_faults.py)
def test_two_builds_needing_one_run_train_it_once(quick_params, tmp_path, session_artifacts):
    """Two processes ask for the same run at once: one trains it, the other waits and reads it."""
    artifacts = tmp_path / "shared"
    artifacts.mkdir()
    if (session_artifacts / "cache").is_dir():  # the decoded MNIST of this session
        (artifacts / "cache").symlink_to(session_artifacts / "cache", target_is_directory=True)
    env = {**os.environ, ARTIFACTS_ENV: str(artifacts)}
    script = tmp_path / "maker.py"
    script.write_text(CONCURRENT_MAKER)
    makers = [subprocess.Popen([sys.executable, str(script), str(REPO / "tests"), str(REPO)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for _ in range(2)]
    outputs = [maker.communicate(timeout=300)[0] for maker in makers]
    assert all(maker.returncode == 0 for maker in makers), outputs
    trained = sorted(int(line.split()[1]) for output in outputs for line in output.splitlines()
                     if line.startswith("TRAINED"))
    accuracies = {line.split()[2] for output in outputs for line in output.splitlines()
                  if line.startswith("TRAINED")}
    assert trained == [0, 3], outputs
    assert len(accuracies) == 1
    assert sum("is being trained by another build or worker; waiting" in output
               for output in outputs) == 1, outputs
    assert json.loads((artifacts / "runs" / (next(artifacts.glob("runs/*/result.json")).parent.name)
                       / "result.json").read_text())["best_epoch"] >= 1
