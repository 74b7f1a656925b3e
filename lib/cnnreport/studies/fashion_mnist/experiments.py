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
from ..variants import VariantRuns, training_data, variant_name, variant_slug, with_variant
from .params import FashionParams


def study_splits(params: FashionParams) -> DatasetSplits:
    return load_splits(params, params.data.datasets[0])


def _compare(params: FashionParams, label: str, model_section: str, train_section: str,
             study_key: str, model_config, obtain: Obtain) -> VariantRuns:
    """Every variant of `params.<study_key>`, trained briefly; `model_config` turns the (varied)
    model section into a registered model config."""
    study = getattr(params, study_key)
    splits = study_splits(params)
    data, subset = training_data(splits, study.max_train_images, params.seed)
    names, overrides, runs = [], [], []
    for variant in study.variants:
        name = variant_name(variant)
        train = dataclasses.replace(with_variant(params, variant, train_section), epochs=study.epochs)
        spec = RunSpec(f"{label}-{variant_slug(name)}", splits.name,
                       model_config(with_variant(params, variant, model_section)), train,
                       params.seed, splits.definition(params), subset)
        names.append(name)
        overrides.append(dict(variant))
        runs.append(obtain(spec, data))
    return VariantRuns(names, overrides, runs)


def _final(params: FashionParams, label: str, chosen: dict, model_section: str,
           train_section: str, model_config, obtain: Obtain) -> Run:
    """The chosen variant trained for its section's full epochs on all training images."""
    splits = study_splits(params)
    spec = RunSpec(label, splits.name, model_config(with_variant(params, chosen, model_section)),
                   with_variant(params, chosen, train_section), params.seed,
                   splits.definition(params))
    return obtain(spec, TrainingData(splits.train, splits.val, splits.test))


def mlp_study(params: FashionParams, obtain: Obtain = find_run) -> VariantRuns:
    return _compare(params, "mlp", "mlp", "mlp_train", "mlp_study", lambda config: config, obtain)


def mlp_final(params: FashionParams, study: VariantRuns | None = None,
              obtain: Obtain = find_run) -> Run:
    study = study or mlp_study(params, obtain)
    return _final(params, "mlp-final", study.chosen_overrides, "mlp", "mlp_train",
                  lambda config: config, obtain)


def cnn_study(params: FashionParams, obtain: Obtain = find_run) -> VariantRuns:
    return _compare(params, "cnn", "cnn", "cnn_train", "cnn_study",
                    lambda design: design.layers_config(), obtain)


def cnn_final(params: FashionParams, study: VariantRuns | None = None,
              obtain: Obtain = find_run) -> Run:
    study = study or cnn_study(params, obtain)
    return _final(params, "cnn-final", study.chosen_overrides, "cnn", "cnn_train",
                  lambda design: design.layers_config(), obtain)


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
