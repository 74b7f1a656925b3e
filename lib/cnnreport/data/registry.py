"""The dataset registry: every dataset a study can use, and the one place that names them.

Each entry declares its display name, class names, native channels and size, where its files sit
under the data root, how torchvision downloads them, how they decode into uint8 tensors and, where a
dataset may be missing on a machine, a stand-in written in its own file format. Nothing outside this
registry branches on a dataset's name, assumes ten classes or a 32x32x3 image.

Functions take a study's params (`config.sections.StudyParams`): its data section and data root.
Loading never writes a dataset: stand-ins and downloads happen only in `prepare`, the build's
explicit data step, which says what it wrote. Decoded tensors are cached under `artifacts/cache/`
by the source files' names and sizes and by the decoding code. torchvision is imported only to
decode or download (its import costs seconds in every chapter kernel).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..common import atomic
from ..common.code_fingerprint import module_fingerprint
from ..common.paths import DATA_ROOT_ENV, artifacts_dir
from ..common.torch_files import TorchFileError, read_torch_file
from . import file_checks
from .file_checks import DataFileError  # noqa: F401 (callers catch it with the registry's own errors)
from .image_set import ImageSet

# images, labels, class names, and how many images (first) come from the official train part
# (None: the dataset has no official train/test parts, e.g. an image folder)
Decoded = tuple[torch.Tensor, torch.Tensor, tuple[str, ...], int | None]


class DataNotFoundError(FileNotFoundError):
    """Dataset files are missing and could not be downloaded; the message says what and where."""


@dataclass(frozen=True)
class StandIn:
    """A stand-in written in the dataset's own file format where no real copy exists."""

    write: Callable[[Path, int, int], None]  # (folder, number of images, seed)
    description: str  # what the images are, for the report's data notice


@dataclass(frozen=True)
class DrawnInput:
    """How a drawing or photo of one object becomes an image like this dataset's (the live demo):
    datasets of light objects on black, cropped to the object and scaled into a box."""

    box_fraction: float  # the object's longer side as a share of the image side (MNIST: 20/28)
    centre_of_mass: bool  # centred by its centre of mass (MNIST's own preparation), else its box


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    display_name: str
    folders: tuple[str, ...]  # where the files may sit, relative to the data root (first wins)
    files: tuple[str, ...]  # files that must be present in that folder (image folders: none)
    decode: Callable[["DatasetSpec", Path, int | None], Decoded]  # (spec, folder, image size)
    # checks the files before decoding: (spec, folder, real copy?) -> raises DataFileError
    verify: Callable[["DatasetSpec", Path, bool], None]
    channels: int  # native channel count (image folders: after conversion to RGB)
    size: int | None  # native square side; None: any size (resized once at decode)
    classes: tuple[str, ...] | None = None  # None: named by the files (folders, meta files)
    download: Callable[[Path], None] | None = None  # data root -> files fetched by torchvision
    stand_in: StandIn | None = None
    drawn_input: DrawnInput | None = None  # None: pictures are photos, resized and centre-cropped


_DATASETS: dict[str, DatasetSpec] = {}


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    _DATASETS[spec.name] = spec
    return spec


def dataset_names() -> tuple[str, ...]:
    return tuple(_DATASETS)


def get_dataset(name: str) -> DatasetSpec:
    if name not in _DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(_DATASETS)}")
    return _DATASETS[name]


def display_name(name: str) -> str:
    return get_dataset(name).display_name


def unknown_datasets(names: tuple[str, ...]) -> list[str]:
    """Problems with a study's `data.datasets`: unknown names, or none at all."""
    problems = [f"data.datasets[{index}] = {name!r} is not allowed; choose one of: "
                f"{', '.join(_DATASETS)}" for index, name in enumerate(names) if name not in _DATASETS]
    if not names:
        problems.append(f"data.datasets must name at least one dataset; choose from: "
                        f"{', '.join(_DATASETS)}")
    return problems


# ---------------------------------------------------------------------------------------------
# Decoders (torchvision's own dataset classes where torchvision has one)


def _decode_idx(class_name: str) -> Callable[[DatasetSpec, Path, int | None], Decoded]:
    """MNIST-layout idx files (MNIST, Fashion-MNIST): official train then test, [N, 1, 28, 28]."""
    def decode(spec: DatasetSpec, folder: Path, size: int | None) -> Decoded:
        from torchvision import datasets

        loader = getattr(datasets, class_name)
        parts = [loader(str(folder.parent.parent), train=train, download=False)
                 for train in (True, False)]
        images = torch.cat([part.data for part in parts]).unsqueeze(1)
        return (images.contiguous(), torch.cat([part.targets for part in parts]).long(), spec.classes,
                len(parts[0].targets))

    return decode


def _download_idx(class_name: str) -> Callable[[Path], None]:
    def download(root: Path) -> None:
        from torchvision import datasets

        getattr(datasets, class_name)(str(root), train=True, download=True)

    return download


def _decode_svhn(spec: DatasetSpec, folder: Path, size: int | None) -> Decoded:
    """SVHN `.mat` files through torchvision (label 10 is digit 0); stand-ins skip the md5 check."""
    loader = _svhn_class(verified=not _is_stand_in(folder))
    parts = [loader(str(folder), split=split, download=False) for split in ("train", "test")]
    images = torch.from_numpy(np.concatenate([part.data for part in parts]))
    labels = torch.from_numpy(np.concatenate([part.labels for part in parts]))
    return images.contiguous(), labels.long(), spec.classes, len(parts[0].labels)


def _svhn_class(verified: bool):
    """torchvision checks SVHN files against published md5 sums; a stand-in has none, so for a
    stand-in only that check is replaced (by an existence check)."""
    from torchvision import datasets

    if verified:
        return datasets.SVHN

    class UnverifiedSVHN(datasets.SVHN):
        def _check_integrity(self) -> bool:
            return (Path(self.root) / self.filename).is_file()

    return UnverifiedSVHN


def _download_svhn(root: Path) -> None:
    from torchvision import datasets

    for split in ("train", "test"):
        datasets.SVHN(str(root / "SVHN"), split=split, download=True)


def _decode_cifar100(spec: DatasetSpec, folder: Path, size: int | None) -> Decoded:
    """CIFAR-100 python pickles through torchvision: fine labels, class names from its meta file;
    stand-ins skip the md5 check."""
    loader = _cifar100_class(verified=not _is_stand_in(folder))
    parts = [loader(str(folder.parent), train=train, download=False) for train in (True, False)]
    images = torch.from_numpy(np.concatenate([part.data for part in parts])).permute(0, 3, 1, 2)
    labels = torch.as_tensor(np.concatenate([part.targets for part in parts]))
    return images.contiguous(), labels.long(), tuple(parts[0].classes), len(parts[0].targets)


def _cifar100_class(verified: bool):
    """torchvision checks CIFAR-100's pickles against published md5 sums; a stand-in has none, so
    for a stand-in only that check is replaced (by an existence check)."""
    from torchvision import datasets

    if verified:
        return datasets.CIFAR100

    class UnverifiedCIFAR100(datasets.CIFAR100):
        meta = {**datasets.CIFAR100.meta, "md5": None}

        def _check_integrity(self) -> bool:
            folder = Path(self.root) / self.base_folder
            return all((folder / name).is_file() for name, _ in self.train_list + self.test_list)

    return UnverifiedCIFAR100


def _download_cifar100(root: Path) -> None:
    from torchvision import datasets

    datasets.CIFAR100(str(root), train=True, download=True)


def _decode_image_folder(spec: DatasetSpec, folder: Path, size: int | None) -> Decoded:
    """A torchvision `ImageFolder` (one folder per class): every image converted to RGB, its shorter
    side resized to `size` and centre-cropped square, once, here; training never touches PIL.
    `load_dataset` verified the folder first (no empty class, every file an image)."""
    if size is None:
        raise DataNotFoundError(f"{spec.display_name} images come in any size: set data.image_size "
                                f"(e.g. 64) to the square side they are resized to")
    from torchvision import datasets
    from torchvision.transforms import functional

    def load(path: str):
        with open(path, "rb") as handle:
            image = datasets.folder.Image.open(handle).convert("RGB")
        image = functional.center_crop(functional.resize(image, size, antialias=True), size)
        return functional.pil_to_tensor(image)

    # every file counts (not only known image extensions), as it did when it was verified
    folder_set = datasets.ImageFolder(str(folder), loader=load, is_valid_file=lambda path: True)
    images = torch.stack([image for image, _ in folder_set])
    return images, torch.as_tensor(folder_set.targets).long(), tuple(folder_set.classes), None


# ---------------------------------------------------------------------------------------------
# Verifiers: each dataset's files checked before decoding (data/file_checks.py knows the formats)


def _fix_advice(spec: DatasetSpec) -> str:
    advice = f"Replace it with a good copy of torchvision's {spec.display_name} files"
    if spec.download is not None:
        advice += (", or delete it and rebuild with data.download: true so that torchvision fetches "
                   "it again")
    if spec.stand_in is not None:
        advice += " (a stand-in is rewritten by deleting its folder under artifacts/stand-ins/)"
    return advice + "."


def _verify_idx(class_name: str) -> Callable[[DatasetSpec, Path, bool], None]:
    """Both image/label pairs: headers that match the file sizes and each other; where the `.gz`
    archives torchvision extracted from are present, their published md5 sums."""
    def verify(spec: DatasetSpec, folder: Path, real: bool) -> None:
        fix = _fix_advice(spec)
        for images_name, labels_name in zip(spec.files[0::2], spec.files[1::2]):
            images, labels = folder / images_name, folder / labels_name
            file_checks.check_same_count(images, file_checks.check_idx(images, fix), labels,
                                         file_checks.check_idx(labels, fix), fix)
        if real:
            from torchvision import datasets

            for archive, md5 in getattr(datasets, class_name).resources:
                if (folder / archive).is_file():
                    file_checks.check_md5(folder / archive, md5, fix)

    return verify


def _verify_svhn(spec: DatasetSpec, folder: Path, real: bool) -> None:
    """Each `.mat` file holds images X (4-D) and labels y (2-D); real copies match torchvision's md5."""
    fix = _fix_advice(spec)
    if real:
        from torchvision import datasets

        for _, filename, md5 in datasets.SVHN.split_list.values():
            if filename in spec.files:
                file_checks.check_md5(folder / filename, md5, fix)
    for name in spec.files:
        file_checks.check_mat(folder / name, {"X": 4, "y": 2}, fix)


def _verify_cifar100(spec: DatasetSpec, folder: Path, real: bool) -> None:
    """Each part is a whole pickle; real copies match torchvision's md5."""
    fix = _fix_advice(spec)
    for name in spec.files:
        file_checks.check_pickle(folder / name, fix)
    if real:
        from torchvision import datasets

        known = dict(datasets.CIFAR100.train_list + datasets.CIFAR100.test_list)
        known[datasets.CIFAR100.meta["filename"]] = datasets.CIFAR100.meta["md5"]
        for name in spec.files:
            file_checks.check_md5(folder / name, known[name], fix)


def _verify_image_folder(spec: DatasetSpec, folder: Path, real: bool) -> None:
    """At least two class folders, none empty; every file decodes and converts to RGB."""
    fix = "Remove or replace it (every file under a class folder must be an image)."
    for path in file_checks.check_class_folders(spec.display_name, folder, fix):
        file_checks.check_image_file(path, fix)


def _svhn_stand_in(folder: Path, images: int, seed: int) -> None:
    from .stand_ins import write_svhn_stand_in

    write_svhn_stand_in(folder, images, seed)


def _cifar100_stand_in(folder: Path, images: int, seed: int) -> None:
    from .cifar100_stand_in import write_cifar100_stand_in

    write_cifar100_stand_in(folder, images, seed)


DIGITS = tuple(str(digit) for digit in range(10))

register_dataset(DatasetSpec(
    "mnist", "MNIST", folders=("MNIST/raw",), channels=1, size=28, classes=DIGITS,
    files=("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
           "t10k-labels-idx1-ubyte"),
    decode=_decode_idx("MNIST"), verify=_verify_idx("MNIST"), download=_download_idx("MNIST"),
    drawn_input=DrawnInput(box_fraction=20 / 28, centre_of_mass=True)))
register_dataset(DatasetSpec(
    "fashion-mnist", "Fashion-MNIST", folders=("FashionMNIST/raw",), channels=1, size=28,
    classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
             "Bag", "Ankle boot"),
    files=("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
           "t10k-labels-idx1-ubyte"),
    decode=_decode_idx("FashionMNIST"), verify=_verify_idx("FashionMNIST"),
    download=_download_idx("FashionMNIST"),
    drawn_input=DrawnInput(box_fraction=1.0, centre_of_mass=False)))
register_dataset(DatasetSpec(
    "svhn", "SVHN", folders=("SVHN", "."), channels=3, size=32, classes=DIGITS,
    files=("train_32x32.mat", "test_32x32.mat"), decode=_decode_svhn, verify=_verify_svhn,
    download=_download_svhn,
    stand_in=StandIn(_svhn_stand_in, "rendered house-number crops")))
register_dataset(DatasetSpec(
    "cifar100", "CIFAR-100", folders=("cifar-100-python",), channels=3, size=32,
    files=("train", "test", "meta"), decode=_decode_cifar100, verify=_verify_cifar100,
    download=_download_cifar100,
    stand_in=StandIn(_cifar100_stand_in, "drawn shapes, ten shapes in ten colour families, under "
                     "CIFAR-100's class names")))
register_dataset(DatasetSpec(
    "animals", "Animals (cats, dogs, pandas)", folders=("animals",), channels=3, size=None,
    files=(), decode=_decode_image_folder, verify=_verify_image_folder))


# ---------------------------------------------------------------------------------------------
# Locating, preparing and loading


def _real_folder(spec: DatasetSpec, root: Path) -> Path | None:
    for relative in spec.folders:
        folder = (root / relative)
        if folder.is_dir() and all((folder / name).is_file() for name in spec.files) and (
                spec.files or any(child.is_dir() for child in folder.iterdir())):
            return folder
    return None


def stand_in_folder(spec: DatasetSpec, params) -> Path:
    return (artifacts_dir() / "stand-ins" /
            f"{spec.name}-{params.data.stand_in_images}-{params.seed}" / spec.folders[0])


def _is_stand_in(folder: Path) -> bool:
    return (artifacts_dir() / "stand-ins") in folder.resolve().parents


def locate(params, name: str) -> tuple[Path, str]:
    """The folder holding `name`'s files and whether they are "real" or a "stand-in"."""
    spec = get_dataset(name)
    if params.data.source != "stand-in":
        folder = _real_folder(spec, params.data_root())
        if folder is not None:
            return folder, "real"
    if params.data.source != "real" and spec.stand_in is not None:
        folder = stand_in_folder(spec, params)
        if all((folder / file).is_file() for file in spec.files):
            return folder, "stand-in"
    raise DataNotFoundError(_missing_message(spec, params))


def _missing_message(spec: DatasetSpec, params) -> str:
    root = params.data_root()
    expected = root / spec.folders[0]
    listed = ", ".join(spec.files) if spec.files else "one folder of images per class"
    advice = (f"Put torchvision's {spec.display_name} files there, or point {DATA_ROOT_ENV} / "
              f"data.root at a folder that has {spec.folders[0]}/")
    if spec.stand_in is not None and params.data.source != "real":
        advice += (f"; or let the build's data step write a stand-in ({spec.stand_in.description}): "
                   f"nox -s build_report, with data.source auto or stand-in")
    elif spec.stand_in is not None:
        advice += "; or set data.source to auto or stand-in (choices: auto, real, stand-in)"
    missing_root = "" if root.is_dir() else f" (the data root {root} does not exist)"
    return f"{spec.display_name} files missing under {expected}{missing_root}: {listed}. {advice}."


def prepare(params, log: Callable[[str], None] = print) -> None:
    """The build's data step: fetch what is missing (when allowed) and write stand-ins, saying so.

    Afterwards every dataset of the study can be located; anything still missing raises
    DataNotFoundError naming the files and the folder.
    """
    for name in params.data.datasets:
        _obtain(params, name, log)
        verify_dataset(params, name, log)


def _obtain(params, name: str, log: Callable[[str], None]) -> None:
    """Download or write a stand-in for one dataset whose files are missing, as params allow."""
    spec = get_dataset(name)
    try:
        locate(params, name)
        return
    except DataNotFoundError:
        pass
    if params.data.download and spec.download is not None and params.data.source != "stand-in":
        try:
            log(f"{spec.display_name}: files missing under {params.data_root()}; trying "
                f"torchvision's download")
            spec.download(params.data_root())
        except Exception as error:  # no network, read-only folder, bad checksum
            log(f"{spec.display_name}: download failed ({error})")
    if _real_folder(spec, params.data_root()) is None and spec.stand_in is not None \
            and params.data.source != "real":
        folder = stand_in_folder(spec, params)
        log(f"{spec.display_name}: no real copy under {params.data_root()}; writing a stand-in "
            f"of {params.data.stand_in_images:,} {spec.stand_in.description} in its own "
            f"format to {folder} (the report says so on every page that uses it)")
        spec.stand_in.write(folder, params.data.stand_in_images, params.seed)
    locate(params, name)


def verify_dataset(params, name: str, log: Callable[[str], None] = print) -> None:
    """Check a located dataset's files (once per unchanged folder); DataFileError names a bad one."""
    spec = get_dataset(name)
    folder, source = locate(params, name)
    if file_checks.verified_once(name, folder, lambda: spec.verify(spec, folder, source == "real")):
        log(f"{spec.display_name}: files checked in {folder}")


def load_dataset(params, name: str) -> ImageSet:
    """The whole pooled dataset (official train then official test), from the cache when possible.

    Images have their native size (image folders: data.image_size); fitting them to a study's
    common size happens when splits are made.
    """
    spec = get_dataset(name)
    folder, source = locate(params, name)
    size = params.data.image_size if spec.size is None else None
    cache_path = artifacts_dir() / "cache" / f"{name}-{source}-{_files_key(spec, folder, size)}.pt"
    cached = _read_cache(cache_path)
    if cached is not None:
        images, labels, classes = cached["images"], cached["labels"], tuple(cached["classes"])
        fingerprint, official_train = cached["fingerprint"], cached["official_train"]
    else:
        verify_dataset(params, name)
        images, labels, classes, official_train = spec.decode(spec, folder, size)
        fingerprint = _content_fingerprint(name, source, labels, images)
        atomic.torch_save(cache_path, {"images": images, "labels": labels, "classes": list(classes),
                                       "fingerprint": fingerprint, "official_train": official_train})
    shown = spec.display_name + (" (synthetic stand-in)" if source == "stand-in" else "")
    return ImageSet(name, shown, images, labels, classes, source, fingerprint,
                    official_train=official_train)


def _read_cache(path: Path) -> dict | None:
    """A decoded dataset from the cache; a damaged cache file (it can only be damaged from outside:
    it is written atomically) is said, removed and decoded afresh."""
    if not path.is_file():
        return None
    try:
        return read_torch_file(path, "decoded-data cache")
    except TorchFileError as error:  # the cache is rebuilt from the data files
        print(f"[data] {error}; decoding the dataset again", flush=True)
        path.unlink(missing_ok=True)
        return None


def data_notice(image_set: ImageSet, params) -> str | None:
    """A sentence for the report when the data are a stand-in, else None.

    `image_set` is the whole pooled dataset, whose size the sentence states.
    """
    if image_set.source != "stand-in":
        return None
    spec = get_dataset(image_set.name)
    files = f"`{'`, `'.join(spec.files)}`" if spec.files else "its image folders"
    return (f"Real {spec.display_name} files ({files}) were not found under "
            f"`{params.data_root() / spec.folders[0]}`; every {spec.display_name} result in this "
            f"report uses a synthetic stand-in of {len(image_set):,} {spec.stand_in.description} "
            f"in {spec.display_name}'s own file format. Its numbers show that the pipeline works, "
            f"not how models fare on real {spec.display_name}.")


def _files_key(spec: DatasetSpec, folder: Path, size: int | None) -> str:
    """Cheap identity of the source files (names and sizes), the decode size and the decoding code,
    so a changed file or decoder invalidates the cache."""
    files = spec.files or sorted(str(path.relative_to(folder)) for path in folder.rglob("*")
                                 if path.is_file())
    described = [f"{file}:{(folder / file).stat().st_size}" for file in files]
    described += [f"size:{size}", module_fingerprint(__name__)]
    return hashlib.sha256("|".join(described).encode()).hexdigest()[:12]


def _content_fingerprint(name: str, source: str, labels: torch.Tensor, images: torch.Tensor) -> str:
    digest = hashlib.sha256(f"{name}|{source}|{tuple(images.shape)}".encode())
    digest.update(labels.numpy().tobytes())
    digest.update(images[:: max(1, len(images) // 997)].numpy().tobytes())  # a sample of pixels
    return digest.hexdigest()[:16]
