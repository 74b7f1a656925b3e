"""A CIFAR-100 stand-in in CIFAR-100's own python-pickle format, for machines without the real files.

Real CIFAR-100 is not on every machine (this project's CI has none and no network). The build's data
step then writes 100 classes of drawn images instead: class `c` is shape `c % 10` (disc, square,
triangle, ring, cross, bars in three directions, dots, diamond) in colour family `c // 10`, at a
random position, size and angle, on a random dull background, blurred and noisy, so a network must
learn shapes and colours wherever they appear. The files have the layout torchvision's `CIFAR100`
reads: `train` and `test` pickles with `data` (N x 3072 uint8, red, green and blue planes of 32x32),
`fine_labels`, `coarse_labels` (here simply `fine // 5`), `filenames`, `batch_label`; and `meta` with
`fine_label_names` (CIFAR-100's own names, so reports read as they would on real data) and
`coarse_label_names`. The report states on every page that uses it that the images are a stand-in.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ..common import atomic

FINE_LABEL_NAMES = (
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
    "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
    "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup",
    "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house",
    "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man",
    "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid",
    "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy",
    "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal",
    "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar",
    "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
    "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm")
COARSE_LABEL_NAMES = (
    "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
    "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
    "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
    "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people",
    "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2")
TRAIN_SHARE = 5 / 6  # real CIFAR-100: 50,000 train and 10,000 test images
CANVAS = 64  # drawn at twice the size, then downsampled for anti-aliasing
SHAPES = 10
HUES = np.linspace(0, 1, 10, endpoint=False)  # one colour family per ten classes


def write_cifar100_stand_in(folder: str | Path, total_images: int, seed: int) -> dict[str, Path]:
    """Write `train`, `test` and `meta` into `folder` (the `cifar-100-python` folder)."""
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    train_count = int(round(total_images * TRAIN_SHARE))
    paths = {}
    for split, count in (("train", train_count), ("test", total_images - train_count)):
        labels = np.arange(count) % len(FINE_LABEL_NAMES)  # balanced, as in CIFAR-100
        rng.shuffle(labels)
        images = np.stack([draw_image(int(label), rng) for label in labels])
        content = {"batch_label": f"{split} batch (cnn-report stand-in)",
                   "filenames": [f"stand_in_{split}_{index:05d}.png" for index in range(count)],
                   "fine_labels": labels.tolist(), "coarse_labels": (labels // 5).tolist(),
                   "data": images.transpose(0, 3, 1, 2).reshape(count, -1)}
        paths[split] = _write_pickle(folder / split, content)
    paths["meta"] = _write_pickle(folder / "meta", {"fine_label_names": list(FINE_LABEL_NAMES),
                                                    "coarse_label_names": list(COARSE_LABEL_NAMES)})
    return paths


def _write_pickle(target: Path, content: dict) -> Path:
    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            pickle.dump(content, handle, protocol=2)

    atomic.write_with(target, write)
    return target


def draw_image(label: int, rng: np.random.Generator) -> np.ndarray:
    """One 32x32x3 uint8 image of class `label`."""
    background = tuple(int(value) for value in rng.integers(40, 200, size=3))
    canvas = Image.new("RGB", (CANVAS, CANVAS), background)
    draw = ImageDraw.Draw(canvas)
    colour = _shape_colour(label // SHAPES, rng)
    half = rng.uniform(12, 24)
    centre = CANVAS / 2 + rng.normal(0, 6, size=2)
    _draw_shape(draw, label % SHAPES, centre, half, colour, background)
    canvas = canvas.rotate(rng.uniform(-30, 30), resample=Image.BILINEAR, fillcolor=background)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.5)))
    pixels = np.asarray(canvas.resize((32, 32), Image.BILINEAR), dtype=np.float32)
    pixels += rng.normal(0, rng.uniform(3, 15), pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)


def _shape_colour(family: int, rng: np.random.Generator) -> tuple[int, int, int]:
    """A saturated colour of hue family `family`, varied a little in hue and brightness."""
    import colorsys

    hue = (HUES[family] + rng.normal(0, 0.02)) % 1
    red, green, blue = colorsys.hsv_to_rgb(hue, rng.uniform(0.7, 1.0), rng.uniform(0.75, 1.0))
    return int(red * 255), int(green * 255), int(blue * 255)


def _draw_shape(draw: ImageDraw.ImageDraw, shape: int, centre: np.ndarray, half: float,
                colour: tuple, background: tuple) -> None:
    x, y = float(centre[0]), float(centre[1])
    box = (x - half, y - half, x + half, y + half)
    if shape == 0:
        draw.ellipse(box, fill=colour)
    elif shape == 1:
        draw.rectangle(box, fill=colour)
    elif shape == 2:
        draw.polygon([(x, y - half), (x - half, y + half), (x + half, y + half)], fill=colour)
    elif shape == 3:
        draw.ellipse(box, outline=colour, width=max(2, int(half / 3)))
    elif shape == 4:
        width = half / 3
        draw.rectangle((x - half, y - width, x + half, y + width), fill=colour)
        draw.rectangle((x - width, y - half, x + width, y + half), fill=colour)
    elif shape in (5, 6, 7):
        _draw_bars(draw, shape - 5, x, y, half, colour)
    elif shape == 8:
        step = half / 2
        for dx in (-step, step):
            for dy in (-step, step):
                draw.ellipse((x + dx - step / 2, y + dy - step / 2, x + dx + step / 2,
                              y + dy + step / 2), fill=colour)
    else:
        draw.polygon([(x, y - half), (x + half, y), (x, y + half), (x - half, y)], fill=colour)


def _draw_bars(draw: ImageDraw.ImageDraw, direction: int, x: float, y: float, half: float,
               colour: tuple) -> None:
    """Three parallel bars: horizontal, vertical or diagonal."""
    width = max(2, int(half / 4))
    for offset in (-half / 1.5, 0.0, half / 1.5):
        if direction == 0:
            draw.line((x - half, y + offset, x + half, y + offset), fill=colour, width=width)
        elif direction == 1:
            draw.line((x + offset, y - half, x + offset, y + half), fill=colour, width=width)
        else:
            draw.line((x - half + offset, y + half + offset, x + half + offset, y - half + offset),
                      fill=colour, width=width)
