"""The live demo's exposure: where it listens, and uploads that are too large, misnamed, not
images, or decompression bombs. Uploads are decoded by content, never by their file name."""

from __future__ import annotations

import struct
import zlib

from .kit import Bench, Outcome, expect_error, fault_case

DEMO = "demo uploads and exposure"
BOMB_SIDE = 50_000  # a PNG header claiming 50,000 x 50,000 pixels (2.5 gigapixels)


def _picture_error():
    from ..demo.inputs import PictureError

    return (PictureError,)


def _decode(path, max_bytes: int | None = None):
    from ..demo.inputs import decode_upload
    from ..demo.settings import DemoSettings

    return decode_upload(path, max_bytes or DemoSettings().max_upload_bytes)


@fault_case(DEMO)
def listens_on_this_machine_only_by_default(bench: Bench) -> Outcome:
    """Without --host the app listens on 127.0.0.1, not on every interface."""
    from ..tools.demo import parse

    host = parse([]).host
    return Outcome(host == "127.0.0.1", 0, f"default host {host}")


@fault_case(DEMO)
def oversized_upload(bench: Bench) -> Outcome:
    """An upload over the size limit is refused before it is decoded."""
    from ..demo.settings import DemoSettings

    limit = DemoSettings().max_upload_bytes
    path = bench.folder / "huge.png"
    path.write_bytes(b"\0" * (limit + 1))
    return expect_error(lambda: _decode(path), _picture_error(),
                        ["huge.png", f"{limit + 1:,} bytes", f"limited to {limit:,}"])


@fault_case(DEMO)
def png_named_like_a_jpeg(bench: Bench) -> Outcome:
    """A PNG saved as photo.jpg is decoded by its content."""
    from PIL import Image

    path = bench.folder / "photo.jpg"
    Image.new("RGB", (40, 30), (200, 30, 30)).save(path, format="PNG")
    pixels = _decode(path)
    return Outcome(pixels.shape == (30, 40, 4) and int(pixels[0, 0, 0]) == 200, 0,
                   f"decoded as {pixels.shape}")


@fault_case(DEMO)
def text_named_like_an_image(bench: Bench) -> Outcome:
    """A script saved as picture.png is refused as not an image."""
    path = bench.folder / "picture.png"
    path.write_text("#!/bin/sh\necho pwned\n")
    return expect_error(lambda: _decode(path), _picture_error(),
                        ["picture.png", "not a readable image", "upload one of"])


@fault_case(DEMO)
def decompression_bomb(bench: Bench) -> Outcome:
    """A tiny PNG whose header claims 2.5 gigapixels is refused before its pixels are allocated."""
    path = bench.folder / "bomb.png"
    path.write_bytes(_png_header_only(BOMB_SIDE, BOMB_SIDE))
    return expect_error(lambda: _decode(path), _picture_error(),
                        ["bomb.png", "not a readable image", "DecompressionBomb"])


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
