"""2-D projections (UMAP or t-SNE) of feature-layer outputs and numbers that say how well they
cluster.

Both run on the CPU and dominate a chapter's time, so embeddings are cached under
`artifacts/embeddings/` by a hash of their input features and settings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..common import atomic
from ..common.paths import artifacts_dir
from ..config.sections import EmbeddingConfig
from ..data.image_set import ImageSet
from ..data.splits import stratified_subset
from .evaluation import Evaluation, evaluate, summary_row
from .inference import LoadedModel, features


@dataclass
class Projection:
    """One model's feature layer on one image set, projected to 2-D, with its cluster scores."""

    coordinates: np.ndarray  # [N, 2]
    labels: np.ndarray  # true labels of the projected images
    class_names: tuple[str, ...]
    scores: dict  # kNN accuracy (2-D) and silhouette
    method: str = "UMAP"  # how it was projected, as the report names it

    @property
    def points(self) -> int:
        return len(self.labels)


def evaluate_and_project(loaded: LoadedModel, image_set: ImageSet, model_name: str, data_name: str,
                         config: EmbeddingConfig, seed: int) -> tuple[Evaluation, Projection]:
    """One model on one test split: its evaluation and the 2-D projection of its feature layer."""
    return (evaluate(loaded, image_set, model_name, data_name),
            project(loaded, image_set, config, seed))


def scores_row(evaluation: Evaluation, projection: Projection) -> dict:
    """Test metrics and cluster scores of one model on one test split, for a table."""
    return {**summary_row(evaluation), f"{projection.method} points": projection.points,
            **projection.scores}


def project(loaded: LoadedModel, image_set: ImageSet, config: EmbeddingConfig,
            seed: int) -> Projection:
    """Feature-layer outputs of a (stratified sample of) `image_set`, their 2-D projection and
    scores."""
    subset = image_set.take(embedding_points(image_set.labels.numpy(), config, seed))
    coordinates = embed_2d(features(loaded.model, subset.images).numpy(), config, seed)
    labels = subset.labels.numpy()
    return Projection(coordinates, labels, image_set.classes,
                      cluster_scores(coordinates, labels, seed), METHOD_NAMES[config.method])


def embedding_points(labels: np.ndarray, config: EmbeddingConfig, seed: int) -> np.ndarray:
    """Positions to project: all of them, or a stratified subsample of `max_points`."""
    if config.max_points is None or config.max_points >= len(labels):
        return np.arange(len(labels))
    return stratified_subset(labels, config.max_points, seed)


METHOD_NAMES = {"umap": "UMAP", "tsne": "t-SNE"}


def embed_2d(features: np.ndarray, config: EmbeddingConfig, seed: int) -> np.ndarray:
    """[N, 2] coordinates by the configured method (cached by a hash of features and settings)."""
    digest = hashlib.sha256(np.ascontiguousarray(features, dtype=np.float32).tobytes())
    settings = (f"{config.n_neighbors}|{config.min_dist}|{seed}" if config.method == "umap" else
                f"tsne|{config.tsne_backend}|{config.perplexity}|{config.tsne_threads}|{seed}")
    digest.update(settings.encode())
    path = artifacts_dir() / "embeddings" / f"{digest.hexdigest()[:16]}.npy"
    if path.is_file():
        return np.load(path)
    project_2d = umap_2d if config.method == "umap" else tsne_2d
    coordinates = project_2d(features, config, seed).astype(np.float32)
    atomic.write_with(path, lambda temporary: _save_npy(temporary, coordinates))
    return coordinates


def umap_2d(features: np.ndarray, config: EmbeddingConfig, seed: int) -> np.ndarray:
    import umap  # imported lazily: numba compilation takes seconds

    reducer = umap.UMAP(n_components=2, n_neighbors=min(config.n_neighbors, len(features) - 1),
                        min_dist=config.min_dist, random_state=seed)
    return reducer.fit_transform(features)


def tsne_2d(features: np.ndarray, config: EmbeddingConfig, seed: int) -> np.ndarray:
    """t-SNE with PCA initialization; perplexity capped below the point count, as both libraries
    require."""
    perplexity = min(config.perplexity, (len(features) - 1) / 3)
    data = np.ascontiguousarray(features, dtype=np.float64)
    if config.tsne_backend == "opentsne":
        from openTSNE import TSNE

        return np.asarray(TSNE(n_components=2, perplexity=perplexity, initialization="pca",
                               random_state=seed, n_jobs=config.tsne_threads).fit(data))
    from sklearn.manifold import TSNE

    return TSNE(n_components=2, perplexity=perplexity, init="pca",
                random_state=seed).fit_transform(data)


def _save_npy(path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array)


def cluster_scores(coordinates: np.ndarray, labels: np.ndarray, seed: int) -> dict:
    """5-fold k-nearest-neighbour accuracy and silhouette score of the classes in the 2-D embedding."""
    from sklearn.metrics import silhouette_score  # lazily: seconds at import, for every study
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    counts = np.bincount(labels)
    folds = int(min(5, counts[counts > 0].min()))
    knn = float("nan")
    if folds >= 2:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        knn = float(cross_val_score(KNeighborsClassifier(n_neighbors=5), coordinates, labels,
                                    cv=splitter).mean())
    silhouette = float(silhouette_score(coordinates, labels)) if len(set(labels)) > 1 else float("nan")
    return {"kNN accuracy (2-D)": knn, "silhouette": silhouette}
