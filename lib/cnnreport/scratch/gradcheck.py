"""Checking the hand-written backward pass against central finite differences, in float64.

For a parameter p, dL/dp ~ (L(p + h) - L(p - h)) / 2h. Every entry of every parameter is perturbed,
so checks use a small network; dropout keeps one mask for all the forward passes of a check.
The error is the largest |analytic - numeric| / max(|analytic| + |numeric|, tiny) over the entries.
"""

from __future__ import annotations

import numpy as np

from .layers import Dropout, Layer
from .loss import cross_entropy
from .mlp import MLP

STEP = 1e-5
TINY = 1e-12


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), TINY)
    return float((np.abs(analytic - numeric) / scale).max())


def as_float64(mlp: MLP) -> MLP:
    """The same network computing in float64 (checks need the precision)."""
    for layer in mlp.layers:
        for name, value in layer.params.items():
            layer.params[name] = value.astype(np.float64)
    return mlp


def loss_and_gradients(mlp: MLP, inputs: np.ndarray, labels: np.ndarray) -> tuple[float, dict]:
    """Loss and the hand-computed gradient of every parameter, dropout masks frozen."""
    for layer in mlp.layers:
        if isinstance(layer, Dropout):
            layer.frozen = True
    loss, grad = cross_entropy(mlp.forward(inputs, training=True), labels)
    mlp.backward(grad)
    return loss, {f"layers.{index}.{name}": layer.grads[name].copy()
                  for index, layer in enumerate(mlp.layers) for name in layer.params}


def numeric_gradients(mlp: MLP, inputs: np.ndarray, labels: np.ndarray) -> dict:
    gradients = {}
    for index, layer in enumerate(mlp.layers):
        for name, value in layer.params.items():
            numeric = np.zeros_like(value)
            for position in np.ndindex(value.shape):
                original = value[position]
                value[position] = original + STEP
                plus = cross_entropy(mlp.forward(inputs, training=True), labels)[0]
                value[position] = original - STEP
                minus = cross_entropy(mlp.forward(inputs, training=True), labels)[0]
                value[position] = original
                numeric[position] = (plus - minus) / (2 * STEP)
            gradients[f"layers.{index}.{name}"] = numeric
    return gradients


def layer_input_error(layer: Layer, inputs: np.ndarray, seed: int = 0) -> float:
    """Relative error of one layer's input gradient, for L = sum(forward(x) * r) with random r."""
    if isinstance(layer, Dropout):
        layer.frozen = True
    weights = np.random.default_rng(seed).normal(size=layer.forward(inputs, True).shape)
    layer.forward(inputs, True)
    analytic = layer.backward(weights)
    numeric = np.zeros_like(inputs)
    for position in np.ndindex(inputs.shape):
        original = inputs[position]
        inputs[position] = original + STEP
        plus = float((layer.forward(inputs, True) * weights).sum())
        inputs[position] = original - STEP
        minus = float((layer.forward(inputs, True) * weights).sum())
        inputs[position] = original
        numeric[position] = (plus - minus) / (2 * STEP)
    return relative_error(analytic, numeric)
