"""Loading saved models and predicting with them: the one path chapters, demo and tests share.

A model file (see `training.runs.model_payload`) holds the weights, the model config that rebuilds
the architecture through the model registry, the input shape and class names, and the split
definition it was trained on. `load_model` refuses anything else with a message that says what is
wrong, and never unpickles arbitrary objects (`weights_only=True`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import torch

from ..common.torch_files import TorchFileError, read_torch_file
from ..config.typed_yaml import ConfigError, coerce
from ..data.image_set import to_model_input
from ..models import Classifier, ModelConfig, architecture_name, build_model
from ..models.registry import model_device
from ..training.engine import pick_device, predict_logits
from ..training.runs import MODEL_FORMAT


class ModelFileError(ValueError):
    """A model file is missing, not a cnn-report model, or does not match its architecture."""


@dataclass
class LoadedModel:
    model: Classifier
    info: dict  # the payload without the weights: dataset, run_id, epoch, split, accuracies

    @property
    def dataset(self) -> str:
        return self.info["dataset"]

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.info["class_names"])


def load_model(path: str | Path, expected_architecture: str | None = None,
               device: torch.device | None = None) -> LoadedModel:
    """Rebuild a saved model; refuse files whose weights do not fit the stated architecture."""
    path = Path(path)
    try:
        payload = read_torch_file(path, "model file")
    except TorchFileError as error:
        raise ModelFileError(str(error)) from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{path} is not a cnn-report model file (expected format "
                             f"{MODEL_FORMAT!r})")
    try:
        config = coerce(payload["model_config"], ModelConfig, "model_config", str(path))
    except ConfigError as error:
        raise ModelFileError(str(error)) from None
    architecture = architecture_name(config)
    if payload.get("architecture") != architecture:
        raise ModelFileError(f"{path}: stated architecture {payload.get('architecture')!r} does not "
                             f"match its model config ({architecture!r})")
    if expected_architecture and expected_architecture != architecture:
        raise ModelFileError(f"{path} holds architecture {architecture!r}, expected "
                             f"{expected_architecture!r}")
    model = build_model(config, tuple(payload["input_shape"]), len(payload["class_names"]))
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
def predict(model: Classifier, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Class probabilities [N, classes] (softmax) for uint8 images, on the model's device."""
    device = model_device(model)
    return torch.softmax(predict_logits(model, images.to(device), batch_size), dim=1)


@torch.no_grad()
def features(model: Classifier, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """Feature-layer outputs [N, width] (the output layer's input) as float32 on the CPU."""
    device = model_device(model)
    model.eval()
    channels = model.input_shape[0]
    chunks = [model.features(to_model_input(images[start:start + batch_size].to(device),
                                            channels)).float().cpu()
              for start in range(0, len(images), batch_size)]
    return torch.cat(chunks)


def params_for_model(info: dict, params):
    """`params` with the data settings that rebuild the split a model was trained on."""
    split = info["split"]
    data = dataclasses.replace(
        params.data, max_images=split["max_images"],
        stand_in_images=split.get("stand_in_images", params.data.stand_in_images),
        image_size=split["image_size"], channels=split["channels"],
        split=dataclasses.replace(params.data.split, train=split["train"], val=split["val"],
                                  test=split["test"], test_part=split.get("test_part", "pooled"),
                                  per_class=split.get("per_class", False)))
    return dataclasses.replace(params, seed=split["seed"], data=data)
