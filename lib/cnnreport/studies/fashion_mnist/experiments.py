"""The runs of the fashion-mnist study, derived from params: the scratch-MLP comparison and its
chosen MLP (question 2), the CNN ablations and the chosen CNN (question 3(a)-(c)), and the scratch
MLP trained on the chosen CNN's frozen features (3(d)). Each function takes `obtain`: `make_run` in
the build, `find_run` in chapters."""

from __future__ import annotations

import dataclasses
import hashlib

from ...analysis.inference import features, load_model
from ...data.image_set import ImageSet
from ...data.splits import DatasetSplits, load_splits
from ...training.engine import TrainingData
from ...training.runs import Obtain, Run, RunSpec, find_run
from ..variants import VariantRuns, compare_variants, train_chosen, with_variant
from .params import FashionParams


def study_splits(params: FashionParams) -> DatasetSplits:
    return load_splits(params, params.data.datasets[0])


def mlp_study(params: FashionParams, obtain: Obtain = find_run) -> VariantRuns:
    return compare_variants(params, study_splits(params), "mlp", ("mlp", "mlp_train"), "mlp_study",
                            lambda config: config, obtain)


def mlp_final(params: FashionParams, study: VariantRuns | None = None,
              obtain: Obtain = find_run) -> Run:
    study = study or mlp_study(params, obtain)
    return train_chosen(params, study_splits(params), "mlp-final", study.chosen_overrides,
                        ("mlp", "mlp_train"), lambda config: config, obtain)


def cnn_study(params: FashionParams, obtain: Obtain = find_run) -> VariantRuns:
    return compare_variants(params, study_splits(params), "cnn", ("cnn", "cnn_train"), "cnn_study",
                            lambda design: design.layers_config(), obtain)


def cnn_final(params: FashionParams, study: VariantRuns | None = None,
              obtain: Obtain = find_run) -> Run:
    study = study or cnn_study(params, obtain)
    return train_chosen(params, study_splits(params), "cnn-final", study.chosen_overrides,
                        ("cnn", "cnn_train"), lambda design: design.layers_config(), obtain)


def feature_splits(params: FashionParams, backbone: Run) -> TrainingData:
    """Train, validation and test images as the frozen CNN's features ([N, F, 1, 1] floats)."""
    splits = study_splits(params)
    loaded = load_model(backbone.model_file)

    def as_features(part: ImageSet) -> ImageSet:
        vectors = features(loaded.model, part.images)
        digest = hashlib.sha256(f"{part.fingerprint}|{backbone.run_id}".encode()).hexdigest()[:16]
        return dataclasses.replace(part, images=vectors[:, :, None, None], feed_channels=None,
                                   display_name=f"{part.display_name} (CNN features)",
                                   fingerprint=digest)

    return TrainingData(*(as_features(splits[name]) for name in ("train", "val", "test")))


def feature_source(backbone: Run) -> str:
    """Where 3(d)'s feature vectors come from, in words, with their length."""
    config = backbone.spec.model
    width = load_model(backbone.model_file).model.output[-1].in_features
    where = (f"the output of its fully connected {config.hidden[-1]}-unit ReLU layer" if config.hidden
             else "the flattened output of its last convolution")
    return f"{where} (the input of its output layer, {width:,} values per image)"


def feature_head(params: FashionParams, backbone: Run | None = None,
                 mlp_choice: VariantRuns | None = None, obtain: Obtain = find_run) -> Run:
    """3(d): the chosen scratch MLP trained on the frozen chosen CNN's features."""
    backbone = backbone or cnn_final(params, obtain=obtain)
    mlp_choice = mlp_choice or mlp_study(params, obtain)
    splits = study_splits(params)
    spec = RunSpec("cnn-features-mlp", splits.name,
                   with_variant(params, mlp_choice.chosen_overrides, "mlp"), params.head_train,
                   params.seed, {**splits.definition(params), "features_of": backbone.run_id})
    return obtain(spec, lambda: feature_splits(params, backbone))
