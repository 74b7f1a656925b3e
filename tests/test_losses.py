"""The cross-entropy written with tensor operations only equals PyTorch's: values and gradients,
with and without label smoothing, for ordinary and extreme logits; and it trains."""

from __future__ import annotations

import ast
import inspect

import pytest
import torch
import torch.nn.functional as F

from cnnreport.training import losses
from cnnreport.training.losses import LOSSES, handwritten_cross_entropy


def _both(logits: torch.Tensor, targets: torch.Tensor, smoothing: float):
    mine = logits.clone().requires_grad_(True)
    theirs = logits.clone().requires_grad_(True)
    handwritten_cross_entropy(mine, targets, smoothing).backward()
    F.cross_entropy(theirs, targets, label_smoothing=smoothing).backward()
    return mine, theirs


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("scale", [1.0, 30.0, 1e4])
def test_values_and_gradients_equal_torch(smoothing, scale):
    generator = torch.Generator().manual_seed(7)
    logits = torch.randn(64, 100, generator=generator, dtype=torch.float64) * scale
    targets = torch.randint(0, 100, (64,), generator=generator)
    value = handwritten_cross_entropy(logits, targets, smoothing)
    expected = F.cross_entropy(logits, targets, label_smoothing=smoothing)
    assert torch.isfinite(value), "extreme logits do not overflow"
    assert float(value) == pytest.approx(float(expected), rel=1e-12, abs=1e-12)
    mine, theirs = _both(logits, targets, smoothing)
    assert torch.allclose(mine.grad, theirs.grad, rtol=1e-10, atol=1e-14)


def test_a_confident_correct_prediction_costs_nearly_nothing_and_a_wrong_one_a_lot():
    logits = torch.tensor([[50.0, 0.0, 0.0], [50.0, 0.0, 0.0]])
    per_row = [float(handwritten_cross_entropy(logits[i:i + 1], torch.tensor([t])))
               for i, t in ((0, 0), (1, 2))]
    assert per_row[0] < 1e-12 and per_row[1] == pytest.approx(50.0, abs=1e-4)


def test_the_handwritten_loss_uses_no_torch_nn():
    tree = ast.parse(inspect.getsource(losses.handwritten_cross_entropy)
                     + inspect.getsource(losses.log_softmax_rows))
    names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not names & {"nn", "functional", "F", "cross_entropy", "log_softmax", "logsumexp"}


def test_both_losses_train_a_small_model_to_the_same_weights():
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(128, 8, generator=generator, dtype=torch.float64)
    targets = (inputs[:, 0] > 0).long() + (inputs[:, 1] > 0).long()
    weights = {}
    for name, loss in LOSSES.items():
        torch.manual_seed(0)
        model = torch.nn.Linear(8, 3).double()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        start = float(loss(model(inputs), targets, 0.1).detach())
        for _ in range(100):
            optimizer.zero_grad()
            loss(model(inputs), targets, 0.1).backward()
            optimizer.step()
        weights[name] = model.weight.detach()
        assert float(loss(model(inputs), targets, 0.1).detach()) < 0.7 * start, name
        accuracy = float((model(inputs).argmax(1) == targets).double().mean())
        assert accuracy > 0.7, name
    assert torch.allclose(weights["torch"], weights["handwritten"], atol=1e-10)
