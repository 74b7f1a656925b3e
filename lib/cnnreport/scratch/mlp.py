"""The MLP: pre-processing, a stack of hand-written layers, and its training step (question 2).

Pre-processing (2(b)) turns uint8 images into float32 vectors: scale to [0, 1], flatten (2(a)) and
standardize with the training split's per-pixel mean and standard deviation, stored with the model
so that any image is processed the same way. The forward pass (2(c)) runs the layers in order, the
backward pass (2(d)) runs them in reverse with the gradient of the hand-written cross-entropy (2(e)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layers import ACTIVATIONS, Dropout, Flatten, Layer, Linear
from .loss import cross_entropy
from .optim import OPTIMIZERS

STD_FLOOR = 1e-3  # pixels that never vary (image corners) are divided by this instead of zero


@dataclass
class Preprocessor:
    """uint8 images -> standardized float32 vectors; `fit` on the training images only."""

    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def fit(self, images: np.ndarray) -> "Preprocessor":
        flat = Flatten().forward(images.astype(np.float32) / 255.0)
        self.mean = flat.mean(axis=0)
        self.std = np.maximum(flat.std(axis=0), STD_FLOOR)
        return self

    def __call__(self, images: np.ndarray) -> np.ndarray:
        flat = Flatten().forward(images.astype(np.float32) / 255.0)
        return ((flat - self.mean) / self.std).astype(np.float32)


class MLP:
    """Linear -> activation -> dropout, repeated per hidden layer, then a linear output layer."""

    def __init__(self, inputs: int, hidden: tuple[int, ...], classes: int, activation: str,
                 dropout: float, seed: int):
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        width = inputs
        for units in hidden:
            self.layers += [Linear(width, units, self.rng), ACTIVATIONS[activation]()]
            if dropout > 0:
                self.layers.append(Dropout(dropout, self.rng))
            width = units
        self.layers.append(Linear(width, classes, self.rng))
        self.feature_width = width

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def features(self, x: np.ndarray) -> np.ndarray:
        """The input of the output layer (evaluation mode)."""
        for layer in self.layers[:-1]:
            x = layer.forward(x, training=False)
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def parameter_slots(self) -> list[tuple[dict, dict, str]]:
        """(params, grads, name) of every parameter, for the optimizers."""
        return [(layer.params, layer.grads, name) for layer in self.layers for name in layer.params]

    def state(self) -> dict[str, np.ndarray]:
        """Every parameter as `layers.<index>.<name>`."""
        return {f"layers.{index}.{name}": value for index, layer in enumerate(self.layers)
                for name, value in layer.params.items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        for index, layer in enumerate(self.layers):
            for name in layer.params:
                layer.params[name] = np.asarray(state[f"layers.{index}.{name}"], dtype=np.float32)

    def parameter_count(self) -> int:
        return int(sum(value.size for value in self.state().values()))


def make_optimizer(mlp: MLP, name: str, learning_rate: float, momentum: float, weight_decay: float):
    if name not in OPTIMIZERS:
        raise ValueError(f"the scratch MLP has no optimizer {name!r}; choose one of: "
                         f"{', '.join(OPTIMIZERS)}")
    extra = {"momentum": momentum} if name == "sgd" else {}
    return OPTIMIZERS[name](mlp.parameter_slots(), learning_rate, weight_decay=weight_decay, **extra)


def train_epoch(mlp: MLP, inputs: np.ndarray, labels: np.ndarray, optimizer, batch_size: int,
                rng: np.random.Generator, learning_rates: np.ndarray) -> tuple[float, float]:
    """One pass in a seeded random order; returns mean loss and accuracy on the training batches.

    `learning_rates` holds the rate of every step of the epoch (a schedule, or a constant).
    """
    order = rng.permutation(len(labels))
    loss_sum, correct = 0.0, 0
    for step, start in enumerate(range(0, len(order), batch_size)):
        index = order[start:start + batch_size]
        logits = mlp.forward(inputs[index], training=True)
        loss, grad = cross_entropy(logits, labels[index])
        mlp.backward(grad)
        optimizer.learning_rate = float(learning_rates[step])
        optimizer.step()
        loss_sum += loss * len(index)
        correct += int((logits.argmax(axis=1) == labels[index]).sum())
    return loss_sum / len(labels), correct / len(labels)


def predict_logits(mlp: MLP, inputs: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    return np.concatenate([mlp.forward(inputs[start:start + batch_size])
                           for start in range(0, len(inputs), batch_size)])
