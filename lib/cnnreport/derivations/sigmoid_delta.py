"""Assignment 003, question 2: the weight change of a sigmoid output unit under the total sum of
squares, and where its gradient vanishes.

For output o_1 = σ(net_1), net_1 = Σ_j w_1j x_j, and E = ½ Σ_k (t_k − o_k)²:

    ∂E/∂w_11 = ∂E/∂o_1 · ∂o_1/∂net_1 · ∂net_1/∂w_11 = −(t_1 − o_1) · o_1 (1 − o_1) · x_1

(σ'(net) = σ(net)(1 − σ(net)); o_0 does not depend on w_11), so gradient descent moves w_11 by

    Δw_11 = −η ∂E/∂w_11 = η (t_1 − o_1) o_1 (1 − o_1) x_1.

It vanishes when o_1 (1 − o_1) does (a saturated unit: |net_1| large, o_1 near 0 or 1, whatever
the error), when x_1 = 0, or when the output is already right (o_1 = t_1); σ' is at most 1/4, so
each sigmoid layer a gradient passes back through shrinks it by at least a factor of 4.
"""

from __future__ import annotations

import numpy as np


def sigmoid(values):
    return 1.0 / (1.0 + np.exp(-np.asarray(values, dtype=np.float64)))


def delta_w11(weights: np.ndarray, inputs: np.ndarray, targets: np.ndarray, rate: float) -> float:
    """Δw_11 = η (t_1 − o_1) o_1 (1 − o_1) x_1 for outputs o = σ(W x) (row 0 of W and of t is unit
    1; column 0 of W and x is input 1)."""
    outputs = sigmoid(weights @ inputs)
    return float(rate * (targets[0] - outputs[0]) * outputs[0] * (1 - outputs[0]) * inputs[0])


def autograd_delta_w11(weights: np.ndarray, inputs: np.ndarray, targets: np.ndarray,
                       rate: float) -> float:
    """−η ∂E/∂w_11 from PyTorch's autograd on E = ½ Σ (t − σ(W x))² (float64)."""
    import torch

    w = torch.tensor(weights, dtype=torch.float64, requires_grad=True)
    outputs = torch.sigmoid(w @ torch.tensor(inputs, dtype=torch.float64))
    loss = 0.5 * ((torch.tensor(targets, dtype=torch.float64) - outputs) ** 2).sum()
    loss.backward()
    return float(-rate * w.grad[0, 0])


def saturation_curve(net: np.ndarray, target: float = 1.0, x1: float = 1.0) -> dict[str, np.ndarray]:
    """Over pre-activations `net`: o, σ'(net) = o(1 − o) and |∂E/∂w_11| for a given target and x_1."""
    outputs = sigmoid(net)
    slope = outputs * (1 - outputs)
    return {"net": np.asarray(net, dtype=np.float64), "o": outputs, "slope": slope,
            "gradient": np.abs((target - outputs) * slope * x1)}


# The numeric check of the report: two sigmoid outputs over three inputs (x_1 first), targets
# <t_1, t_0>, learning rate η. Any values do; these keep both units away from saturation.
EXAMPLE_WEIGHTS = ((0.5, -0.3, 0.8), (0.2, 0.4, -0.6))  # row k: weights into output unit k
EXAMPLE_INPUTS = (1.0, 0.5, -1.5)
EXAMPLE_TARGETS = (1.0, 0.0)
EXAMPLE_RATE = 0.5
SATURATION_NETS = (0.0, 2.0, 5.0, 10.0, 20.0)  # pre-activations tabulated in 2(b)
