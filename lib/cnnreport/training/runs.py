"""Runs: a training configuration, its folder, its cached result. Made once, then found.

A run folder `artifacts/runs/<dataset>-<hash>/` is named by a hash of everything that determines the
result: model and training config, seed, dataset, split definition, training subset, scored classes
and a fingerprint of the code that decodes the data, defines the model and trains it. The readable
name a study gives a run is a label, not part of the hash, so two studies that train the same thing
share one run. `make_run`
trains a run that does not exist yet (resuming its checkpoint); `find_run` only loads, and fails
with the run's name when it was never made: the build makes every run before any chapter executes,
and chapters only find them. The folder holds `config.yaml`, the per-epoch metric files
(`metrics_train.txt`, `metrics_val.txt`, `metrics_test.txt`, `history.json`) and the models.
Paths inside artifacts are stored relative to `artifacts/`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import torch
from filelock import FileLock, Timeout

from ..common import atomic
from ..common.code_fingerprint import code_fingerprint
from ..common.paths import artifacts_dir, from_artifacts, relative_to_artifacts
from ..common.torch_files import read_torch_file
from ..config.sections import TrainConfig
from ..config.typed_yaml import coerce, section_from_mapping, to_plain
from ..models import ModelConfig, architecture_name, build_model, model_entry
from . import engine, scratch_fit
from .engine import EpochCallback, TrainingData, pick_device

TRAINERS = {"torch": engine.fit, "numpy": scratch_fit.fit}  # by a model's `trainer`
TRAINER_MODULES = {"torch": engine.__name__, "numpy": scratch_fit.__name__}  # hashed into run ids

MODEL_FORMAT = "cnnreport-model/2"
LOCK_SUFFIX = ".lock"  # beside the run folder: runs/<run id>.lock
METRIC_FILES = {"train": "metrics_train.txt", "val": "metrics_val.txt", "test": "metrics_test.txt"}


class RunNotMadeError(LookupError):
    """A chapter asked for a run the build did not make; the message names it."""


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run's result."""

    name: str  # readable label, e.g. "mnist-final" (not part of the run's identity)
    dataset: str
    model: Any  # a registered model config (models.ModelConfig)
    train: TrainConfig
    seed: int
    split: dict  # DatasetSplits.definition(): fingerprint plus what rebuilds the split
    train_indices_key: str = "all"  # identifies the training subset (cap, class counts)
    classes: tuple[int, ...] = ()  # label indices scored; () means every class
    code: str = ""  # fingerprint of the code behind the run ("": the code as it is now)

    def config(self) -> dict:
        """Everything above as plain data, with the code fingerprint filled in."""
        config = to_plain(dataclasses.asdict(self))
        entry = model_entry(self.model)
        config["code"] = self.code or code_fingerprint(entry.module, TRAINER_MODULES[entry.trainer])
        return config

    @property
    def run_id(self) -> str:
        identity = {key: value for key, value in self.config().items() if key != "name"}
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
        return f"{self.dataset}-{digest}"


@dataclass
class Run:
    spec: RunSpec
    folder: Path
    history: list[dict]
    trained_epochs: int = 0  # epochs trained by this call (0 when loaded from the cache)
    model_file: Path | None = field(default=None)

    @property
    def run_id(self) -> str:
        return self.spec.run_id

    @property
    def best_epoch(self) -> int:
        """Epoch with the highest validation accuracy (the earliest on ties)."""
        accuracies = [record["val"]["accuracy"] for record in self.history]
        return int(np.argmax(accuracies)) + 1

    @property
    def best(self) -> dict:
        return self.history[self.best_epoch - 1]

    @property
    def last(self) -> dict:
        return self.history[-1]

    def metric_files(self) -> dict[str, Path]:
        return {split: self.folder / name for split, name in METRIC_FILES.items()}

    def training_seconds(self) -> float:
        return float(sum(record["seconds"] for record in self.history))


Obtain = Callable[[RunSpec, TrainingData], Run]  # the build's run maker, or find_run


def epoch_summary(record: dict) -> str:
    """What every executor's progress line says of one finished epoch."""
    return (f"train loss {record['train']['loss']:.4f}, validation accuracy "
            f"{record['val']['accuracy']:.4f}")


RunRequest = tuple[RunSpec, "TrainingData | Callable[[], TrainingData]"]


def obtain_each(obtain: Obtain, requests: list[RunRequest]) -> list[Run]:
    """The runs of `requests`, which do not depend on each other, in order. The build's run maker
    (execution.RunMaker) trains the missing ones together, at once with the processes or slurm
    executor; `find_run` finds them one by one."""
    each = getattr(obtain, "each", None)
    if each is not None:
        return each(requests)
    return [obtain(spec, data) for spec, data in requests]


@dataclass
class MadeRuns:
    """What a study's `make_runs` made or reused: every run, and the final model of each key."""

    runs: list[Run] = field(default_factory=list)
    finals: dict[str, Run] = field(default_factory=dict)  # e.g. by dataset or experiment


def runs_dir() -> Path:
    return artifacts_dir() / "runs"


def models_dir() -> Path:
    return artifacts_dir() / "models"


def make_run(spec: RunSpec, data: TrainingData | Callable[[], TrainingData],
             on_epoch_end: EpochCallback | None = None, device: torch.device | None = None,
             show_batches: bool = True) -> Run:
    """The finished run for `spec`: loaded if it exists, else trained (resuming a checkpoint).

    `data` may be a function making the TrainingData, called only when the run must train
    (e.g. features of a frozen network, costly to compute). `show_batches`: a progress bar over
    the batches (off in worker processes, which report per epoch).
    """
    folder = runs_dir() / spec.run_id
    if is_made(folder):
        return load_run(folder, label=spec.name)
    with run_lock(folder, spec.name):
        if is_made(folder):  # made by whoever held the lock before us
            return load_run(folder, label=spec.name)
        return _train(spec, folder, data, on_epoch_end, device, show_batches)


@contextmanager
def run_lock(folder: Path, name: str) -> Iterator[None]:
    """Hold `<run folder>.lock` while training: two builds (or workers) that need the same run do
    not train it twice; the second waits, then finds it made. The operating system releases the
    lock of a process that dies, so a killed build never leaves a run locked."""
    lock = FileLock(folder.with_name(folder.name + LOCK_SUFFIX))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"run {name} ({folder.name}) is being trained by another build or worker; waiting "
              f"for it", flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _train(spec: RunSpec, folder: Path, data, on_epoch_end, device, show_batches: bool) -> Run:
    data = data() if callable(data) else data
    folder.mkdir(parents=True, exist_ok=True)
    atomic.write_yaml(folder / "config.yaml", {"run_id": spec.run_id, **spec.config()})
    device = device or pick_device()
    on_device = TrainingData(data.train.to(device), data.val.to(device), data.test.to(device),
                             data.classes)
    torch.manual_seed(spec.seed)  # initial weights depend on the spec, not on what ran before
    model = build_model(spec.model, data.train.input_shape, data.train.num_classes)
    fit = TRAINERS[model_entry(spec.model).trainer]
    history, trained_epochs = fit(model, on_device, spec.train, spec.seed, folder / "checkpoint.pt",
                                  folder / "model_best.pt", on_epoch_end,
                                  description=f"{spec.name} ({spec.run_id})" if show_batches
                                  else None)
    run = Run(spec, folder, history, trained_epochs=trained_epochs)
    _write_outputs(run, model, data)
    return run


def is_made(folder: Path) -> bool:
    """A run is made once its result is written (the last of its files, written atomically)."""
    return (folder / "result.json").is_file()


def find_run(spec: RunSpec, data=None) -> Run:
    """The finished run for `spec`; a run the build did not make is an error naming it."""
    folder = runs_dir() / spec.run_id
    if not is_made(folder):
        raise RunNotMadeError(
            f"run {spec.name} ({spec.run_id}: {spec.dataset}, {spec.model.tag()}, "
            f"{spec.train.epochs} epochs) "
            f"has not been made: chapters only read runs. Build the report (nox -s build_report "
            f"-- <study>), which makes every run the chapters need before executing them.")
    return load_run(folder, label=spec.name)


def load_run(folder: Path, label: str | None = None) -> Run:
    """A finished run from its folder; `label` replaces the name it was first made under."""
    result = json.loads((folder / "result.json").read_text())
    spec = spec_from_config(result["spec"])
    if label is not None:
        spec = dataclasses.replace(spec, name=label)
    history = json.loads((folder / "history.json").read_text())
    return Run(spec, folder, history, trained_epochs=0,
               model_file=from_artifacts(result["model_file"]))


def spec_from_config(config: dict) -> RunSpec:
    return RunSpec(name=config["name"], dataset=config["dataset"],
                   model=coerce(config["model"], ModelConfig, "model", "run config"),
                   train=section_from_mapping(TrainConfig, config["train"], "train.", "run config"),
                   seed=config["seed"], split=config["split"],
                   train_indices_key=config["train_indices_key"], classes=tuple(config["classes"]),
                   code=config["code"])


# ---------------------------------------------------------------------------------------------
# Outputs of a finished run


def model_file_name(spec: RunSpec, best_epoch: int) -> str:
    """`<dataset>_<architecture>_e<epochs>_<run id>_best-e<k>.pt`: what, how long, which run, which epoch."""
    return (f"{spec.dataset}_{architecture_name(spec.model)}_e{spec.train.epochs}_{spec.run_id}"
            f"_best-e{best_epoch}.pt")


def _write_outputs(run: Run, last_model: torch.nn.Module, data: TrainingData) -> None:
    folder = run.folder
    atomic.write_json(folder / "history.json", run.history)
    for split, path in run.metric_files().items():
        atomic.write_text(path, metrics_text(run.history, split))
    best_state = read_torch_file(folder / "model_best.pt", "best-epoch model")["model"]
    describe = dict(input_shape=list(data.train.input_shape), class_names=list(data.train.classes))
    atomic.torch_save(folder / "model_last.pt",
                      model_payload(run, last_model.state_dict(), len(run.history), **describe))
    model_file = models_dir() / model_file_name(run.spec, run.best_epoch)
    atomic.torch_save(model_file, model_payload(run, best_state, run.best_epoch, **describe))
    run.model_file = model_file
    atomic.write_json(folder / "result.json", {
        "spec": run.spec.config(), "run_id": run.run_id, "best_epoch": run.best_epoch,
        "model_file": relative_to_artifacts(model_file), "best": _summary(run.best),
        "last": _summary(run.last)})
    # only now: a kill before the result is written resumes from the last epoch, not from scratch
    (folder / "checkpoint.pt").unlink(missing_ok=True)


def model_payload(run: Run, state_dict: dict, epoch: int, input_shape: list[int],
                  class_names: list[str]) -> dict:
    """What a model file holds: weights plus what is needed to rebuild and to identify them."""
    record = run.history[epoch - 1]
    return {"format": MODEL_FORMAT, "architecture": architecture_name(run.spec.model),
            "model_config": to_plain(run.spec.model), "state_dict": state_dict,
            "input_shape": input_shape, "class_names": class_names,
            "dataset": run.spec.dataset, "split": run.spec.split, "run_id": run.run_id,
            "epoch": epoch, "epochs": run.spec.train.epochs, "classes": list(run.spec.classes),
            "val_accuracy": record["val"]["accuracy"], "test_accuracy": record["test"]["accuracy"]}


def _summary(record: dict) -> dict:
    return {"epoch": record["epoch"],
            **{f"{split}_{key}": record[split][key] for split in ("val", "test")
               for key in ("accuracy", "precision", "recall", "loss")}}


def metrics_text(history: list[dict], split: str) -> str:
    """Aligned text table, one row per epoch (the assignment's 'separate text files')."""
    return metrics_frame(history, split, per_class=True).to_string(index=False,
                                                                   float_format="%.5f") + "\n"


def metrics_frame(history: list[dict], split: str, per_class: bool = False) -> pd.DataFrame:
    rows = []
    for record in history:
        values = record[split]
        row = {"epoch": record["epoch"], "loss": values["loss"], "accuracy": values["accuracy"]}
        if split == "train":
            row.update(learning_rate=record["learning_rate"], seconds=record["seconds"])
        else:
            row.update(precision=values["precision"], recall=values["recall"], f1=values["f1"])
            if per_class:
                for label, scores in values["per_class"].items():
                    row[f"precision_{label}"] = scores["precision"]
                    row[f"recall_{label}"] = scores["recall"]
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# What a build made: the runs of a study and profile, and its final models


def made_runs_path(study: str, profile: str) -> Path:
    return artifacts_dir() / study / profile / "runs.json"


def record_made_runs(study: str, profile: str, runs: list[Run]) -> None:
    """The runs the last build of this study and profile made or reused, with the study's label
    for each (the appendix lists them)."""
    atomic.write_json(made_runs_path(study, profile), {run.run_id: run.spec.name for run in runs})


def made_runs(study: str, profile: str) -> list[Run]:
    """The recorded runs, each labelled with the name this study gave it, in label order."""
    path = made_runs_path(study, profile)
    labels = json.loads(path.read_text()) if path.is_file() else {}
    return [load_run(runs_dir() / run_id, label=name)
            for run_id, name in sorted(labels.items(), key=lambda item: (item[1], item[0]))
            if is_made(runs_dir() / run_id)]


def final_models_path(study: str, profile: str) -> Path:
    return artifacts_dir() / study / profile / "final.json"


def record_final_models(study: str, profile: str, finals: dict[str, Run]) -> None:
    """Which model file is the final model of each key (dataset, experiment): demo and package
    read it. Paths are relative to artifacts/."""
    atomic.write_json(final_models_path(study, profile),
                      {key: relative_to_artifacts(run.model_file) for key, run in finals.items()})


def final_models(study: str, profile: str) -> dict[str, Path]:
    path = final_models_path(study, profile)
    if not path.is_file():
        return {}
    return {key: from_artifacts(relative) for key, relative in json.loads(path.read_text()).items()}
