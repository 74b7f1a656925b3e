"""The dataset registry: real MNIST and Fashion-MNIST, SVHN and CIFAR-100 in torchvision's formats,
image folders, label maps, the study's input format, the cache and the explicit stand-in step."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import datasets

from cnnreport.data import file_checks, registry
from cnnreport.data.image_set import fit_size, to_model_input
from cnnreport.data.label_maps import LabelMapError, apply_label_map
from cnnreport.data.registry import DataNotFoundError, load_dataset, prepare
from cnnreport.data.splits import load_splits

from conftest import write_svhn_mat


def with_data(params, **changes):
    return dataclasses.replace(params, data=dataclasses.replace(params.data, **changes))


def test_real_mnist_loads_natively_and_in_the_study_format(full_params):
    mnist = load_dataset(full_params, "mnist")
    assert mnist.images.shape == (70000, 1, 28, 28) and mnist.images.dtype == torch.uint8
    assert mnist.labels.shape == (70000,) and mnist.labels.dtype == torch.int64
    assert torch.bincount(mnist.labels).tolist()[:2] == [6903, 7877]  # MNIST's known class sizes
    assert mnist.classes == tuple("0123456789") and mnist.display_name == "MNIST"
    splits = load_splits(full_params, "mnist")  # the mnist-svhn study: 32x32, 3 channels
    assert splits.train.images.shape[1:] == (1, 32, 32) and splits.input_shape == (3, 32, 32)
    border = torch.cat([splits.test.images[..., :2, :].flatten(),
                        splits.test.images[..., -2:, :].flatten()])
    assert int(border.max()) == 0, "28x28 digits are zero-padded by 2 pixels on each side"
    batch = to_model_input(splits.test.images[:8], 3)
    assert batch.shape == (8, 3, 32, 32) and batch.dtype == torch.float32
    assert float(batch.min()) == 0.0 and 0.99 < float(batch.max()) <= 1.0
    assert torch.equal(batch[:, 0], batch[:, 2]), "grey images repeat over 3 channels"


def test_real_fashion_mnist_has_its_class_names(full_params):
    fashion = load_dataset(with_data(full_params, datasets=("fashion-mnist",)), "fashion-mnist")
    assert fashion.images.shape == (70000, 1, 28, 28)
    assert fashion.classes[0] == "T-shirt/top" and fashion.classes[9] == "Ankle boot"
    assert torch.bincount(fashion.labels).tolist() == [7000] * 10


def test_fit_size_pads_small_images_and_resizes_others():
    image = torch.full((1, 1, 28, 28), 200, dtype=torch.uint8)
    padded = fit_size(image, 32)
    assert padded.shape == (1, 1, 32, 32) and int(padded[0, 0, 2:30, 2:30].min()) == 200
    assert int(padded[0, 0, :2].max()) == 0
    big = torch.full((2, 3, 64, 48), 90, dtype=torch.uint8)
    assert fit_size(big, 32).shape == (2, 3, 32, 32) and int(fit_size(big, 32).max()) == 90
    assert fit_size(image, None) is image
    colour = torch.zeros(1, 3, 4, 4, dtype=torch.uint8)
    colour[:, 1] = 255
    assert to_model_input(colour, 1).shape == (1, 1, 4, 4)
    assert float(to_model_input(colour, 1).max()) == pytest.approx(0.587)


def test_second_load_comes_from_the_cache(full_params, monkeypatch):
    first = load_dataset(full_params, "mnist")
    spec = registry.get_dataset("mnist")
    monkeypatch.setitem(registry._DATASETS, "mnist", dataclasses.replace(
        spec, decode=lambda *a: pytest.fail("decoded again despite the cache")))
    second = load_dataset(full_params, "mnist")
    assert second.fingerprint == first.fingerprint and torch.equal(second.labels, first.labels)


def _offline_params(full_params, tmp_path, monkeypatch, **changes):
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(tmp_path))
    return with_data(full_params, download=False, **changes)


def test_svhn_file_in_torchvision_format_loads(full_params, tmp_path, monkeypatch):
    train_labels, test_labels = np.array([0, 1, 2, 9, 0]), np.array([3, 0, 7])
    train_pixels = write_svhn_mat(tmp_path / "SVHN", "train", train_labels, seed=1)
    write_svhn_mat(tmp_path / "SVHN", "test", test_labels, seed=2)
    # the files are ours, not the published ones: stub torchvision's md5 check and ours only
    monkeypatch.setattr(file_checks, "check_md5", lambda *args: None)
    monkeypatch.setattr(datasets.SVHN, "_check_integrity",
                        lambda self: (tmp_path / "SVHN" / self.filename).is_file())
    svhn = load_dataset(_offline_params(full_params, tmp_path, monkeypatch, source="real"), "svhn")
    assert svhn.source == "real" and svhn.display_name == "SVHN"
    assert svhn.images.shape == (8, 3, 32, 32) and svhn.images.dtype == torch.uint8
    assert svhn.labels.tolist() == [0, 1, 2, 9, 0, 3, 0, 7], "label 10 means digit 0"
    assert torch.equal(svhn.images[3].permute(1, 2, 0), torch.from_numpy(train_pixels[..., 3]))


def test_cifar100_in_torchvision_format_loads_with_fine_labels(full_params, tmp_path, monkeypatch):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, count in (("train", 6), ("test", 4)):
        with open(folder / name, "wb") as handle:
            pickle.dump({"data": rng.integers(0, 256, (count, 3072), dtype=np.uint8),
                         "fine_labels": list(range(count)), "coarse_labels": [0] * count}, handle)
    with open(folder / "meta", "wb") as handle:
        pickle.dump({"fine_label_names": [f"class{i}" for i in range(100)]}, handle)
    # the files are ours, not the published ones: stub torchvision's md5 check and ours only
    monkeypatch.setattr(file_checks, "check_md5", lambda *args: None)
    monkeypatch.setattr("torchvision.datasets.cifar.check_integrity", lambda *args: True)
    cifar = load_dataset(_offline_params(full_params, tmp_path, monkeypatch, datasets=("cifar100",)),
                         "cifar100")
    assert cifar.images.shape == (10, 3, 32, 32) and cifar.labels.tolist() == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3]
    assert len(cifar.classes) == 100 and cifar.classes[3] == "class3"


def test_image_folder_is_resized_once_and_named_by_its_folders(full_params, tmp_path, monkeypatch):
    for index, (animal, colour) in enumerate((("cats", "red"), ("dogs", "green"), ("panda", "white"))):
        (tmp_path / "animals" / animal).mkdir(parents=True)
        Image.new("RGB", (120, 80), colour).save(tmp_path / "animals" / animal / f"{animal}_1.jpg")
        Image.new("L", (80, 100), 128).save(tmp_path / "animals" / animal / f"{animal}_2.png")
    params = _offline_params(full_params, tmp_path, monkeypatch, datasets=("animals",), image_size=64)
    animals = load_dataset(params, "animals")
    assert animals.classes == ("cats", "dogs", "panda")
    assert animals.images.shape == (6, 3, 64, 64), "greyscale images are converted to RGB"
    assert animals.labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert int(animals.images[0, 0].float().mean()) > 240 and int(animals.images[0, 1].max()) < 10
    with pytest.raises(DataNotFoundError, match="set data.image_size"):
        load_dataset(with_data(params, image_size=None), "animals")


def test_label_map_merges_classes_and_refuses_gaps(full_params):
    splits = load_splits(full_params, "mnist")
    groups = {"0/6": ["0", "6"], "1/7": ["1", "7"], "2/3/5/8": ["2", "3", "5", "8"], "4/9": ["4", "9"]}
    merged = load_splits(full_params, "mnist", groups)
    assert merged.classes == tuple(groups)
    assert torch.equal(merged.test.images, splits.test.images), "the same images, relabelled"
    digits, labels = splits.test.labels, merged.test.labels
    assert torch.equal(labels[(digits == 0) | (digits == 6)].unique(), torch.tensor([0]))
    assert torch.equal(labels[digits == 8].unique(), torch.tensor([2]))
    expected = [int(sum((digits == int(d)).sum() for d in members)) for members in groups.values()]
    assert torch.bincount(labels).tolist() == expected
    assert merged.fingerprint == splits.fingerprint, "the same split indices"
    with pytest.raises(LabelMapError, match=r"classes \['9'\] are in no group"):
        apply_label_map(splits.test, {"a": ["0", "1", "2", "3", "4"], "b": ["5", "6", "7", "8"]})
    with pytest.raises(LabelMapError, match=r"classes \['0'\] are in more than one group"):
        apply_label_map(splits.test, {"a": [str(d) for d in range(10)], "b": ["0"]})


def test_missing_files_name_the_files_and_the_folder(full_params, tmp_path, monkeypatch):
    params = _offline_params(full_params, tmp_path, monkeypatch, source="real")
    with pytest.raises(DataNotFoundError) as error:
        load_dataset(params, "mnist")
    message = str(error.value)
    assert f"MNIST files missing under {tmp_path / 'MNIST' / 'raw'}" in message
    assert "train-images-idx3-ubyte" in message and "t10k-labels-idx1-ubyte" in message
    assert "CNNREPORT_DATA_ROOT" in message
    with pytest.raises(DataNotFoundError, match="SVHN files missing under .*train_32x32.mat, "
                                                "test_32x32.mat.*choices: auto, real, stand-in"):
        load_dataset(params, "svhn")


def test_stand_in_is_written_only_by_the_explicit_data_step(full_params, tmp_path, monkeypatch):
    params = _offline_params(full_params, tmp_path, monkeypatch, source="auto",
                             stand_in_images=300, datasets=("svhn",))
    with pytest.raises(DataNotFoundError, match="let the build's data step write a stand-in"):
        load_dataset(params, "svhn")  # loading never writes a dataset
    said = []
    prepare(params, log=said.append)
    assert any("writing a stand-in of 300 rendered house-number crops" in line for line in said)
    svhn = load_dataset(params, "svhn")
    assert svhn.source == "stand-in" and len(svhn) == 300
    assert svhn.display_name == "SVHN (synthetic stand-in)"
    assert svhn.images.shape == (300, 3, 32, 32) and set(svhn.labels.tolist()) == set(range(10))
    assert float(svhn.images.float().std()) > 20, "images have content, not a constant"
    assert "synthetic stand-in of 300 rendered" in registry.data_notice(svhn, params)
    said.clear()
    prepare(params, log=said.append)
    assert said == [], "a second data step finds everything and writes nothing"


def test_cifar100_stand_in_is_written_in_cifar100s_own_format(full_params, tmp_path, monkeypatch):
    params = _offline_params(full_params, tmp_path, monkeypatch, source="auto",
                             stand_in_images=600, datasets=("cifar100",))
    with pytest.raises(DataNotFoundError, match="let the build's data step write a stand-in"):
        load_dataset(params, "cifar100")
    said = []
    prepare(params, log=said.append)
    assert any("writing a stand-in of 600 drawn shapes" in line for line in said)
    folder = registry.stand_in_folder(registry.get_dataset("cifar100"), params)
    with open(folder / "train", "rb") as handle:  # the pickle layout torchvision reads
        train = pickle.load(handle, encoding="latin1")
    assert train["data"].shape == (500, 3072) and train["data"].dtype == np.uint8
    assert np.bincount(train["fine_labels"]).tolist() == [5] * 100, "balanced, as CIFAR-100"
    cifar = load_dataset(params, "cifar100")
    assert cifar.source == "stand-in" and len(cifar) == 600
    assert cifar.images.shape == (600, 3, 32, 32)
    assert cifar.classes[:3] == ("apple", "aquarium_fish", "baby") and len(cifar.classes) == 100
    assert "synthetic stand-in of 600 drawn shapes" in registry.data_notice(cifar, params)
    red_plane = torch.from_numpy(train["data"][0, :1024].reshape(32, 32))
    assert torch.equal(cifar.images[0, 0], red_plane), "planes: red, green, blue, rows of 32"
