"""Questions 1 and 2 of assignment 003 as chapter calls: each derivation written as math, step by
step, beside the numbers it gives and PyTorch's autograd on the same graph."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import torch

from ...book import figures
from ...book.chapter import Chapter
from ...derivations import power_graph, sigmoid_delta

AGREEMENT = 1e-6  # the largest |hand - autograd| the report accepts as "equal"

Q1_DERIVATION = r"""
The graph, element by element ($i = 1,\dots,4$, $n = 4$; Python's `10 % 4` is the constant 2):

$$a_i = x_i + 2 + z_i,\qquad u_i = 4x_i,\qquad b_i = a_i^{\,u_i},\qquad c_i = 5\,(b_i + 3),\qquad
y = \frac{1}{n}\sum_{i=1}^{n} c_i .$$

Local derivatives, one per edge of the graph:

$$\frac{\partial y}{\partial c_i} = \frac{1}{n},\qquad \frac{\partial c_i}{\partial b_i} = 5,\qquad
\frac{\partial b_i}{\partial a_i} = u_i\,a_i^{\,u_i - 1}\ \text{(power rule, exponent fixed)},\qquad
\frac{\partial b_i}{\partial u_i} = a_i^{\,u_i}\ln a_i\ \text{(exponential rule, base fixed)},$$

$$\frac{\partial u_i}{\partial x_i} = 4,\qquad \frac{\partial a_i}{\partial x_i} =
\frac{\partial a_i}{\partial z_i} = 1 .$$

$z_i$ reaches $y$ along one path ($z \to a \to b \to c \to y$); $x_i$ along two, through the base
$a_i$ and through the exponent $u_i$, and the chain rule adds the paths:

$$\frac{\partial y}{\partial z_i} = \frac{1}{n}\cdot 5\cdot u_i a_i^{\,u_i-1} =
\frac{5}{n}\,4x_i\,a_i^{\,4x_i-1},$$

$$\frac{\partial y}{\partial x_i} = \frac{1}{n}\cdot 5\cdot\left(u_i a_i^{\,u_i-1}\cdot 1 +
a_i^{\,u_i}\ln a_i\cdot 4\right) = \frac{5}{n}\left(4x_i\,a_i^{\,4x_i-1} + 4\,a_i^{\,4x_i}\ln a_i\right).$$

Two elements show both paths at work. For $i = 2$ ($x_2 = 0$, $a_2 = 3$) the exponent is 0, so
$b_2 = 1$ whatever $a_2$ is: $\partial y/\partial z_2 = 0$, and only the exponent path is left,
$\partial y/\partial x_2 = \tfrac{5}{4}\cdot 4\ln 3 = 5\ln 3$. For $i = 4$ ($x_4 = 1$, $a_4 = 3$):
$\partial y/\partial z_4 = \tfrac{5}{4}\cdot 4\cdot 3^3 = 135$ and
$\partial y/\partial x_4 = 135 + \tfrac{5}{4}\cdot 4\cdot 81\ln 3 = 135 + 405\ln 3$.
"""

Q2_DERIVATION = r"""
The network of figure a: inputs $x_j$, two sigmoid output units $o_k = \sigma(\mathrm{net}_k)$ with
$\mathrm{net}_k = \sum_j w_{kj}x_j$ and $\sigma(s) = 1/(1 + e^{-s})$, targets
$\langle t_1, t_0\rangle$ and the total sum of squares

$$E = \tfrac{1}{2}\left[(t_1 - o_1)^2 + (t_0 - o_0)^2\right].$$

$w_{11}$ (input 1 into output 1) reaches $E$ only through $\mathrm{net}_1$ and $o_1$ ($o_0$ does not
depend on it), so by the chain rule

$$\frac{\partial E}{\partial w_{11}} = \frac{\partial E}{\partial o_1}\cdot
\frac{\partial o_1}{\partial \mathrm{net}_1}\cdot\frac{\partial \mathrm{net}_1}{\partial w_{11}} .$$

The three factors:

$$\frac{\partial E}{\partial o_1} = \tfrac{1}{2}\cdot 2\,(t_1 - o_1)\cdot(-1) = -(t_1 - o_1),\qquad
\frac{\partial \mathrm{net}_1}{\partial w_{11}} = x_1,$$

$$\frac{\partial o_1}{\partial \mathrm{net}_1} = \frac{e^{-\mathrm{net}_1}}{(1 + e^{-\mathrm{net}_1})^2}
= \frac{1}{1 + e^{-\mathrm{net}_1}}\cdot\frac{e^{-\mathrm{net}_1}}{1 + e^{-\mathrm{net}_1}}
= \sigma(\mathrm{net}_1)\bigl(1 - \sigma(\mathrm{net}_1)\bigr) = o_1(1 - o_1).$$

Gradient descent moves the weight against the gradient, with the learning rate $\eta$ (any constant,
such as the $\tfrac{1}{2}$ of $E$, absorbed into it):

$$\Delta w_{11} = -\eta\,\frac{\partial E}{\partial w_{11}} = \eta\,(t_1 - o_1)\,o_1(1 - o_1)\,x_1 .$$
"""

Q2_VANISHING = r"""
$\Delta w_{11}$ is a product, so it vanishes whenever one factor does:

- **Saturation**, $o_1(1 - o_1) \to 0$: a large $|\mathrm{net}_1|$ (large weights or inputs) drives
  $o_1$ to 0 or 1. The slope is at most $\tfrac{1}{4}$ (at $\mathrm{net}_1 = 0$) and falls like
  $e^{-|\mathrm{net}_1|}$, so a saturated unit barely learns **even when it is completely wrong**
  ($o_1 \approx 0$ with $t_1 = 1$): the squared error's gradient does not grow with the error the
  way cross-entropy's does.
- **A zero input**, $x_1 = 0$: the weight had no part in the output, so it gets no update.
- **No error**, $o_1 = t_1$: nothing to correct (with targets 0 or 1 this is only reached in the
  saturated limit, so a well-fitted unit and a stuck unit look alike).
- **Depth**: every sigmoid layer a gradient passes back through multiplies it by a slope of at most
  $\tfrac{1}{4}$, so in a deeper network of these units the early weights' gradients shrink at
  least geometrically with depth.
"""


def question_1(chapter: Chapter) -> None:
    """The derivation, the graph, the hand values beside autograd's, and the code that checks."""
    hand = power_graph.hand_gradients()
    y32, x32, z32 = power_graph.autograd_gradients()
    _, x64, z64 = power_graph.autograd_gradients(dtype=torch.float64)
    chapter.text("## The derivation")
    chapter.text(Q1_DERIVATION)
    chapter.figure(figures.computation_graph(power_graph.GRAPH, graph_values(hand),
                                             "Computation graph of y (values per element)"),
                   "The computation graph: a node per intermediate with its values for the four "
                   "elements, an edge per input with its local derivative (red). x reaches y "
                   "through a and through the exponent u.")
    chapter.text("## The numbers, beside PyTorch's autograd")
    chapter.table(forward_table(hand), "The forward pass per element", float_format=".6g")
    table = gradient_table(hand, x64, z64, x32, z32)
    chapter.table(table, "Hand-derived gradients (float64) beside PyTorch's `x.grad` and `z.grad` "
                  "in float64 and in float32 (the assignment's code)", float_format=".7g")
    gap = float(np.abs(np.concatenate([hand.dy_dx - x64, hand.dy_dz - z64])).max())
    gap32 = float(np.abs(np.concatenate([(hand.dy_dx - x32) / np.maximum(np.abs(hand.dy_dx), 1),
                                         (hand.dy_dz - z32) / np.maximum(np.abs(hand.dy_dz), 1)])).max())
    verdict = "equal" if gap <= AGREEMENT else "NOT equal"
    chapter.text(f"y = {hand.y:.6f} by hand and {y32:.6f} by PyTorch. The largest difference "
                 f"between a hand-derived gradient and autograd's in the same precision (float64) "
                 f"is {gap:.1e}: the two are **{verdict}** (to {AGREEMENT:g}). The assignment's "
                 f"float32 tensors agree to a relative {gap32:.1e}, float32's own rounding. The "
                 f"code that computes autograd's side:")
    chapter.text(f"```python\n{inspect.getsource(power_graph.autograd_gradients)}```")


def graph_values(hand: power_graph.GraphValues) -> dict[str, str]:
    def row(values) -> str:
        return "[" + ", ".join(f"{value:.3g}" for value in values) + "]"

    return {"x": row(hand.x), "z": row(hand.z), "2": "2", "a": row(hand.a), "u": row(hand.exponent),
            "b": row(hand.b), "c": row(hand.c), "y": f"{hand.y:.4f}"}


def forward_table(hand: power_graph.GraphValues) -> pd.DataFrame:
    return pd.DataFrame({"i": np.arange(1, len(hand.x) + 1), "x": hand.x, "z": hand.z, "a": hand.a,
                         "u = 4x": hand.exponent, "b = a^u": hand.b, "c = 5(b + 3)": hand.c,
                         "∂b/∂a = u a^(u-1)": hand.db_da, "∂b/∂u = a^u ln a": hand.db_dexponent})


def gradient_table(hand: power_graph.GraphValues, x64: np.ndarray, z64: np.ndarray,
                   x32: np.ndarray, z32: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"i": np.arange(1, len(hand.x) + 1), "∂y/∂x by hand": hand.dy_dx,
                         "x.grad (float64)": x64, "|x difference|": np.abs(hand.dy_dx - x64),
                         "x.grad (float32)": x32, "∂y/∂z by hand": hand.dy_dz,
                         "z.grad (float64)": z64, "|z difference|": np.abs(hand.dy_dz - z64),
                         "z.grad (float32)": z32})


def question_2a(chapter: Chapter) -> None:
    """The derivation, then the formula against autograd on a small network."""
    chapter.text(Q2_DERIVATION)
    weights = np.array(sigmoid_delta.EXAMPLE_WEIGHTS)
    inputs, targets = np.array(sigmoid_delta.EXAMPLE_INPUTS), np.array(sigmoid_delta.EXAMPLE_TARGETS)
    rate = sigmoid_delta.EXAMPLE_RATE
    formula = sigmoid_delta.delta_w11(weights, inputs, targets, rate)
    autograd = sigmoid_delta.autograd_delta_w11(weights, inputs, targets, rate)
    outputs = sigmoid_delta.sigmoid(weights @ inputs)
    chapter.text(f"**Numeric check.** Weights $W = {latex_matrix(weights)}$ (row $k$: the weights "
                 f"into output $k$, output 1 first), inputs $x = {latex_matrix(inputs[None])}^T$, "
                 f"targets $\\langle t_1, t_0\\rangle = \\langle {targets[0]:g}, {targets[1]:g}"
                 f"\\rangle$, $\\eta = {rate:g}$; the forward pass gives $o_1 = {outputs[0]:.6f}$, "
                 f"$o_0 = {outputs[1]:.6f}$.")
    chapter.table(pd.DataFrame([{
        "Δw₁₁ by the formula η(t₁−o₁)o₁(1−o₁)x₁": formula,
        "−η ∂E/∂w₁₁ by autograd (float64)": autograd,
        "|difference|": abs(formula - autograd)}]),
        "The derived update against PyTorch's autograd on the same network", float_format=".3e")


def latex_matrix(values: np.ndarray) -> str:
    rows = " \\\\ ".join(" & ".join(f"{value:g}" for value in row) for row in np.atleast_2d(values))
    return f"\\begin{{pmatrix}} {rows} \\end{{pmatrix}}"


def question_2b(chapter: Chapter) -> None:
    """Where the update vanishes, in words, a table over the pre-activation and a plot."""
    chapter.text(Q2_VANISHING)
    table = saturation_table()
    chapter.table(table, "The sigmoid's slope and |Δw₁₁|/η for t₁ = 1, x₁ = 1 at growing "
                  "|net₁| (negative net₁: the unit is wrong)", float_format=".3e")
    curve = sigmoid_delta.saturation_curve(np.linspace(-12, 12, 481))
    chapter.figure(figures.sigmoid_saturation(curve, "Sigmoid unit"),
                   "Left: the sigmoid and its slope o(1 − o), never above 1/4. Right: the size of "
                   "w₁₁'s gradient for t₁ = 1, x₁ = 1 (log scale). For very negative net₁ the unit "
                   "is as wrong as it can be, yet its gradient vanishes.")


def saturation_table() -> pd.DataFrame:
    nets = np.array([sign * net for net in sigmoid_delta.SATURATION_NETS for sign in (-1, 1)
                     if sign == 1 or net])
    curve = sigmoid_delta.saturation_curve(np.sort(nets))
    return pd.DataFrame({"net₁": curve["net"], "o₁": curve["o"], "o₁(1 − o₁)": curve["slope"],
                         "|Δw₁₁|/η": curve["gradient"]})
