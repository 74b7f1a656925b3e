"""Layers with forward and backward passes written by hand, vectorized over the batch (float32).

Each layer caches what its backward pass needs during `forward`; `backward(grad_output)` returns the
gradient with respect to its input and stores the gradients of its parameters in `grads` (same keys
as `params`). The derivatives:

    Linear      y = x W + b            dx = dy W^T,  dW = x^T dy,  db = sum_batch dy
    ReLU        y = max(x, 0)          dx = dy * [x > 0]
    Leaky-ReLU  y = x if x > 0 else a x  dx = dy * (1 if x > 0 else a)
    Tanh        y = tanh(x)            dx = dy * (1 - y^2)
    GELU (tanh approximation) y = x/2 (1 + tanh(u)), u = c (x + k x^3), c = sqrt(2/pi), k = 0.044715
                dx = dy * (1/2 (1 + tanh u) + x/2 (1 - tanh^2 u) c (1 + 3 k x^2))
    Dropout (inverted) y = x * m / (1 - p), m ~ Bernoulli(1 - p) in training, y = x otherwise
                dx = dy * m / (1 - p)
"""

from __future__ import annotations

import math

import numpy as np

LEAKY_SLOPE = 0.01  # torch.nn.LeakyReLU's default negative slope
GELU_C = math.sqrt(2.0 / math.pi)
GELU_K = 0.044715


class Layer:
    """A layer: parameters in `params`, their gradients in `grads` after `backward`."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Flatten(Layer):
    """[N, C, H, W] or [N, H, W] images -> [N, features] vectors (question 2(a))."""

    def forward(self, x, training=False):
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_output):
        return grad_output.reshape(self.shape)


class Linear(Layer):
    """y = x W + b, initialized uniformly in ±1/sqrt(in_features) like torch.nn.Linear."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator):
        super().__init__()
        bound = 1.0 / math.sqrt(in_features)  # torch.nn.Linear's default range
        self.params = {"W": rng.uniform(-bound, bound, (in_features, out_features)).astype(np.float32),
                       "b": rng.uniform(-bound, bound, out_features).astype(np.float32)}

    def forward(self, x, training=False):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_output):
        self.grads["W"] = self.x.T @ grad_output  # in place: optimizers hold this dict
        self.grads["b"] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T


class ReLU(Layer):
    def forward(self, x, training=False):
        self.positive = x > 0
        return x * self.positive

    def backward(self, grad_output):
        return grad_output * self.positive


class LeakyReLU(Layer):
    def __init__(self, slope: float = LEAKY_SLOPE):
        super().__init__()
        self.slope = slope

    def forward(self, x, training=False):
        self.scale = np.where(x > 0, 1.0, self.slope).astype(x.dtype)
        return x * self.scale

    def backward(self, grad_output):
        return grad_output * self.scale


class Tanh(Layer):
    def forward(self, x, training=False):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (1.0 - self.y * self.y)


class GELU(Layer):
    """GELU with the tanh approximation (torch.nn.GELU(approximate="tanh"))."""

    def forward(self, x, training=False):
        self.x = x
        self.t = np.tanh(GELU_C * (x + GELU_K * x ** 3))
        return 0.5 * x * (1.0 + self.t)

    def backward(self, grad_output):
        x, t = self.x, self.t
        slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x)
        return grad_output * slope


class Dropout(Layer):
    """Inverted dropout: scaled in training, so evaluation needs no rescaling."""

    def __init__(self, rate: float, rng: np.random.Generator):
        super().__init__()
        self.rate, self.rng = rate, rng
        self.mask = None
        self.frozen = False  # gradient checks keep one mask across forward passes

    def forward(self, x, training=False):
        if not training or self.rate == 0:
            self.mask = None
            return x
        if not self.frozen or self.mask is None:
            keep = 1.0 - self.rate
            self.mask = (self.rng.random(x.shape) < keep).astype(x.dtype) / keep
        return x * self.mask

    def backward(self, grad_output):
        return grad_output if self.mask is None else grad_output * self.mask


ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "gelu": GELU}
