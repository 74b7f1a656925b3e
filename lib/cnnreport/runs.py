"""Runs: a training configuration, its folder, its cached result.

A run folder `artifacts/runs/<name>-<hash>/` is named by a hash of everything that determines the
result: model and training config, seed, dataset, split fingerprint and training subset. A finished
run with the same hash is loaded, never retrained; a change to any of those gives a new run. The
folder holds `config.yaml`, the per-epoch metric files (`metrics_train.txt`, `metrics_val.txt`,
`metrics_test.txt`, `history.json`), the checkpoint and the models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import atomic
from .config import ModelConfig, TrainConfig, section_from_mapping, to_plain
from .metrics import ALL_CLASSES
from .models import ConvNet, architecture_name
from .paths import artifacts_dir
from .train import EpochCallback, TrainingData, fit, pick_device

MODEL_FORMAT = "cnnreport-model/1"
METRIC_FILES = {"train": "metrics_train.txt", "val": "metrics_val.txt", "test": "metrics_test.txt"}


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run's result."""

    name: str  # readable prefix, e.g. "mnist-final" or "study-svhn-optimizer-sgd"
    dataset: str
    model: ModelConfig
    train: TrainConfig
    seed: int
    split: dict  # DatasetSplits.definition(): fingerprint plus what rebuilds the split
    train_indices_key: str = "all"  # identifies the training subset (cap, class counts)
    classes: tuple[int, ...] = ALL_CLASSES

    def config(self) -> dict:
        return to_plain(dataclasses.asdict(self))

    @property
    def run_id(self) -> str:
        described = json.dumps(self.config(), sort_keys=True)
        return f"{self.name}-{hashlib.sha256(described.encode()).hexdigest()[:10]}"


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


def runs_dir() -> Path:
    return artifacts_dir() / "runs"


def models_dir() -> Path:
    return artifacts_dir() / "models"


def used_runs_dir() -> Path:
    """One empty file per run the current build used (the summary lists them)."""
    return artifacts_dir() / "build" / "used-runs"


def train_or_load(spec: RunSpec, data: TrainingData, on_epoch_end: EpochCallback | None = None,
                  device: torch.device | None = None) -> Run:
    """The finished run for `spec`: loaded if it exists, else trained (resuming a checkpoint)."""
    folder = runs_dir() / spec.run_id
    used_runs_dir().mkdir(parents=True, exist_ok=True)
    (used_runs_dir() / spec.run_id).touch()
    result_file = folder / "result.json"
    if result_file.is_file():
        return load_run(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atomic.write_yaml(folder / "config.yaml", {"run_id": spec.run_id, **spec.config()})
    device = device or pick_device()
    on_device = TrainingData(data.train.to(device), data.val.to(device), data.test.to(device),
                             data.classes)
    torch.manual_seed(spec.seed)  # initial weights depend on the spec, not on what ran before
    model = ConvNet(spec.model)
    history, trained_epochs = fit(model, on_device, spec.train, spec.seed, folder / "checkpoint.pt",
                                  folder / "model_best.pt", on_epoch_end, description=spec.run_id)
    run = Run(spec, folder, history, trained_epochs=trained_epochs)
    _write_outputs(run, model)
    return run


def load_run(folder: Path) -> Run:
    result = json.loads((folder / "result.json").read_text())
    spec = _spec_from_config(result["spec"])
    history = json.loads((folder / "history.json").read_text())
    return Run(spec, folder, history, trained_epochs=0, model_file=Path(result["model_file"]))


def _spec_from_config(config: dict) -> RunSpec:
    return RunSpec(name=config["name"], dataset=config["dataset"],
                   model=section_from_mapping(ModelConfig, config["model"], "model.", "run config"),
                   train=section_from_mapping(TrainConfig, config["train"], "train.", "run config"),
                   seed=config["seed"], split=config["split"],
                   train_indices_key=config["train_indices_key"], classes=tuple(config["classes"]))


# ---------------------------------------------------------------------------------------------
# Outputs of a finished run


def model_file_name(spec: RunSpec, best_epoch: int) -> str:
    """`<dataset>_<architecture>_e<epochs>_<run id>_best-e<k>.pt`: what, how long, which run, which epoch."""
    return (f"{spec.dataset}_{architecture_name(spec.model)}_e{spec.train.epochs}_{spec.run_id}"
            f"_best-e{best_epoch}.pt")


def _write_outputs(run: Run, last_model: torch.nn.Module) -> None:
    folder = run.folder
    atomic.write_json(folder / "history.json", run.history)
    for split, path in run.metric_files().items():
        atomic.write_text(path, metrics_text(run.history, split))
    best_state = torch.load(folder / "model_best.pt", weights_only=True)["model"]
    payload = model_payload(run, best_state, run.best_epoch)
    atomic.torch_save(folder / "model_last.pt",
                      model_payload(run, last_model.state_dict(), len(run.history)))
    model_file = models_dir() / model_file_name(run.spec, run.best_epoch)
    atomic.torch_save(model_file, payload)
    run.model_file = model_file
    (folder / "checkpoint.pt").unlink(missing_ok=True)  # the run is complete; models remain
    atomic.write_json(folder / "result.json", {
        "spec": run.spec.config(), "run_id": run.run_id, "best_epoch": run.best_epoch,
        "model_file": str(model_file), "best": _summary(run.best), "last": _summary(run.last)})


def model_payload(run: Run, state_dict: dict, epoch: int) -> dict:
    """What a model file holds: weights plus what is needed to rebuild and to identify them."""
    record = run.history[epoch - 1]
    return {"format": MODEL_FORMAT, "architecture": architecture_name(run.spec.model),
            "model_config": to_plain(run.spec.model), "state_dict": state_dict,
            "dataset": run.spec.dataset, "split": run.spec.split, "run_id": run.run_id,
            "epoch": epoch,
            "epochs": run.spec.train.epochs, "classes": list(run.spec.classes),
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
