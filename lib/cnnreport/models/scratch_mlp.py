"""`scratch-mlp`: the NumPy MLP of `cnnreport.scratch`, wrapped so the rest of the tool can train,
save, load and evaluate it like any registered model.

The wrapper is not a torch module: its arithmetic is the scratch package's NumPy code. Torch
tensors appear only at its boundary (batches in, logits out, weights saved as tensors), so runs,
model files, evaluation and embeddings need no special case. Inputs are the [0, 1] images (or
float features of a frozen network) flattened and standardized with the training split's
per-input mean and standard deviation, which are part of the saved state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Literal

import numpy as np
import torch

from ..scratch.mlp import MLP, STD_FLOOR
from .registry import register_model

ScratchActivation = Literal["relu", "leaky_relu", "tanh", "gelu"]


@dataclass(frozen=True)
class ScratchMLPConfig:
    architecture: Literal["scratch-mlp"] = "scratch-mlp"
    hidden: tuple[int, ...] = (256, 128)  # units of each hidden layer
    activation: ScratchActivation = "relu"
    dropout: float = 0.2  # inverted dropout after every hidden activation

    def tag(self) -> str:
        widths = ".".join(str(units) for units in self.hidden) or "none"
        return f"scratch-mlp-h{widths}-{self.activation}-d{self.dropout:g}"

    def problems(self) -> Iterator[str]:
        for index, units in enumerate(self.hidden):
            if units <= 0:
                yield f"hidden[{index}] must be positive, got {units}"
        if not 0 <= self.dropout < 1:
            yield f"dropout must be in [0, 1), got {self.dropout}"


class ScratchMLPModel:
    """The scratch MLP behind the interface the engine and the analysis use."""

    channels_last_on_cpu = False
    device = torch.device("cpu")

    def __init__(self, config: ScratchMLPConfig, input_shape: tuple[int, ...], num_classes: int):
        self.config, self.input_shape, self.num_classes = config, tuple(input_shape), num_classes
        inputs = math.prod(input_shape)
        # initial weights follow the run's seed, which make_run has just given torch
        self.mlp = MLP(inputs, config.hidden, num_classes, config.activation, config.dropout,
                       seed=int(torch.initial_seed()) % 2 ** 32)
        self.mean = np.zeros(inputs, dtype=np.float32)
        self.std = np.ones(inputs, dtype=np.float32)

    # -- pre-processing (question 2(b)) --------------------------------------------------------

    def fit_standardization(self, inputs: np.ndarray) -> None:
        """Per-input mean and standard deviation of the training inputs (flattened, [0, 1])."""
        flat = inputs.reshape(len(inputs), -1)
        self.mean = flat.mean(axis=0).astype(np.float32)
        self.std = np.maximum(flat.std(axis=0), STD_FLOOR).astype(np.float32)

    def standardize(self, inputs: np.ndarray) -> np.ndarray:
        return ((inputs.reshape(len(inputs), -1) - self.mean) / self.std).astype(np.float32)

    # -- the interface of a registered model ---------------------------------------------------

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        logits = self.mlp.forward(self.standardize(batch.detach().cpu().numpy()))
        return torch.from_numpy(logits)

    def features(self, batch: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self.mlp.features(self.standardize(batch.detach().cpu().numpy())))

    def state_dict(self) -> dict[str, torch.Tensor]:
        state = {name: torch.from_numpy(np.array(value)) for name, value in self.mlp.state().items()}
        state.update({"standardize.mean": torch.from_numpy(self.mean.copy()),
                      "standardize.std": torch.from_numpy(self.std.copy())})
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.mlp.load_state({name: value.numpy() for name, value in state.items()
                             if name.startswith("layers.")})
        self.mean = state["standardize.mean"].numpy().astype(np.float32)
        self.std = state["standardize.std"].numpy().astype(np.float32)

    def parameter_count(self) -> int:
        return self.mlp.parameter_count()

    def to(self, *args, **kwargs) -> "ScratchMLPModel":
        return self  # NumPy arrays live on the CPU

    def eval(self) -> "ScratchMLPModel":
        return self

    def train(self, mode: bool = True) -> "ScratchMLPModel":
        return self


@register_model("scratch-mlp", ScratchMLPConfig, trainer="numpy")  # training.scratch_fit
def build_scratch_mlp(config: ScratchMLPConfig, input_shape, num_classes) -> ScratchMLPModel:
    return ScratchMLPModel(config, input_shape, num_classes)


def layer_rows(model: ScratchMLPModel) -> list[dict]:
    """Each layer of the scratch MLP with its output width and parameter count."""
    rows, width = [], int(math.prod(model.input_shape))
    rows.append({"layer": f"Flatten {'×'.join(map(str, model.input_shape))} → {width}",
                 "output width": width, "parameters": 0})
    for layer in model.mlp.layers:
        name = type(layer).__name__
        if "W" in layer.params:
            width = layer.params["W"].shape[1]
            name = f"Linear {layer.params['W'].shape[0]} → {width}"
        elif name == "Dropout":
            name = f"Dropout {layer.rate:g} (inverted)"
        rows.append({"layer": name, "output width": width,
                     "parameters": int(sum(value.size for value in layer.params.values()))})
    return rows
