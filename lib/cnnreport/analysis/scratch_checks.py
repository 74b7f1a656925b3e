"""The report's evidence that the scratch MLP's hand-written gradients are right (question 2).

On a small network in float64, for every activation with and without dropout (one frozen mask),
each layer's parameter gradients are compared with central finite differences and with PyTorch's
autograd run on the same weights and masks; the forward losses of both are compared too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..scratch.gradcheck import as_float64, loss_and_gradients, numeric_gradients, relative_error
from ..scratch.layers import ACTIVATIONS, Dropout, Linear
from ..scratch.mlp import MLP

TORCH_ACTIVATIONS = {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
                     "tanh": torch.tanh, "gelu": lambda x: F.gelu(x, approximate="tanh")}
CHECK_SHAPE = (12, (10, 8), 6)  # inputs, hidden layers, classes of the checked network
CHECK_BATCH = 9


def autograd_loss_and_gradients(mlp: MLP, inputs: np.ndarray, labels: np.ndarray,
                                activation: str) -> tuple[float, dict]:
    """The same network (weights, dropout masks) run through torch, differentiated by autograd."""
    weights = {name: torch.tensor(value, requires_grad=True) for name, value in mlp.state().items()}
    signal = torch.tensor(inputs)
    for index, layer in enumerate(mlp.layers):
        if isinstance(layer, Linear):
            signal = signal @ weights[f"layers.{index}.W"] + weights[f"layers.{index}.b"]
        elif isinstance(layer, Dropout):
            signal = signal * torch.tensor(layer.mask)
        else:
            signal = TORCH_ACTIVATIONS[activation](signal)
    loss = F.cross_entropy(signal, torch.tensor(labels))
    loss.backward()
    return float(loss.detach()), {name: tensor.grad.numpy() for name, tensor in weights.items()}


def gradient_check_table(seed: int, dropout: float) -> pd.DataFrame:
    """One row per activation and parameter: max relative error against finite differences and
    against autograd, and the two forward losses."""
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(CHECK_BATCH, CHECK_SHAPE[0]))
    labels = rng.integers(0, CHECK_SHAPE[2], CHECK_BATCH)
    rows = []
    for activation in ACTIVATIONS:
        for rate in (0.0, dropout):
            mlp = as_float64(MLP(CHECK_SHAPE[0], CHECK_SHAPE[1], CHECK_SHAPE[2], activation, rate,
                                 seed))
            loss, hand = loss_and_gradients(mlp, inputs, labels)
            numeric = numeric_gradients(mlp, inputs, labels)
            torch_loss, autograd = autograd_loss_and_gradients(mlp, inputs, labels, activation)
            for name in hand:
                rows.append({"activation": activation, "dropout": rate, "parameter": name,
                             "vs finite differences": relative_error(hand[name], numeric[name]),
                             "vs autograd": relative_error(hand[name], autograd[name]),
                             "loss (hand)": loss, "loss (torch)": torch_loss})
    return pd.DataFrame(rows)


def cross_entropy_check(scales: tuple[float, ...] = (1.0, 100.0, 1000.0), seed: int = 0) -> pd.DataFrame:
    """The hand-written cross-entropy beside torch's on the same logits, ordinary and extreme."""
    from ..scratch.loss import cross_entropy

    rng = np.random.default_rng(seed)
    rows = []
    for scale in scales:
        logits = rng.normal(size=(16, 10)) * scale
        labels = rng.integers(0, 10, 16)
        hand, grad = cross_entropy(logits, labels)
        reference = torch.tensor(logits, requires_grad=True)
        torch_loss = F.cross_entropy(reference, torch.tensor(labels))
        torch_loss.backward()
        rows.append({"logit scale": scale, "largest |logit|": float(np.abs(logits).max()),
                     "loss (hand)": hand, "loss (torch)": float(torch_loss.detach()),
                     "gradient max difference": float(np.abs(grad - reference.grad.numpy()).max())})
    return pd.DataFrame(rows)
