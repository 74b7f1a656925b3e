"""Checks of dataset files before anything decodes them, by file format (not by dataset).

A damaged file must fail with its own name, what is wrong with it and how to fix it, before the first
chapter executes: not deep inside a decoder ("shape '[60000, 28, 28]' is invalid for input of size
99984"). The registry says which check applies to which dataset and which checksums are known;
these functions know formats only: idx headers (MNIST's layout), MATLAB `.mat` variables (SVHN's),
Python pickles (CIFAR's), image files (image folders). A folder that passed is remembered by its
files' names, sizes and modification times, so an unchanged folder is not read twice.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Callable

from ..common import atomic
from ..common.code_fingerprint import module_fingerprint
from ..common.paths import artifacts_dir

IDX_TYPES = {0x08: "uint8"}  # the idx element types these datasets use
PICKLE_PROTOCOL_MARK = b"\x80"  # every pickle of protocol 2 or later starts with it
MAT_HEADER = b"MATLAB 5.0 MAT-file"  # scipy.io.savemat and MATLAB's own v5 files


class DataFileError(ValueError):
    """A dataset file is damaged or is not what its name says; the message names the file, says
    what is wrong and how to fix it."""


def _fail(path: Path, problem: str, fix: str) -> DataFileError:
    return DataFileError(f"{path}: {problem}. {fix}")


def check_idx(path: Path, fix: str) -> tuple[int, ...]:
    """The dimensions an idx file declares, after checking that its size matches them exactly."""
    with open(path, "rb") as handle:
        header = handle.read(4)
        if len(header) < 4 or header[:2] != b"\0\0" or header[2] not in IDX_TYPES or header[3] == 0:
            raise _fail(path, f"not an idx file (it starts with bytes {header.hex() or 'none'}, "
                              f"an idx file with 00 00 08 <dimensions>)", fix)
        dimension_bytes = handle.read(4 * header[3])
    if len(dimension_bytes) < 4 * header[3]:
        raise _fail(path, "truncated inside its idx header", fix)
    dims = tuple(int.from_bytes(dimension_bytes[i:i + 4], "big") for i in range(0, len(dimension_bytes), 4))
    expected = 4 + 4 * len(dims) + math.prod(dims)
    actual = path.stat().st_size
    if actual != expected:
        shape = " × ".join(f"{dim:,}" for dim in dims)
        state = "truncated" if actual < expected else "longer than its header says"
        raise _fail(path, f"{state}: its header declares {shape} {IDX_TYPES[header[2]]} values "
                          f"({expected:,} bytes with the header) but the file has {actual:,} bytes", fix)
    return dims


def check_same_count(images: Path, image_dims: tuple[int, ...], labels: Path,
                     label_dims: tuple[int, ...], fix: str) -> None:
    if image_dims[0] != label_dims[0]:
        raise _fail(images, f"holds {image_dims[0]:,} images but {labels.name} holds "
                            f"{label_dims[0]:,} labels: the two files are not a pair", fix)


def check_md5(path: Path, expected: str, fix: str) -> None:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise _fail(path, f"checksum mismatch: md5 {digest.hexdigest()}, torchvision's published "
                          f"md5 is {expected} (the file is damaged or not the official one)", fix)


def check_mat(path: Path, variables: dict[str, int], fix: str) -> dict[str, tuple[int, ...]]:
    """The shapes of a `.mat` file's variables, which must include `variables` (name: dimensions)."""
    import scipy.io

    with open(path, "rb") as handle:
        if not handle.read(len(MAT_HEADER)).startswith(MAT_HEADER):
            raise _fail(path, "not a MATLAB 5 .mat file (its header is missing)", fix)
    try:
        shapes = {name: tuple(shape) for name, shape, _ in scipy.io.whosmat(str(path))}
    except Exception as error:  # scipy raises ValueError, TypeError or its own MatReadError
        raise _fail(path, f"a damaged .mat file ({type(error).__name__}: {error})", fix) from None
    for name, dimensions in variables.items():
        if len(shapes.get(name, ())) != dimensions:
            raise _fail(path, f"truncated or damaged: it has no {dimensions}-dimensional variable "
                              f"{name!r} (it holds {shapes or 'nothing readable'})", fix)
    try:  # whosmat reads headers only; a cut-off file fails when its data are read
        scipy.io.loadmat(str(path), variable_names=list(variables))
    except Exception as error:
        raise _fail(path, f"truncated or damaged ({type(error).__name__}: {error})", fix) from None
    return shapes


def check_pickle(path: Path, fix: str) -> None:
    """A pickle file starts with its protocol mark and ends with the STOP opcode."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        start = handle.read(1)
        handle.seek(max(0, size - 1))
        end = handle.read(1)
    if start != PICKLE_PROTOCOL_MARK:
        raise _fail(path, "not a Python pickle (torchvision's format for this dataset)", fix)
    if end != b".":
        raise _fail(path, f"truncated: a pickle ends with its STOP mark, this one ({size:,} bytes) "
                          f"does not", fix)


def check_image_file(path: Path, fix: str) -> None:
    """The file decodes completely and converts to RGB (the image folders' decoding)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.draft("RGB", (64, 64))  # JPEGs decode at reduced size: still every byte is read
            image.convert("RGB").load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise _fail(path, f"not a readable image ({type(error).__name__}: {error})", fix) from None


def check_class_folders(display_name: str, folder: Path, fix: str) -> list[Path]:
    """An image folder's class folders: at least two, none without files. Returns its files."""
    classes = sorted(child for child in folder.iterdir() if child.is_dir())
    files = {child: sorted(path for path in child.rglob("*") if path.is_file()) for child in classes}
    empty = [child.name for child in classes if not files[child]]
    if empty:
        raise DataFileError(f"{display_name}: class folder(s) {', '.join(empty)} under {folder} "
                            f"hold no images; every class needs its images. {fix}")
    if len(classes) < 2:
        raise DataFileError(f"{display_name}: {folder} holds {len(classes)} class folder(s); an "
                            f"image folder needs one folder per class, at least two. {fix}")
    return [path for child in classes for path in files[child]]


# ---------------------------------------------------------------------------------------------
# Remembering folders that passed


def verified_once(name: str, folder: Path, check: Callable[[], None]) -> bool:
    """Run `check` unless this folder, with the same files, sizes and modification times, passed
    the same checks (this module's code) before; returns whether it ran."""
    marker = artifacts_dir() / "cache" / "verified" / f"{name}-{_folder_state(folder)}"
    if marker.is_file():
        return False
    check()
    atomic.write_text(marker, f"{folder}\n")
    return True


def _folder_state(folder: Path) -> str:
    digest = hashlib.sha256(f"{folder.resolve()}|{module_fingerprint(__name__)}".encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            status = path.stat()
            digest.update(f"{path.relative_to(folder)}:{status.st_size}:{status.st_mtime_ns}|".encode())
    return digest.hexdigest()[:16]
