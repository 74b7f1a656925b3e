"""Benchmark: how long the live demo's answers take, per built study and final model, on this machine.

Times what one click computes on the server (the page adds its own round trip on localhost): a
random test image, a drawn digit, ten at once and Grad-CAM, each after one warm-up call, as the median
and the 95th percentile in milliseconds over `--repeats` calls. Models and test sets are loaded
before timing, as the app holds them after the first click.

    python -m cnnreport.tools.bench_demo [STUDY ...] [--profile P] [--repeats 30]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from ..demo.catalog import catalog
from ..demo.presenter import Presenter
from ..demo.settings import DemoSettings

DRAWING_SIDE = 280  # a sketch pad's canvas


def drawn_stroke() -> np.ndarray:
    """An RGBA drawing as the sketch pad sends it: a dark vertical stroke on a transparent canvas."""
    canvas = np.zeros((DRAWING_SIDE, DRAWING_SIDE, 4), np.uint8)
    canvas[40:240, 125:155] = (0, 0, 0, 255)
    return canvas


def milliseconds(action, repeats: int) -> tuple[float, float]:
    action()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times)), float(np.percentile(times, 95))


def bench_model(presenter: Presenter, study: str, key: str, repeats: int) -> dict[str, tuple]:
    served = presenter.model(study, key)
    presenter.select(study, key)
    dataset = served.dataset
    shown = presenter.random_test(study, key, dataset)
    actions = {"random test image": lambda: presenter.random_test(study, key, dataset),
               "drawing": lambda: presenter.picture(study, key, drawn_stroke(), "drawing"),
               "ten at once": lambda: presenter.several(study, key, dataset)}
    if served.has_gradcam:
        actions["Grad-CAM"] = lambda: presenter.gradcam(shown)
    return {name: milliseconds(action, repeats) for name, action in actions.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("studies", nargs="*", help="default: every built study")
    parser.add_argument("--profile", help="whose final models (default: each study's last build)")
    parser.add_argument("--repeats", type=int, default=30)
    arguments = parser.parse_args(argv)
    presenter = Presenter(catalog(arguments.studies or None, arguments.profile), DemoSettings(seed=0))
    print(f"CPU: {platform.processor() or platform.machine()}, torch threads "
          f"{torch.get_num_threads()}; milliseconds per call, median / 95th percentile")
    for study, entry in presenter.studies.items():
        if not entry.built:
            print(f"{study}: not built, skipped")
            continue
        for key in entry.models:
            try:
                timings = bench_model(presenter, study, key, arguments.repeats)
            except ValueError as error:  # a model the demo cannot show says why
                print(f"{study} / {key}: {error}")
                continue
            cells = ", ".join(f"{name} {median:.1f} / {p95:.1f}"
                              for name, (median, p95) in timings.items())
            print(f"{study} / {key} ({entry.profile}): {cells}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
