"""Benchmark: t-SNE by openTSNE against scikit-learn's, on the same points, in one process each.

The points are a stratified sample of the study's first dataset's test split, as flattened pixels
in [0, 1] (what a feature layer's output would be, at a larger width). Prints the seconds of the
projection alone and the 2-D kNN accuracy and silhouette of the result, so a faster backend can be
checked not to be a worse one.

    python -m cnnreport.tools.bench_embedding --backend opentsne [--points 5000] [--study mnist-svhn]
"""

from __future__ import annotations

import argparse
import time

from ..analysis.embedding import cluster_scores, embedding_points, tsne_2d
from ..config.sections import EmbeddingConfig
from ..data.splits import load_splits
from ..studies.registry import DEFAULT_STUDY, load_study_params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("opentsne", "sklearn"), required=True)
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--study", default=DEFAULT_STUDY)
    parser.add_argument("--profile", default="full")
    options = parser.parse_args(argv)
    params = load_study_params(options.study, options.profile)
    test = load_splits(params, params.data.datasets[0]).test
    config = EmbeddingConfig(method="tsne", tsne_backend=options.backend,
                             max_points=options.points)
    sample = test.take(embedding_points(test.labels.numpy(), config, params.seed))
    pixels = sample.images.flatten(1).float().numpy() / 255
    started = time.perf_counter()
    coordinates = tsne_2d(pixels, config, params.seed)
    seconds = time.perf_counter() - started
    scores = cluster_scores(coordinates, sample.labels.numpy(), params.seed)
    print(f"t-SNE {options.backend}: {len(pixels):,} points x {pixels.shape[1]} values in "
          f"{seconds:.1f} s; kNN accuracy (2-D) {scores['kNN accuracy (2-D)']:.3f}, "
          f"silhouette {scores['silhouette']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
