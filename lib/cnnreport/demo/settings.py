"""The live demo's settings, in one place: the command line overrides them."""

from __future__ import annotations

from dataclasses import dataclass

LOCAL_HOST = "127.0.0.1"  # the app is reachable from this machine only, unless told otherwise


@dataclass(frozen=True)
class DemoSettings:
    host: str = LOCAL_HOST
    port: int = 7860  # the first free port from here on is used
    max_upload_bytes: int = 5 * 1024 * 1024  # larger uploads are refused before decoding
    grid_images: int = 10  # "ten at once"
    display_side: int = 224  # pixels of the enlarged image on screen
    grid_side: int = 112  # pixels of each image in the grid
    sketch_canvas: int = 280  # pixels of the drawing pad (MNIST's 28 x 10)
    seed: int | None = None  # random test images: a fresh draw each click unless fixed
