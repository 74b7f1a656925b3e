"""Training losses by name: PyTorch's cross-entropy, one written with tensor operations only, and
a focal loss. Each takes integer class targets or one-hot (or any probability) target rows.

Assignment 002 asks for a loss written without `torch.nn` "to understand what the loss function is
doing". `handwritten_cross_entropy` is that loss: softmax cross-entropy through a log-sum-exp that
subtracts each row's maximum first (so large logits cannot overflow `exp`), with optional label
smoothing defined as PyTorch defines it, so the two can be compared number for number. Autograd
differentiates it; nothing here calls `torch.nn` or `torch.nn.functional`.

The focal loss (Lin et al., 2017) weights each image's cross-entropy by (1 - p_true)^gamma, so
images the network already gets right with confidence count less and hard ones more; assignment 003
asks for a loss other than cross-entropy compared under the same budget.
"""

from __future__ import annotations

from typing import Callable

import torch

from ..config.sections import LossName


def log_softmax_rows(logits: torch.Tensor) -> torch.Tensor:
    """log p = z - log(sum(exp(z))), with the row maximum taken out before exponentiating."""
    peak = logits.max(dim=1, keepdim=True).values.detach()
    return logits - peak - torch.log(torch.exp(logits - peak).sum(dim=1, keepdim=True))


def smoothed_rows(targets: torch.Tensor, classes: int, label_smoothing: float) -> torch.Tensor:
    """Target rows as probabilities: one-hot rows for class indices, a share e moved to uniform."""
    if targets.dim() == 1:
        targets = (torch.arange(classes, device=targets.device) == targets[:, None]).float()
    return targets * (1 - label_smoothing) + label_smoothing / classes


def handwritten_cross_entropy(logits: torch.Tensor, targets: torch.Tensor,
                              label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean over the batch of -(1-e) log p_target - (e/C) sum_c log p_c (e: label smoothing);
    with target rows y (one-hot or soft): -sum_c y_c log p_c."""
    log_probs = log_softmax_rows(logits)
    if targets.dim() == 2:
        rows = smoothed_rows(targets, logits.shape[1], label_smoothing)
        return -(rows * log_probs).sum(dim=1).mean()
    target_term = -log_probs.gather(1, targets[:, None]).squeeze(1)
    if not label_smoothing:
        return target_term.mean()
    uniform_term = -log_probs.mean(dim=1)
    return ((1 - label_smoothing) * target_term + label_smoothing * uniform_term).mean()


def torch_cross_entropy(logits: torch.Tensor, targets: torch.Tensor,
                        label_smoothing: float = 0.0) -> torch.Tensor:
    from torch.nn import functional

    return functional.cross_entropy(logits, targets, label_smoothing=label_smoothing)


def focal_loss(logits: torch.Tensor, targets: torch.Tensor, label_smoothing: float = 0.0,
               gamma: float = 2.0) -> torch.Tensor:
    """Mean over the batch of -sum_c y_c (1 - p_c)^gamma log p_c; gamma 0 is cross-entropy."""
    log_probs = log_softmax_rows(logits)
    rows = smoothed_rows(targets, logits.shape[1], label_smoothing)
    return -(rows * (1 - log_probs.exp()) ** gamma * log_probs).sum(dim=1).mean()


LOSSES: dict[LossName, Callable[..., torch.Tensor]] = {
    "torch": torch_cross_entropy, "handwritten": handwritten_cross_entropy, "focal": focal_loss}


def loss_function(config) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The training section's loss as (logits, targets) -> scalar."""
    if config.loss == "focal":
        return lambda logits, targets: focal_loss(logits, targets, config.label_smoothing,
                                                  config.focal_gamma)
    loss = LOSSES[config.loss]
    return lambda logits, targets: loss(logits, targets, config.label_smoothing)


def batch_targets(labels: torch.Tensor, config, classes: int) -> torch.Tensor:
    """What the loss consumes for a batch: the class indices, or (`targets: one-hot`) one-hot rows
    of length `classes`, as assignments that want one-hot labels from the loader ask."""
    if config.targets == "one-hot":
        return (torch.arange(classes, device=labels.device) == labels[:, None]).float()
    return labels
