"""Saved models: loading, refusing mismatches, predicting, evaluating, embedding."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnreport.analysis.embedding import cluster_scores, embed_2d
from cnnreport.analysis.evaluation import evaluate, misclassified_by_class
from cnnreport.analysis.inference import ModelFileError, load_model, predict
from cnnreport.common.paths import artifacts_dir
from cnnreport.config.sections import EmbeddingConfig
from cnnreport.data.image_set import to_model_input
from cnnreport.data.splits import load_splits
from cnnreport.models import build_model
from cnnreport.training.engine import predict_logits

from conftest import TINY_MODEL


def test_load_model_predicts_exactly_like_the_in_memory_model(saved_run):
    run, splits = saved_run
    in_memory = build_model(TINY_MODEL, (3, 32, 32), 10)
    in_memory.load_state_dict(torch.load(run.folder / "model_best.pt", weights_only=True)["model"])
    expected = torch.softmax(predict_logits(in_memory, splits.test.images, 256), dim=1)
    loaded = load_model(run.model_file)
    probabilities = predict(loaded.model, splits.test.images)
    assert probabilities.shape == (1200, 10)
    assert torch.allclose(probabilities.cpu(), expected, atol=1e-6)
    assert torch.allclose(probabilities.sum(1).cpu(), torch.ones(1200), atol=1e-5)
    assert loaded.info["dataset"] == "mnist" and loaded.info["epoch"] == run.best_epoch
    assert loaded.class_names == tuple("0123456789") and loaded.model.input_shape == (3, 32, 32)


def test_mismatched_or_foreign_files_are_refused(saved_run, tmp_path):
    run, _ = saved_run
    payload = torch.load(run.model_file, weights_only=True)
    wrong_width = dict(payload, model_config=dict(payload["model_config"], feature_dim=64),
                       architecture="convnet-c8.16x2-f64-relu")
    torch.save(dict(payload, model_config=dict(payload["model_config"], architecture="vgg")),
               tmp_path / "unknown.pt")
    with pytest.raises(ModelFileError, match="model_config.architecture = 'vgg' is not allowed; "
                                             "choose one of: convnet, fcn, layers, resnet, scratch-mlp"):
        load_model(tmp_path / "unknown.pt")
    torch.save(wrong_width, tmp_path / "wrong.pt")
    with pytest.raises(ModelFileError, match="weights do not match architecture "
                                             "'convnet-c8.16x2-f64-relu'"):
        load_model(tmp_path / "wrong.pt")
    torch.save(dict(payload, architecture="convnet-c64x2-f9-relu"), tmp_path / "lying.pt")
    with pytest.raises(ModelFileError, match="does not match its model config"):
        load_model(tmp_path / "lying.pt")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    with pytest.raises(ModelFileError, match="not a cnn-report model file"):
        load_model(tmp_path / "foreign.pt")
    with pytest.raises(ModelFileError, match="expected 'convnet-c16.32.64x2-f64-relu'"):
        load_model(run.model_file, expected_architecture="convnet-c16.32.64x2-f64-relu")
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "missing.pt")


def test_confusion_matrix_counts_every_test_image(saved_run):
    run, splits = saved_run
    evaluation = evaluate(load_model(run.model_file), splits.test, "MNIST model", "MNIST test")
    confusion = np.array(evaluation.metrics["confusion"])
    assert confusion.sum() == len(splits.test) == 1200
    assert np.trace(confusion) == int((evaluation.predictions == evaluation.labels).sum())
    chosen = misclassified_by_class(evaluation, 3)
    for label, positions in chosen.items():
        assert len(positions) <= 3
        assert all(evaluation.labels[p] == label != evaluation.predictions[p] for p in positions)


def test_cross_dataset_inputs_share_the_model_format(saved_run, quick_params):
    run, _ = saved_run
    svhn = load_splits(quick_params, "svhn").test  # the stand-in where real SVHN is absent
    mnist = load_splits(quick_params, "mnist").test
    assert svhn.input_shape == mnist.input_shape == (3, 32, 32)
    for images in (svhn.images[:16], mnist.images[:16]):
        batch = to_model_input(images, 3)
        assert batch.shape == (16, 3, 32, 32) and batch.dtype == torch.float32
        assert 0.0 <= float(batch.min()) and float(batch.max()) <= 1.0
    evaluation = evaluate(load_model(run.model_file), svhn.take(np.arange(200)), "MNIST model",
                          "SVHN test")
    assert np.array(evaluation.metrics["confusion"]).sum() == 200


@pytest.mark.parametrize("method, backend", [("umap", "opentsne"), ("tsne", "opentsne"),
                                             ("tsne", "sklearn")])
def test_projection_shape_determinism_and_separation(method, backend):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 100)
    features = rng.normal(size=(300, 16)).astype(np.float32) + labels[:, None] * 3.0
    config = EmbeddingConfig(method=method, tsne_backend=backend, n_neighbors=10, min_dist=0.1,
                             perplexity=30, max_points=None)
    first = embed_2d(features, config, seed=42)
    assert first.shape == (300, 2) and first.dtype == np.float32
    for cached in (artifacts_dir() / "embeddings").glob("*.npy"):
        cached.unlink()  # recompute, not reload
    second = embed_2d(features, config, seed=42)
    assert np.array_equal(first, second)
    scores = cluster_scores(first, labels, seed=42)
    assert scores["kNN accuracy (2-D)"] > 0.95 and scores["silhouette"] > 0.5
