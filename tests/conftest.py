"""Shared fixtures: real MNIST from CNNREPORT_DATA_ROOT, a private artifacts folder per session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from cnnreport.models.convnet import ConvNetConfig
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


TINY_MODEL = ConvNetConfig(channels=(8, 16), feature_dim=32)  # 1 epoch on 1,500 images: ~88% in seconds


@pytest.fixture(scope="session")
def quick_params(data_root):
    """The mnist-svhn quick profile on real MNIST, with the SVHN stand-in where SVHN is absent."""
    from cnnreport.data.registry import prepare

    os.environ["CNNREPORT_DATA_ROOT"] = str(data_root)
    params = load_study_params("mnist-svhn", "quick", root=REPO)
    prepare(params, log=lambda line: None)
    return params


@pytest.fixture(scope="session")
def saved_run(quick_params):
    """A tiny MNIST model trained and saved once per test session, with its splits."""
    from cnnreport.config.sections import TrainConfig
    from cnnreport.data.splits import load_splits
    from cnnreport.studies.variants import training_data
    from cnnreport.training.runs import RunSpec, make_run

    splits = load_splits(quick_params, "mnist")
    data, key = training_data(splits, 1500, quick_params.seed)
    spec = RunSpec("inference-test", "mnist", TINY_MODEL,
                   TrainConfig(epochs=1, batch_size=32, learning_rate=0.01), quick_params.seed,
                   splits.definition(quick_params), key)
    return make_run(spec, data), splits
