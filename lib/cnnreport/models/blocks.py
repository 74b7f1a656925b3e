"""What several architectures share: activations by name and weight initializations by name.

Kept apart from any one architecture so that editing one model retrains only its own runs, while
editing these (used by all of them) retrains every run that uses them.
"""

from __future__ import annotations

from typing import Iterator, Literal

from torch import nn

ActivationName = Literal["relu", "leaky_relu", "gelu", "elu", "silu"]
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.1), "gelu": nn.GELU,
               "elu": nn.ELU, "silu": nn.SiLU}
InitName = Literal["default", "normal", "xavier", "he"]
NORMAL_INIT_STD = 0.01  # "random" initialization: N(0, 0.01^2) weights, zero biases


def initialize(model: nn.Module, init: InitName) -> None:
    """Weights of convolutions and linear layers by the named scheme (biases zero); "default"
    keeps PyTorch's own (Kaiming-uniform)."""
    if init == "default":
        return
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            if init == "normal":
                nn.init.normal_(module.weight, 0.0, NORMAL_INIT_STD)
            elif init == "xavier":
                nn.init.xavier_uniform_(module.weight)
            else:
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def dense_problems(hidden: tuple[int, ...], dropout: float) -> Iterator[str]:
    """Config problems of fully connected hidden widths and a dropout rate, by their keys."""
    for index, width in enumerate(hidden):
        if width <= 0:
            yield f"hidden[{index}] must be positive, got {width}"
    if not 0 <= dropout < 1:
        yield f"dropout must be in [0, 1), got {dropout}"
