"""A run as a job another process can train: the run's spec as plain data and its training data
in a file. Worker processes and SLURM jobs read both and call `make_run`, exactly as the build's own
process does; they share the build's `artifacts/` (a shared file system on a cluster).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..common import atomic
from ..common.paths import ARTIFACTS_ENV, artifacts_dir
from ..common.torch_files import read_torch_file
from ..data.image_set import ImageSet
from ..training.engine import TrainingData
from ..training.runs import RunRequest, epoch_summary, make_run, spec_from_config

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class RunJob:
    """What a worker needs to train one run; the data file is shared by the batch's runs."""

    number: int  # the build's run number, for its progress lines
    spec: dict  # RunSpec.config(): everything that determines the run, code fingerprint included
    data_file: str  # absolute path of the training data
    artifacts: str  # absolute path of the build's artifacts folder

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def run_id(self) -> str:
        return spec_from_config(self.spec).run_id


def jobs_root() -> Path:
    return artifacts_dir() / "jobs"


@contextmanager
def batch_jobs(numbered: list[tuple[int, RunRequest]]) -> Iterator[list[RunJob]]:
    """The jobs of one batch, their data files in a folder of their own that is removed when the
    batch is over, whether it succeeded or not."""
    folder = jobs_root() / f"batch-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    try:
        yield write_jobs(numbered, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_jobs(numbered: list[tuple[int, RunRequest]], folder: Path) -> list[RunJob]:
    """The jobs of `numbered` runs; each distinct training data (the variants of one study share
    theirs) is made once, if it is a function, and written once."""
    files: dict[int, Path] = {}
    jobs = []
    for number, (spec, data) in numbered:
        key = id(data)
        if key not in files:
            files[key] = folder / f"data-{len(files) + 1}.pt"
            write_training_data(files[key], data() if callable(data) else data)
        jobs.append(RunJob(number, spec.config(), str(files[key]),
                           str(artifacts_dir())))
    return jobs


def write_training_data(path: Path, data: TrainingData) -> None:
    """Tensors and plain values only, so workers load it with `weights_only=True`; each split is
    copied out of the larger tensor it may be a view of (torch.save would write all of it)."""
    payload = {split: _plain(getattr(data, split)) for split in SPLITS}
    payload["classes"] = list(data.classes)
    atomic.torch_save(path, payload)


def read_training_data(path: str | Path) -> TrainingData:
    payload = read_torch_file(path, "job's training data file")
    return TrainingData(*(_image_set(payload[split]) for split in SPLITS),
                        classes=tuple(payload["classes"]))


def _plain(images: ImageSet) -> dict:
    plain = {field.name: getattr(images, field.name) for field in dataclasses.fields(ImageSet)}
    plain.update(images=images.images.contiguous().clone(), labels=images.labels.contiguous().clone(),
                 classes=list(images.classes))
    return plain


def _image_set(plain: dict) -> ImageSet:
    return ImageSet(**{**plain, "classes": tuple(plain["classes"])})


def train_job(job: RunJob, log: Callable[[str], None] | None = None) -> str:
    """Train (or find, or wait for) the job's run in this process; return its run id. Progress is
    a line per epoch, named by run, since several workers write to one terminal or log."""
    os.environ[ARTIFACTS_ENV] = job.artifacts
    spec = spec_from_config(job.spec)
    log = log or (lambda line: print(line, flush=True))

    def epoch_line(epoch: int, record: dict) -> None:
        log(f"  [run {job.number}] {spec.name}: epoch {epoch}/{spec.train.epochs}, "
            f"{epoch_summary(record)}")

    make_run(spec, lambda: read_training_data(job.data_file), on_epoch_end=epoch_line,
             show_batches=False)
    return spec.run_id
