"""Loading saved models and predicting with them: the one path chapters, demo and tests share.

A model file (see `runs.model_payload`) holds the weights, the model config that rebuilds the
architecture, and the split definition it was trained on. `load_model` refuses anything else with a
message that says what is wrong, and never unpickles arbitrary objects (`weights_only=True`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import torch

from . import atomic
from .config import ModelConfig, Params, load_params, section_from_mapping
from .models import ConvNet, architecture_name
from .paths import artifacts_dir
from .runs import MODEL_FORMAT, Run
from .train import pick_device, predict_logits

FINAL_MODELS_INDEX = "final.json"


class ModelFileError(ValueError):
    """A model file is missing, not a cnn-report model, or does not match its architecture."""


@dataclass
class LoadedModel:
    model: ConvNet
    info: dict  # the payload without the weights: dataset, run_id, epoch, split, accuracies

    @property
    def dataset(self) -> str:
        return self.info["dataset"]


def load_model(path: str | Path, expected_architecture: str | None = None,
               device: torch.device | None = None) -> LoadedModel:
    """Rebuild a saved model; refuse files whose weights do not fit the stated architecture."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist")
    try:
        payload = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as error:
        raise ModelFileError(f"{path} is not a loadable model file: {error}") from error
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{path} is not a cnn-report model file (expected format "
                             f"{MODEL_FORMAT!r})")
    config = section_from_mapping(ModelConfig, payload["model_config"], "model_config.", str(path))
    architecture = architecture_name(config)
    if payload.get("architecture") != architecture:
        raise ModelFileError(f"{path}: stated architecture {payload.get('architecture')!r} does not "
                             f"match its model config ({architecture!r})")
    if expected_architecture and expected_architecture != architecture:
        raise ModelFileError(f"{path} holds architecture {architecture!r}, expected "
                             f"{expected_architecture!r}")
    model = ConvNet(config)
    problems = _state_mismatches(model.state_dict(), payload["state_dict"])
    if problems:
        raise ModelFileError(f"{path}: weights do not match architecture {architecture!r}: "
                             f"{', '.join(problems[:5])}")
    model.load_state_dict(payload["state_dict"])
    model.to(device or pick_device()).eval()
    info = {key: value for key, value in payload.items() if key != "state_dict"}
    return LoadedModel(model, info)


def _state_mismatches(expected: dict, saved: dict) -> list[str]:
    problems = [f"missing {key}" for key in expected if key not in saved]
    problems += [f"unexpected {key}" for key in saved if key not in expected]
    problems += [f"{key} has shape {tuple(saved[key].shape)}, expected {tuple(value.shape)}"
                 for key, value in expected.items()
                 if key in saved and tuple(saved[key].shape) != tuple(value.shape)]
    return problems


@torch.no_grad()
def predict(model: ConvNet, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Class probabilities [N, 10] (softmax) for uint8 images [N, C, 32, 32], on the model's device."""
    device = next(model.parameters()).device
    return torch.softmax(predict_logits(model, images.to(device), batch_size), dim=1)


@torch.no_grad()
def features(model: ConvNet, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Fully connected feature-layer outputs [N, feature_dim] as float32 on the CPU."""
    from .data import to_model_input

    device = next(model.parameters()).device
    model.eval()
    chunks = [model.features(to_model_input(images[start:start + batch_size].to(device))).float().cpu()
              for start in range(0, len(images), batch_size)]
    return torch.cat(chunks)


# ---------------------------------------------------------------------------------------------
# Final models by dataset


def register_final_model(run: Run) -> None:
    """Record `run`'s model as the current final model of its dataset (demo and chapters read it)."""
    index_path = artifacts_dir() / "models" / FINAL_MODELS_INDEX
    index = _read_index(index_path)
    index[run.spec.dataset] = str(run.model_file)
    atomic.write_json(index_path, index)


def final_model_path(dataset: str) -> Path:
    index_path = artifacts_dir() / "models" / FINAL_MODELS_INDEX
    index = _read_index(index_path)
    if dataset not in index:
        raise ModelFileError(f"no final {dataset} model recorded in {index_path}; build the report "
                             f"first (nox -s build_report) or pass --model PATH")
    return Path(index[dataset])


def _read_index(path: Path) -> dict:
    import json

    return json.loads(path.read_text()) if path.is_file() else {}


def params_for_model(info: dict, base_profile: Path) -> Params:
    """Params that rebuild the split a model was trained on, from the data root alone."""
    split = info["split"]
    params = load_params(base_profile)
    data = dataclasses.replace(
        params.data, max_images=split["max_images"],
        synthetic_svhn_images=split["synthetic_svhn_images"],
        split=dataclasses.replace(params.data.split, train=split["train"], val=split["val"],
                                  test=split["test"]))
    return dataclasses.replace(params, seed=split["seed"], data=data)
