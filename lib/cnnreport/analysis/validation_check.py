"""Proof that validation cannot train: every weight and buffer bit-identical after it.

The engine's `validate` runs the model in evaluation mode under `torch.no_grad()`; here a copy of
the state is taken before, `validate` runs on a split, and each tensor is compared exactly
(`torch.equal`, not a tolerance), including batch norm's running statistics, which a forward pass in
training mode would move.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..data.image_set import ImageSet
from ..training.engine import validate


@dataclass(frozen=True)
class ValidationCheck:
    tensors: int  # weights and buffers compared
    changed: tuple[str, ...]  # names of those that differ afterwards (none, if validation is safe)
    gradients: int  # parameters holding a gradient afterwards
    accuracy: float  # what validation measured

    @property
    def unchanged(self) -> bool:
        return not self.changed and self.gradients == 0


def check_validation(model: nn.Module, image_set: ImageSet, batch_size: int = 512) -> ValidationCheck:
    """Run `validate` on `image_set` with the model in training mode beforehand (as it is between
    training epochs) and compare its state before and after."""
    model.train()
    for parameter in model.parameters():
        parameter.grad = None
    before = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
    classes = tuple(range(model.num_classes))
    held_out = image_set.to(next(model.parameters()).device)  # where the model is (GPU or CPU)
    _, predictions = validate(model, held_out, batch_size, classes)
    after = model.state_dict()
    changed = tuple(name for name, tensor in before.items() if not torch.equal(tensor, after[name]))
    gradients = sum(parameter.grad is not None for parameter in model.parameters())
    accuracy = float((predictions == held_out.labels).float().mean())
    return ValidationCheck(len(before), changed, gradients, accuracy)
