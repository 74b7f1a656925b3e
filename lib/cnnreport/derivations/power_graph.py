"""Assignment 003, question 1: x.grad and z.grad of a small graph with a variable exponent.

    a = x + 10 % 4 + z,   b = a ** (4 x),   c = (b + 3) * 5,   y = mean(c)

By the chain rule along the graph (n = 4 elements; `10 % 4` is the constant 2):

    dy/dc_i = 1/n,   dc_i/db_i = 5,
    db_i/da_i = 4 x_i a_i^(4 x_i - 1)            (power rule, exponent held fixed)
    db_i/dx_i |exponent = 4 a_i^(4 x_i) ln a_i   (d/du a^u = a^u ln a, with u = 4 x_i)
    da_i/dx_i = da_i/dz_i = 1

so x reaches y along two paths (through the base a and through the exponent):

    dy/dx_i = (5/n) [4 x_i a_i^(4 x_i - 1) + 4 a_i^(4 x_i) ln a_i]
    dy/dz_i = (5/n)  4 x_i a_i^(4 x_i - 1)

Everything here is NumPy; `autograd_gradients` computes the same with PyTorch to compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

X = (0.1, 0.0, 0.2, 1.0)  # the assignment's leaves
Z = (-1.0, 1.0, -1.0, 0.0)
CONSTANT = 10 % 4  # Python's modulo: 2
SCALE, SHIFT = 5.0, 3.0  # c = (b + SHIFT) * SCALE


@dataclass(frozen=True)
class GraphValues:
    """Every intermediate of the forward pass and the hand-derived local and total gradients."""

    x: np.ndarray
    z: np.ndarray
    a: np.ndarray
    exponent: np.ndarray  # 4 x
    b: np.ndarray
    c: np.ndarray
    y: float
    db_da: np.ndarray  # power rule
    db_dexponent: np.ndarray  # a^u ln a
    dy_dx: np.ndarray
    dy_dz: np.ndarray


def hand_gradients(x=X, z=Z) -> GraphValues:
    """The forward pass and dy/dx, dy/dz by the formulas in this module's docstring (float64)."""
    x, z = np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64)
    n = len(x)
    a = x + CONSTANT + z
    exponent = 4 * x
    b = a ** exponent
    c = (b + SHIFT) * SCALE
    db_da = exponent * a ** (exponent - 1)
    db_dexponent = b * np.log(a)
    dy_db = SCALE / n
    return GraphValues(x, z, a, exponent, b, c, float(c.mean()), db_da, db_dexponent,
                       dy_dx=dy_db * (db_da + 4 * db_dexponent), dy_dz=dy_db * db_da)


def autograd_gradients(x=X, z=Z, dtype=None) -> tuple[float, np.ndarray, np.ndarray]:
    """y, x.grad and z.grad from PyTorch's `y.backward()` on the same graph (float32 by default, as
    in the assignment's code)."""
    import torch

    dtype = dtype or torch.float32
    x_leaf = torch.tensor(x, dtype=dtype, requires_grad=True)
    z_leaf = torch.tensor(z, dtype=dtype, requires_grad=True)
    a = x_leaf + 10 % 4 + z_leaf
    b = a ** (4 * x_leaf)
    c = (b + 3) * 5
    y = c.mean()
    y.backward()
    return float(y.detach()), x_leaf.grad.double().numpy(), z_leaf.grad.double().numpy()


# The graph for its figure: node -> (its formula, [(input node, local derivative as text)])
GRAPH = {
    "x": ("leaf", []),
    "z": ("leaf", []),
    "2": ("10 % 4", []),
    "a": ("x + 2 + z", [("x", "1"), ("2", "1"), ("z", "1")]),
    "u": ("4x", [("x", "4")]),
    "b": ("a^u", [("a", "u·a^(u−1)"), ("u", "a^u·ln a")]),
    "c": ("5(b + 3)", [("b", "5")]),
    "y": ("mean(c)", [("c", "1/4")]),
}
