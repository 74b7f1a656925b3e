"""The model registry and the `layers` CNN, checked against hand-computed shapes and counts."""

from __future__ import annotations

import pytest
import torch

from cnnreport.analysis.inference import load_model
from cnnreport.config.typed_yaml import ConfigError, coerce, problems_of
from cnnreport.models import ModelConfig, build_model, count_parameters, model_names
from cnnreport.models.fcn import FCNConfig
from cnnreport.models.layers import ConvLayerConfig, LayersConfig, layer_table
from cnnreport.models.resnet import ResNetConfig
from cnnreport.studies.registry import load_study_params

from conftest import REPO

# Assignment 004, section 3: 7x7 -> 16 (max-pool stride 1), 5x5 -> 8 (max-pool stride 1),
# 3x3 -> 4 (average-pool stride 2), zero padding keeping the size, 2x2 pooling windows.
NETWORK_004 = LayersConfig(layers=(
    ConvLayerConfig(kernel=7, channels=16, pool="max", pool_stride=1),
    ConvLayerConfig(kernel=5, channels=8, pool="max", pool_stride=1),
    ConvLayerConfig(kernel=3, channels=4, pool="avg", pool_stride=2)))


def test_registry_lists_every_architecture_and_builds_from_a_mapping():
    assert model_names() == ("convnet", "fcn", "layers", "resnet", "scratch-mlp")
    config = coerce({"architecture": "layers", "layers": [{"kernel": 3, "channels": 2}]},
                    ModelConfig, "model", "test")
    assert isinstance(config, LayersConfig) and config.layers[0].pool == "none"
    with pytest.raises(ConfigError, match="model.architecture is missing; choose one of: convnet, fcn, layers, resnet, scratch-mlp"):
        coerce({"layers": []}, ModelConfig, "model", "test")


def test_network_004_shapes_and_parameters_match_hand_computation():
    # convolutions: 7*7*1*16+16 = 800, 5*5*16*8+8 = 3208, 3*3*8*4+4 = 292 -> 4,300
    # sizes: 28 -(max 2, s1)-> 27 -(max 2, s1)-> 26 -(avg 2, s2)-> 13; 4*13*13 = 676 features
    ten = build_model(NETWORK_004, (1, 28, 28), 10)
    rows = layer_table(ten)
    assert [row["output shape"] for row in rows if row["parameters"] or "Pool" in row["layer"]] == [
        (16, 28, 28), (16, 27, 27), (8, 27, 27), (8, 26, 26), (4, 26, 26), (4, 13, 13), (10,)]
    assert [row["parameters"] for row in rows if row["parameters"]] == [800, 3208, 292, 6770]
    assert count_parameters(ten) == 4300 + 677 * 10 == 11070
    assert count_parameters(ten, trainable_only=True) == 11070
    four = build_model(NETWORK_004, (1, 28, 28), 4)
    assert count_parameters(four) == 4300 + 677 * 4 == 7008
    images = torch.rand(5, 1, 28, 28)
    assert ten(images).shape == (5, 10) and four(images).shape == (5, 4)
    assert ten.features(images).shape == (5, 676)
    assert NETWORK_004.tag() == "layers-k7c16m1.k5c8m1.k3c4a2-relu"


def test_the_study_params_declare_exactly_network_004():
    params = load_study_params("mnist-merged", "full", root=REPO)
    assert params.model == NETWORK_004


def test_global_average_pooling_hidden_layers_and_initializations():
    config = LayersConfig(layers=(ConvLayerConfig(kernel=3, channels=8, batch_norm=True),
                                  ConvLayerConfig(kernel=3, channels=16, pool="global-average")),
                          hidden=(32,), init="he")
    model = build_model(config, (3, 32, 32), 5)
    assert model.features(torch.rand(2, 3, 32, 32)).shape == (2, 32)
    assert float(model.output[-1].bias.detach().abs().sum()) == 0.0, "non-default inits zero the biases"
    normal = build_model(LayersConfig(layers=config.layers, init="normal"), (3, 32, 32), 5)
    assert float(normal.convolutions[0].weight.detach().std()) == pytest.approx(0.01, rel=0.2)
    assert config.tag() == "layers-k3c8b.k3c16g-relu-h32-he"
    with pytest.raises(ConfigError, match="kernel 4 is even: 'same' padding needs an odd kernel"):
        load_study_params("mnist-merged", "full",
                          {"model.layers": [{"kernel": 4, "channels": 2}]}, root=REPO)


def test_a_saved_layers_model_rebuilds_from_its_file(tmp_path):
    from cnnreport.training.runs import MODEL_FORMAT

    model = build_model(NETWORK_004, (1, 28, 28), 4)
    torch.save({"format": MODEL_FORMAT, "architecture": NETWORK_004.tag(),
                "model_config": {"architecture": "layers", "layers": [
                    {"kernel": layer.kernel, "channels": layer.channels, "pool": layer.pool,
                     "pool_stride": layer.pool_stride} for layer in NETWORK_004.layers]},
                "state_dict": model.state_dict(), "input_shape": [1, 28, 28],
                "class_names": ["a", "b", "c", "d"], "dataset": "mnist"}, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    images = torch.rand(3, 1, 28, 28)
    assert torch.allclose(loaded.model(images), model.eval()(images))
    assert loaded.class_names == ("a", "b", "c", "d")


def test_fcn_is_linear_layers_with_hand_counted_parameters():
    model = build_model(FCNConfig(hidden=(512, 256)), (1, 28, 28), 10)
    assert count_parameters(model) == (784 * 512 + 512) + (512 * 256 + 256) + (256 * 10 + 10)
    assert {type(m).__name__ for m in model.modules()} <= {"FCN", "Sequential", "Flatten", "Linear",
                                                           "ReLU"}
    images = torch.rand(4, 1, 28, 28)
    assert model.features(images).shape == (4, 256) and model(images).shape == (4, 10)
    assert problems_of(FCNConfig(hidden=()), "model.") == [
        "model.hidden needs at least one layer (without one it is a linear classifier)"]


def test_resnet18_for_small_images_has_the_published_parameter_count():
    model = build_model(ResNetConfig(), (3, 32, 32), 100)
    # ResNet-18 for CIFAR (3x3 stem, no max-pool): 11,173,962 parameters for 10 classes,
    # plus 90 more outputs of 513 weights each for 100 classes
    assert count_parameters(model) == 11_173_962 + 90 * 513
    small = build_model(ResNetConfig(widths=(8, 16), blocks=(1, 1)), (3, 32, 32), 100)
    images = torch.rand(2, 3, 32, 32)
    assert small.features(images).shape == (2, 16) and small(images).shape == (2, 100)
    block = small.body[3]
    assert float(block.residual[-1].weight.detach().abs().sum()) == 0, "blocks start as the identity"
    assert problems_of(ResNetConfig(widths=(8, 16), blocks=(1,)), "model.") == [
        "model.widths and blocks need one entry per stage, got 2 and 1"]
