"""Damaged or missing data: each must stop the build at its data step, before any run or chapter,
with the file, what is wrong and how to fix it. The data root of a case is a folder of links to the
real files, with the one file under test replaced by a damaged copy."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

from .kit import Bench, Outcome, expect_error, fault_case
from .probe import probe_params

DATA = "damaged or missing data"
STAND_IN_IMAGES = 200  # data.stand_in_images of the stand-in cases
ANIMALS_PER_CLASS = 4  # real photos linked per class into an image-folder case


def _linked_root(bench: Bench, relative: str, files: list[str] | None = None) -> Path:
    """A data root whose `relative` folder links to the real one's files (all, or `files`)."""
    root = bench.folder / "data"
    source, target = bench.data_root / relative, root / relative
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        name = path.relative_to(source)
        if path.is_file() and (files is None or str(name) in files):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).symlink_to(path)
    os.environ["CNNREPORT_DATA_ROOT"] = str(root)
    return target


def _damaged_copy(link: Path, keep_bytes: int | None = None, replace_with: bytes | None = None) -> Path:
    """Replace a link by a copy of its file cut to `keep_bytes`, or by `replace_with`."""
    data = replace_with if replace_with is not None else link.read_bytes()[:keep_bytes]
    link.unlink()
    link.write_bytes(data)
    return link


def _prepare(params) -> None:
    from ..data.registry import prepare

    with contextlib.redirect_stdout(io.StringIO()):
        prepare(params)


def _data_errors():
    from ..data.registry import DataFileError, DataNotFoundError

    return (DataFileError, DataNotFoundError)


@fault_case(DATA)
def truncated_idx_images(bench: Bench) -> Outcome:
    """MNIST's train images cut to 100,000 bytes (the issue's `shape '[60000, 28, 28]' is invalid`)."""
    folder = _linked_root(bench, "MNIST/raw")
    _damaged_copy(folder / "train-images-idx3-ubyte", keep_bytes=100_000)
    return expect_error(lambda: _prepare(probe_params()), _data_errors(),
                        ["train-images-idx3-ubyte", "truncated", "60,000 × 28 × 28",
                         "100,000 bytes", "data.download"])


@fault_case(DATA)
def idx_labels_of_another_file(bench: Bench) -> Outcome:
    """The test labels put in place of the train labels: a whole file, but not the pair."""
    folder = _linked_root(bench, "MNIST/raw")
    _damaged_copy(folder / "train-labels-idx1-ubyte",
                  replace_with=(folder / "t10k-labels-idx1-ubyte").read_bytes())
    return expect_error(lambda: _prepare(probe_params()), _data_errors(),
                        ["train-images-idx3-ubyte", "60,000 images", "10,000 labels"])


@fault_case(DATA)
def foreign_file_under_an_idx_name(bench: Bench) -> Outcome:
    """A text file saved under MNIST's test-images name."""
    folder = _linked_root(bench, "MNIST/raw")
    _damaged_copy(folder / "t10k-images-idx3-ubyte", replace_with=b"<html>404 Not Found</html>\n")
    return expect_error(lambda: _prepare(probe_params()), _data_errors(),
                        ["t10k-images-idx3-ubyte", "not an idx file"])


@fault_case(DATA)
def archive_with_a_wrong_checksum(bench: Bench) -> Outcome:
    """A damaged `.gz` beside the extracted files: torchvision's md5 no longer matches."""
    folder = _linked_root(bench, "MNIST/raw")
    archive = folder / "train-labels-idx1-ubyte.gz"
    _damaged_copy(archive, replace_with=archive.read_bytes()[:-10] + b"\0" * 10)
    return expect_error(lambda: _prepare(probe_params()), _data_errors(),
                        ["train-labels-idx1-ubyte.gz", "checksum mismatch", "published md5"])


@fault_case(DATA)
def missing_data_root(bench: Bench) -> Outcome:
    """The data root does not exist: the build stops at its data step, before any chapter."""
    from ..cli import main

    os.environ["CNNREPORT_DATA_ROOT"] = str(bench.folder / "no-such-folder")
    output, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
        code = main(["build", "mnist-merged", "--profile", "quick", "-p", "data.download=false"])
    text = errors.getvalue()
    named = "no-such-folder" in text and "does not exist" in text and "CNNREPORT_DATA_ROOT" in text
    before_chapters = "executing" not in output.getvalue() and not (bench.artifacts / "runs").exists()
    return Outcome(code == 1 and named and before_chapters, 0, f"exit {code}: {text.strip()[:200]}")


def _damaged_stand_in(bench: Bench, study: str, dataset: str, file_name: str) -> Outcome:
    """A data root with real MNIST only, so the study's other dataset is a stand-in, damaged."""
    from ..data.registry import get_dataset, stand_in_folder
    from ..studies.registry import load_study_params

    _linked_root(bench, "MNIST/raw")
    params = load_study_params(study, "quick", {"data.stand_in_images": STAND_IN_IMAGES,
                                                "data.download": False})
    _prepare(params)  # writes the stand-ins
    path = stand_in_folder(get_dataset(dataset), params) / file_name
    _damaged_copy(path, keep_bytes=path.stat().st_size // 2)
    return expect_error(lambda: _prepare(params), _data_errors(),
                        [file_name, "truncated", "artifacts/stand-ins"])


@fault_case(DATA)
def truncated_svhn_mat_file(bench: Bench) -> Outcome:
    """SVHN's train `.mat` file (a stand-in here) cut in half."""
    return _damaged_stand_in(bench, "mnist-svhn", "svhn", "train_32x32.mat")


@fault_case(DATA)
def truncated_cifar_pickle(bench: Bench) -> Outcome:
    """CIFAR-100's train pickle (a stand-in here) cut in half."""
    return _damaged_stand_in(bench, "mnist-cifar100", "cifar100", "train")


def _animals(bench: Bench) -> Path:
    """An image-folder data root with a few real photos per class."""
    source = bench.data_root / "animals"
    keep = [f"{folder.name}/{path.name}" for folder in sorted(source.iterdir()) if folder.is_dir()
            for path in sorted(folder.iterdir())[:ANIMALS_PER_CLASS]]
    return _linked_root(bench, "animals", keep)


def _animals_params():
    from ..studies.registry import load_study_params

    return load_study_params("autograd-animals", "quick")


@fault_case(DATA)
def undecodable_image_in_a_class_folder(bench: Bench) -> Outcome:
    """A text file named like a photo inside a class folder."""
    folder = _animals(bench)
    (folder / "dogs" / "dogs_99999.jpg").write_text("not a picture\n")
    return expect_error(lambda: _prepare(_animals_params()), _data_errors(),
                        ["dogs_99999.jpg", "not a readable image", "Remove or replace it"])


@fault_case(DATA)
def truncated_jpeg_in_a_class_folder(bench: Bench) -> Outcome:
    """A real photo cut to a third of its bytes."""
    folder = _animals(bench)
    photo = sorted((folder / "cats").iterdir())[0]
    _damaged_copy(photo, keep_bytes=photo.stat().st_size // 3)
    return expect_error(lambda: _prepare(_animals_params()), _data_errors(),
                        [photo.name, "not a readable image"])


@fault_case(DATA)
def empty_class_folder(bench: Bench) -> Outcome:
    """A class folder with no images."""
    folder = _animals(bench)
    shutil.rmtree(folder / "panda")
    (folder / "panda").mkdir()
    return expect_error(lambda: _prepare(_animals_params()), _data_errors(),
                        ["panda", "hold no images"])


@fault_case(DATA)
def greyscale_and_transparent_images_convert(bench: Bench) -> Outcome:
    """A greyscale JPEG and a transparent PNG among the photos: both convert to RGB and load."""
    from PIL import Image

    from ..data.registry import load_dataset

    folder = _animals(bench)
    first = sorted((folder / "cats").iterdir())[0]
    with Image.open(first) as photo:
        photo.convert("L").save(folder / "cats" / "grey.jpg")
        photo.convert("RGBA").save(folder / "dogs" / "transparent.png")
    params = _animals_params()
    _prepare(params)
    images = load_dataset(params, "animals")
    expected = 3 * ANIMALS_PER_CLASS + 2
    return Outcome(len(images) == expected and images.images.shape[1] == 3, 0,
                   f"{len(images)} images of {expected} loaded as {tuple(images.images.shape[1:])}")


@fault_case(DATA)
def damaged_decoded_data_cache(bench: Bench) -> Outcome:
    """The decoded-data cache (artifacts/cache) cut in half: said, rebuilt from the files, and the
    data are the same."""
    import torch

    from ..data.registry import load_dataset

    params = _animals_params()
    _animals(bench)
    _prepare(params)
    first = load_dataset(params, "animals")
    caches = [path for path in (bench.artifacts / "cache").glob("animals-*.pt")]
    for path in caches:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        again = load_dataset(params, "animals")
    said = "decoding the dataset again" in output.getvalue()
    same = torch.equal(first.images, again.images) and torch.equal(first.labels, again.labels)
    return Outcome(bool(caches) and said and same, 0 if same else 1,
                   f"{len(caches)} cache file(s) damaged; said: {said}; same data: {same}")
