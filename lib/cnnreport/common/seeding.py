"""One function that makes a process reproducible."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python's `random`, NumPy and torch, and ask torch for deterministic kernels.

    The assignment fixes seed 42; determinism flags make two CPU runs of the same params give
    identical metrics (CUDA kernels without a deterministic variant only warn).
    """
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    _deterministic_algorithms()
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def _deterministic_algorithms() -> None:
    """`torch.use_deterministic_algorithms(True, warn_only=True)` without importing TorchInductor:
    recent torch imports its config there to set a flag for compiled code, 3-6 s in every process
    (each chapter kernel), and nothing here compiles with it. Where inductor is loaded already, or
    torch lacks the internal setter, the public call is used."""
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        setter(True, warn_only=True)
