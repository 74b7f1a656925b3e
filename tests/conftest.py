"""Shared fixtures: real MNIST from CNNREPORT_DATA_ROOT, a private artifacts folder per session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from cnnreport.studies.registry import load_study_params

REPO = Path(__file__).resolve().parents[1]
DATA_ROOT = Path(os.environ.get("CNNREPORT_DATA_ROOT", REPO / "data"))


@pytest.fixture(scope="session", autouse=True)
def session_artifacts(tmp_path_factory) -> Path:
    """Tests never touch the checkout's artifacts/; decoded datasets are shared within a session."""
    folder = tmp_path_factory.mktemp("artifacts")
    os.environ["CNNREPORT_ARTIFACTS"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (DATA_ROOT / "MNIST" / "raw").is_dir():
        pytest.fail(f"MNIST not found under {DATA_ROOT}; set CNNREPORT_DATA_ROOT")
    return DATA_ROOT


@pytest.fixture
def full_params(data_root, monkeypatch):
    """The mnist-svhn study's full profile, reading real MNIST."""
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(data_root))
    return load_study_params("mnist-svhn", "full", root=REPO)


def write_svhn_mat(folder: Path, split: str, labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """A small SVHN file in torchvision's format: X 32x32x3xN uint8, y Nx1 with 10 for digit 0."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(32, 32, 3, len(labels)), dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(folder / f"{split}_32x32.mat",
                     {"X": images, "y": np.where(labels == 0, 10, labels).reshape(-1, 1)})
    return images
