"""Assignment 003's theory questions: hand-derived gradients against PyTorch's autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnreport.derivations import power_graph, sigmoid_delta


def test_question_1_hand_gradients_equal_autograd():
    hand = power_graph.hand_gradients()
    y, x_grad, z_grad = power_graph.autograd_gradients(dtype=torch.float64)
    assert hand.y == pytest.approx(y, abs=1e-9)
    np.testing.assert_allclose(hand.dy_dx, x_grad, atol=1e-6, rtol=0)
    np.testing.assert_allclose(hand.dy_dz, z_grad, atol=1e-6, rtol=0)
    # the assignment's own float32 code agrees to float32 precision
    _, x32, z32 = power_graph.autograd_gradients()
    np.testing.assert_allclose(hand.dy_dx, x32, rtol=1e-6)


def test_question_1_values_worked_by_hand():
    hand = power_graph.hand_gradients()
    assert hand.a.tolist() == pytest.approx([1.1, 3.0, 1.2, 3.0])
    # x_2 = 0: the exponent is 0, so only the path through it is left: 5 ln 3; z's gradient is 0
    assert hand.dy_dx[1] == pytest.approx(5 * np.log(3))
    assert hand.dy_dz[1] == 0
    # x_4 = 1: b = a^4 = 81, dy/dz = 5 * 1 * 3^3 = 135, dy/dx = 135 + 5 * 81 * ln 3
    assert hand.dy_dz[3] == pytest.approx(135)
    assert hand.dy_dx[3] == pytest.approx(135 + 405 * np.log(3))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_question_2_formula_equals_autograd(seed):
    rng = np.random.default_rng(seed)
    weights, inputs = rng.normal(size=(2, 3)), rng.normal(size=3)
    targets = np.array([1.0, 0.0])
    formula = sigmoid_delta.delta_w11(weights, inputs, targets, rate=0.3)
    assert formula == pytest.approx(sigmoid_delta.autograd_delta_w11(weights, inputs, targets, 0.3),
                                    abs=1e-12)
    assert formula != 0


def test_question_2_gradient_vanishes_where_the_sigmoid_saturates():
    curve = sigmoid_delta.saturation_curve(np.array([-20.0, 0.0, 20.0]), target=1.0)
    assert curve["slope"][1] == pytest.approx(0.25), "the sigmoid's slope is at most 1/4"
    assert curve["gradient"][0] < 1e-8, "saturated near 0: no gradient despite the largest error"
    assert curve["gradient"][2] < 1e-8
    assert sigmoid_delta.delta_w11(np.ones((2, 3)), np.array([0.0, 1.0, 1.0]), np.array([1.0, 0.0]),
                                   rate=1.0) == 0, "x_1 = 0 moves w_11 not at all"
