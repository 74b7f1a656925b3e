"""Loading real MNIST, SVHN in torchvision's format, the shared tensor format and the cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torchvision import datasets

from cnnreport import data
from cnnreport.config import load_params
from cnnreport.data import DataNotFoundError, load_dataset, to_model_input

from conftest import REPO, write_svhn_mat


def test_real_mnist_loads_in_the_shared_format(full_params):
    mnist = load_dataset(full_params, "mnist")
    assert mnist.images.shape == (70000, 1, 32, 32) and mnist.images.dtype == torch.uint8
    assert mnist.labels.shape == (70000,) and mnist.labels.dtype == torch.int64
    assert torch.bincount(mnist.labels).tolist()[:2] == [6903, 7877]  # MNIST's known class sizes
    border = torch.cat([mnist.images[..., :2, :].flatten(), mnist.images[..., -2:, :].flatten()])
    assert int(border.max()) == 0, "28x28 digits are zero-padded by 2 pixels on each side"
    batch = to_model_input(mnist.images[:8])
    assert batch.shape == (8, 3, 32, 32) and batch.dtype == torch.float32
    assert float(batch.min()) == 0.0 and 0.99 < float(batch.max()) <= 1.0
    assert torch.equal(batch[:, 0], batch[:, 2]), "grey images repeat over 3 channels"


def test_second_load_comes_from_the_cache(full_params, monkeypatch):
    first = load_dataset(full_params, "mnist")
    monkeypatch.setattr(data, "_decode", lambda *a: pytest.fail("decoded again despite the cache"))
    second = load_dataset(full_params, "mnist")
    assert second.fingerprint == first.fingerprint and torch.equal(second.labels, first.labels)


def _svhn_params(tmp_path, monkeypatch, source="real"):
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(tmp_path))
    params = load_params(REPO / "params" / "full.yaml")
    return dataclasses.replace(params, data=dataclasses.replace(params.data, svhn_source=source,
                                                                download=False))


def test_svhn_file_in_torchvision_format_loads(tmp_path, monkeypatch):
    train_labels, test_labels = np.array([0, 1, 2, 9, 0]), np.array([3, 0, 7])
    train_pixels = write_svhn_mat(tmp_path / "SVHN", "train", train_labels, seed=1)
    write_svhn_mat(tmp_path / "SVHN", "test", test_labels, seed=2)
    # the files are ours, not the published ones: stub torchvision's md5 check only
    monkeypatch.setattr(datasets.SVHN, "_check_integrity",
                        lambda self: (tmp_path / "SVHN" / self.filename).is_file())
    svhn = load_dataset(_svhn_params(tmp_path, monkeypatch), "svhn")
    assert svhn.source == "real"
    assert svhn.images.shape == (8, 3, 32, 32) and svhn.images.dtype == torch.uint8
    assert svhn.labels.tolist() == [0, 1, 2, 9, 0, 3, 0, 7], "label 10 means digit 0"
    assert torch.equal(svhn.images[3].permute(1, 2, 0), torch.from_numpy(train_pixels[..., 3]))
    assert to_model_input(svhn.images).shape == (8, 3, 32, 32)


def test_missing_files_name_the_files_and_the_folder(tmp_path, monkeypatch):
    params = _svhn_params(tmp_path, monkeypatch)
    with pytest.raises(DataNotFoundError) as error:
        load_dataset(params, "mnist")
    message = str(error.value)
    assert f"MNIST files missing under {tmp_path / 'MNIST' / 'raw'}" in message
    assert "train-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "CNNREPORT_DATA_ROOT" in message
    with pytest.raises(DataNotFoundError, match="SVHN files missing under .*train_32x32.mat, "
                                                "test_32x32.mat.*choices: auto, real, synthetic"):
        load_dataset(params, "svhn")


def test_synthetic_stand_in_is_written_in_svhn_format(tmp_path, monkeypatch):
    params = _svhn_params(tmp_path, monkeypatch, source="auto")
    params = dataclasses.replace(params, data=dataclasses.replace(params.data,
                                                                  synthetic_svhn_images=300))
    svhn = load_dataset(params, "svhn")
    assert svhn.source == "synthetic" and len(svhn) == 300
    assert svhn.images.shape == (300, 3, 32, 32) and set(svhn.labels.tolist()) == set(range(10))
    assert float(svhn.images.float().std()) > 20, "images have content, not a constant"
    assert "synthetic stand-in of 300 rendered" in data.data_notice(svhn, params)
    again = load_dataset(params, "svhn")
    assert torch.equal(again.images, svhn.images), "same seed, same stand-in"
