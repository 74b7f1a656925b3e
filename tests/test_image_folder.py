"""Image folders (torchvision's ImageFolder layout): a bad folder is refused with the file named."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from cnnreport.data.registry import DataFileError, load_dataset


def write_folder(root, counts: dict[str, int], size=(40, 30)):
    rng = np.random.default_rng(0)
    for name, count in counts.items():
        folder = root / "animals" / name
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{name}_{index:03d}.jpg")
    return root / "animals"


@pytest.fixture
def folder_params(full_params, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(tmp_path))
    data = dataclasses.replace(full_params.data, datasets=("animals",), image_size=16)
    return dataclasses.replace(full_params, data=data)


def test_folder_decodes_once_to_square_uint8_rgb(folder_params, tmp_path):
    folder = write_folder(tmp_path, {"cats": 3, "dogs": 2, "panda": 4})
    Image.fromarray(np.zeros((30, 40), dtype=np.uint8)).save(folder / "panda" / "grey.jpg")  # mode L
    dataset = load_dataset(folder_params, "animals")
    assert dataset.classes == ("cats", "dogs", "panda")
    assert tuple(dataset.images.shape) == (10, 3, 16, 16) and str(dataset.images.dtype) == "torch.uint8"
    assert np.bincount(dataset.labels.numpy()).tolist() == [3, 2, 5]


def test_an_unreadable_image_is_named(folder_params, tmp_path):
    folder = write_folder(tmp_path, {"cats": 2, "dogs": 2})
    (folder / "dogs" / "broken.jpg").write_bytes(b"not a jpeg at all")
    with pytest.raises(DataFileError, match=r"dogs/broken\.jpg: not a readable image"):
        load_dataset(folder_params, "animals")


def test_a_non_image_file_is_named_not_skipped(folder_params, tmp_path):
    folder = write_folder(tmp_path, {"cats": 2, "dogs": 2})
    (folder / "cats" / "notes.txt").write_text("labels to check")
    with pytest.raises(DataFileError, match=r"cats/notes\.txt: not a readable image"):
        load_dataset(folder_params, "animals")


def test_an_empty_class_folder_is_named(folder_params, tmp_path):
    folder = write_folder(tmp_path, {"cats": 2, "dogs": 2})
    (folder / "panda").mkdir()
    with pytest.raises(DataFileError, match=r"class folder\(s\) panda under .* hold no images"):
        load_dataset(folder_params, "animals")
