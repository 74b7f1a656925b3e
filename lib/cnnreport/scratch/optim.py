"""Optimizers written by hand: SGD with momentum and Adam, updating parameters in place."""

from __future__ import annotations

import numpy as np


class SGD:
    """v = momentum v + g;  w -= lr v  (PyTorch's form of momentum)."""

    def __init__(self, parameters: list[tuple[dict, dict, str]], learning_rate: float,
                 momentum: float = 0.9, weight_decay: float = 0.0):
        self.parameters, self.learning_rate = parameters, learning_rate
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity = [np.zeros_like(params[name]) for params, _, name in parameters]

    def step(self) -> None:
        for (params, grads, name), velocity in zip(self.parameters, self.velocity):
            grad = grads[name] + self.weight_decay * params[name]
            velocity *= self.momentum
            velocity += grad
            params[name] -= self.learning_rate * velocity


class Adam:
    """Adam with bias correction (Kingma and Ba, 2015), weight decay added to the gradient."""

    def __init__(self, parameters: list[tuple[dict, dict, str]], learning_rate: float,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        self.parameters, self.learning_rate = parameters, learning_rate
        self.beta1, self.beta2 = betas
        self.eps, self.weight_decay = eps, weight_decay
        self.first = [np.zeros_like(params[name]) for params, _, name in parameters]
        self.second = [np.zeros_like(params[name]) for params, _, name in parameters]
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        correction1 = 1.0 - self.beta1 ** self.steps
        correction2 = 1.0 - self.beta2 ** self.steps
        for (params, grads, name), first, second in zip(self.parameters, self.first, self.second):
            grad = grads[name] + self.weight_decay * params[name]
            first *= self.beta1
            first += (1.0 - self.beta1) * grad
            second *= self.beta2
            second += (1.0 - self.beta2) * grad * grad
            params[name] -= (self.learning_rate * (first / correction1)
                             / (np.sqrt(second / correction2) + self.eps)).astype(params[name].dtype)


OPTIMIZERS = {"sgd": SGD, "adam": Adam}
