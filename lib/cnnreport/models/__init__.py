"""Models: the registry and every registered architecture.

Importing this package registers the architectures; `ModelConfig` is the params type of a `model:`
section (any registered config, chosen by its `architecture` key).
"""

from . import convnet, fcn, layers, resnet, scratch_mlp  # noqa: F401  (registration)
from .registry import (Classifier, architecture_name, build_model, config_union, count_parameters,
                       model_entry, model_names)

ModelConfig = config_union()

__all__ = ["Classifier", "ModelConfig", "architecture_name", "build_model", "count_parameters",
           "model_entry", "model_names"]
