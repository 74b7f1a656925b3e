"""The fashion-mnist study: its params, the 5-convolution designs (shapes, parameter counts,
initializations) and the features of a frozen CNN fed to the scratch MLP."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from cnnreport.config.typed_yaml import ConfigError
from cnnreport.models import build_model, count_parameters
from cnnreport.models.layers import layer_table
from cnnreport.studies.fashion_mnist.params import CNNDesign
from cnnreport.studies.registry import load_study_params
from cnnreport.studies.variants import VariantRuns

from conftest import REPO


def test_full_profile_answers_assignment_001():
    params = load_study_params("fashion-mnist", "full", root=REPO)
    split = params.data.split
    assert (split.train, split.val, split.test) == (0.8, 0.1, 0.1)
    assert params.data.datasets == ("fashion-mnist",)
    assert {next(iter(v)) for v in params.mlp_study.variants if v} >= {
        "mlp.hidden", "mlp.dropout", "mlp.activation"}
    activations = {v["mlp.activation"] for v in params.mlp_study.variants if "mlp.activation" in v}
    assert activations | {params.mlp.activation} == {"relu", "leaky_relu", "tanh", "gelu"}
    inits = {v["cnn.init"] for v in params.cnn_study.variants if "cnn.init" in v}
    assert inits == {"normal", "xavier", "he"}
    assert sum(member.contribution for member in params.group.members) == 100


@pytest.mark.parametrize("overrides, message", [
    ({"mlp_train.optimizer": "adamw"}, "mlp_train.optimizer: the scratch MLP has sgd and adam"),
    ({"head_train.schedule": "onecycle"}, "head_train.schedule: the scratch MLP has none and cosine"),
    ({"mlp_train.augment_shift": 2}, "the scratch MLP trains without augment_shift"),
    ({"cnn.kernel": 4}, "cnn.kernel must be odd"),
    ({"cnn.pool_after": [0]}, "cnn.pool_after[0] must be a convolution from 1 to 5"),
    ({"cnn_study.variants": [{"cnn.kernal": 5}]}, "unknown key cnn.'kernal'; did you mean cnn.'kernel'?"),
    ({"mlp_study.variants": [{"cnn.kernel": 5}]}, "must start with 'mlp.' or 'mlp_train.'"),
    ({"group.members": [{"name": "a", "contribution": 60}]},
     "members' contributions must add up to 100 (percent), got 60"),
])
def test_bad_study_params_are_refused_before_anything_runs(overrides, message):
    with pytest.raises(ConfigError) as error:
        load_study_params("fashion-mnist", "full", overrides, root=REPO)
    assert message in str(error.value)


@pytest.mark.parametrize("changes, output_shape, parameters", [
    # five 3x3 convolutions of 32 filters: 1*32*9+32 = 320, then 4 x (32*32*9+32) = 4 x 9,248;
    # pools after 1, 2, 4: 28 -> 14 -> 7 -> 3, so 32*3*3 = 288 features -> 10 classes: 2,890
    ({}, (32, 3, 3), 320 + 4 * 9248 + 2890),
    ({"pool": "avg"}, (32, 3, 3), 320 + 4 * 9248 + 2890),
    ({"head": "global-average"}, (32, 1, 1), 320 + 4 * 9248 + 330),
    ({"filters": "double", "base_channels": 8},  # 8, 16, 32, 64, 128 filters; 128*3*3 features
     (128, 3, 3), (80 + 1168 + 4640 + 18496 + 73856) + (1152 * 10 + 10)),
    ({"kernel": 5}, (32, 3, 3), (32 * 25 + 32) + 4 * (32 * 32 * 25 + 32) + 2890),
    ({"batch_norm": True, "hidden": (128,), "dropout": 0.3},  # BN: 2 x 32 per convolution
     (32, 3, 3), 320 + 4 * 9248 + 5 * 64 + (288 * 128 + 128) + (128 * 10 + 10)),
])
def test_five_convolution_designs_have_the_computed_shapes_and_parameters(changes, output_shape,
                                                                         parameters):
    design = dataclasses.replace(CNNDesign(), **changes)
    config = design.layers_config()
    assert len(config.layers) == 5 and all(layer.activation in (None, "relu") for layer in config.layers)
    model = build_model(config, (1, 28, 28), 10)
    rows = layer_table(model)
    last_conv = [row for row in rows if row["layer"] == "Flatten"][0]
    before = rows[rows.index(last_conv) - 1]
    assert before["output shape"] == output_shape
    assert count_parameters(model) == parameters
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 10)


@pytest.mark.parametrize("init, expected_std", [
    ("normal", lambda fan_in, fan_out: 0.01),
    ("xavier", lambda fan_in, fan_out: (2 / (fan_in + fan_out)) ** 0.5),
    ("he", lambda fan_in, fan_out: (2 / fan_in) ** 0.5)])
def test_initializations_have_the_expected_variance(init, expected_std):
    torch.manual_seed(0)
    model = build_model(dataclasses.replace(CNNDesign(), init=init).layers_config(), (1, 28, 28), 10)
    convolution = model.convolutions[3]  # the second convolution: 32 -> 32, 3x3
    fan_in, fan_out = 32 * 9, 32 * 9
    assert float(convolution.weight.detach().std()) == pytest.approx(expected_std(fan_in, fan_out),
                                                                     rel=0.05)
    assert float(convolution.bias.detach().abs().max()) == 0.0


def test_design_and_training_say_in_words_what_they_do():
    design = dataclasses.replace(CNNDesign(), hidden=(128,), dropout=0.3, batch_norm=True,
                                 filters="double", base_channels=16)
    assert design.description() == (
        "five convolutions (3×3, zero padding keeping the size, 16-32-64-128-256 filters), each "
        "followed by batch normalization and ReLU, with 2×2 stride-2 max pooling after "
        "convolutions 1, 2, 4, then a 128-unit ReLU layer, dropout 0.3, a linear classifier over "
        "the flattened output")
    assert dataclasses.replace(CNNDesign(), head="global-average").description().endswith(
        "then a linear classifier over the global average of each channel")
    params = load_study_params("fashion-mnist", "full", root=REPO)
    assert dataclasses.replace(params.cnn_train, augment_shift=1, augment_flip=True).augmentation() \
        == "random shifts of up to 1 pixel(s) and random horizontal flips"
    assert dataclasses.replace(params.cnn_train, augment_shift=0, augment_flip=False).augmentation() \
        == "no augmentation"


def test_comparisons_are_grouped_by_the_keys_they_change():
    study = VariantRuns(names=["baseline", "pool=avg", "kernel=5", "filters=same, base_channels=32"],
                        overrides=[{}, {"cnn.pool": "avg"}, {"cnn.kernel": 5},
                                   {"cnn.filters": "same", "cnn.base_channels": 32}],
                        runs=[])
    assert study.names_changing("cnn.pool", "cnn.head") == ["pool=avg"]
    assert study.names_changing("cnn.kernel", "cnn.base_channels") == [
        "kernel=5", "filters=same, base_channels=32"]
    assert study.names_changing("cnn.init") == []
