"""Pictures from the audience (a drawing, an uploaded file) turned into test-like images.

A network only knows images prepared like its data, so a drawn digit must look like an MNIST digit
before it is classified: light strokes on black, cropped to the strokes, scaled into MNIST's 20x20
box and centred by its centre of mass in 28x28, then padded to the study's size exactly as the data
were. Photos are resized on their shorter side and centre-cropped, as image folders are decoded. The
dataset registry says which preparation a dataset's pictures need (`DatasetSpec.drawn_input`).

Uploads are decoded from their content, never by their file name: anything PIL cannot identify
as one of the accepted formats is refused with a message.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from ..data.image_set import GREY_WEIGHTS, fit_size
from ..data.registry import DatasetSpec, DrawnInput

ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
INK_THRESHOLD = 0.1  # share of the brightest stroke that counts as ink when cropping a drawing
MIN_INK = 10  # grey level (0-255) below which a drawing counts as blank


class PictureError(ValueError):
    """An upload or drawing that cannot become an input; the message says why."""


def decode_upload(path: str | Path, max_bytes: int) -> np.ndarray:
    """An uploaded file's pixels as uint8 RGBA [H, W, 4], identified by content, EXIF-rotated."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise PictureError(f"{path.name} is {size:,} bytes; uploads are limited to {max_bytes:,}")
    data = path.read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise PictureError(f"{path.name} is a {image.format} file; upload one of: "
                                   f"{', '.join(ACCEPTED_FORMATS)}")
            return np.asarray(ImageOps.exif_transpose(image).convert("RGBA"))
    except (OSError, Image.DecompressionBombError, ValueError) as error:
        if isinstance(error, PictureError):
            raise
        raise PictureError(f"{path.name} is not a readable image ({type(error).__name__}); "
                           f"upload one of: {', '.join(ACCEPTED_FORMATS)}") from None


def picture_to_image(picture: np.ndarray, spec: DatasetSpec, side: int) -> torch.Tensor:
    """A picture (uint8 [H, W], [H, W, 3] or [H, W, 4]) as uint8 [C, side, side], prepared like
    the test images of `spec`'s dataset (its channels, its preparation, the study's size)."""
    rgb = _on_white(np.asarray(picture))
    native = spec.size or side
    if spec.drawn_input is None:
        image = _photo(rgb, native)
        image = image if spec.channels == 3 else _grey(image)
    else:
        image = _drawing(_grey(rgb)[0], native, spec.drawn_input)[None]
        image = image if spec.channels == 1 else image.expand(3, -1, -1).contiguous()
    return fit_size(image[None], side)[0]


def _on_white(picture: np.ndarray) -> torch.Tensor:
    """uint8 [3, H, W]: grey broadcast to RGB, transparency composited onto white (a sketch pad's
    untouched canvas is transparent)."""
    if picture.ndim == 2:
        picture = picture[:, :, None]
    if picture.ndim != 3 or picture.shape[2] not in (1, 3, 4) or min(picture.shape[:2]) < 1:
        raise PictureError(f"a picture must be [H, W], [H, W, 3] or [H, W, 4]; got "
                           f"{list(picture.shape)}")
    pixels = torch.from_numpy(np.array(picture, dtype=np.uint8)).permute(2, 0, 1).float()
    if pixels.shape[0] == 4:
        alpha = pixels[3:] / 255.0
        pixels = pixels[:3] * alpha + 255.0 * (1 - alpha)
    return pixels.expand(3, -1, -1).round().to(torch.uint8)


def _grey(rgb: torch.Tensor) -> torch.Tensor:
    weights = torch.tensor(GREY_WEIGHTS).view(3, 1, 1)
    return (rgb.float() * weights).sum(0, keepdim=True).round().to(torch.uint8)


def _photo(rgb: torch.Tensor, side: int) -> torch.Tensor:
    """Shorter side resized to `side`, centre-cropped square (as image folders are decoded)."""
    from torchvision.transforms import functional

    return functional.center_crop(functional.resize(rgb, side, antialias=True), side)


def _drawing(grey: torch.Tensor, side: int, drawn: DrawnInput) -> torch.Tensor:
    """uint8 [side, side]: light ink on black, cropped to the ink, scaled into the box, centred."""
    grey = grey.numpy().astype(np.float32)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) > 127:  # dark ink on light paper: invert
        grey = 255.0 - grey
    if grey.max() < MIN_INK:
        raise PictureError("the picture is blank: draw something or upload another image")
    rows, cols = np.nonzero(grey > INK_THRESHOLD * grey.max())
    crop = grey[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    box = max(1, round(drawn.box_fraction * side))
    scale = box / max(crop.shape)
    height, width = (max(1, min(side, round(length * scale))) for length in crop.shape)
    scaled = np.asarray(Image.fromarray(crop.round().astype(np.uint8)).resize(
        (width, height), Image.Resampling.LANCZOS), dtype=np.float32)
    top, left = _placement(scaled, side, drawn.centre_of_mass)
    canvas = np.zeros((side, side), dtype=np.float32)
    canvas[top:top + height, left:left + width] = scaled
    return torch.from_numpy(canvas.round().clip(0, 255).astype(np.uint8))


def _placement(scaled: np.ndarray, side: int, centre_of_mass: bool) -> tuple[int, int]:
    """Top-left corner that puts the ink's centre (of mass, or of its box) at the image centre,
    kept inside the image."""
    height, width = scaled.shape
    if centre_of_mass and scaled.sum() > 0:
        ys, xs = np.indices(scaled.shape)
        centre_y, centre_x = (ys * scaled).sum() / scaled.sum(), (xs * scaled).sum() / scaled.sum()
    else:
        centre_y, centre_x = (height - 1) / 2, (width - 1) / 2
    top = round((side - 1) / 2 - centre_y)
    left = round((side - 1) / 2 - centre_x)
    return min(max(top, 0), side - height), min(max(left, 0), side - width)
