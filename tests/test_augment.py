"""Augmentations written from scratch, one-hot targets, the focal loss and a validation pass that
leaves the weights alone."""

from __future__ import annotations

import pytest
import torch

from cnnreport.analysis.validation_check import check_validation
from cnnreport.config.sections import TrainConfig
from cnnreport.data.image_set import ImageSet
from cnnreport.models.layers import ConvLayerConfig, LayersConfig
from cnnreport.models.registry import build_model
from cnnreport.training import augment
from cnnreport.training.engine import augment as augment_batch
from cnnreport.training.losses import batch_targets, focal_loss, handwritten_cross_entropy, loss_function


def images(count: int = 16, size: int = 32) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.rand(count, 3, size, size, generator=generator)


@pytest.mark.parametrize("apply", [
    lambda x, g: augment.random_resized_crop(x, 0.5, g),
    lambda x, g: augment.random_rotation(x, 30, g),
    lambda x, g: augment.colour_jitter(x, 0.4, g),
])
def test_each_augmentation_keeps_shape_dtype_and_range_and_repeats_under_a_seed(apply):
    batch = images()
    first = apply(batch, torch.Generator().manual_seed(42))
    again = apply(batch, torch.Generator().manual_seed(42))
    other = apply(batch, torch.Generator().manual_seed(43))
    assert first.shape == batch.shape and first.dtype == batch.dtype
    assert float(first.min()) >= 0 and float(first.max()) <= 1
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert not torch.allclose(first, batch), "it changes the images"


def test_augmentations_switched_off_leave_images_unchanged():
    batch, generator = images(), torch.Generator().manual_seed(0)
    assert torch.equal(augment.random_resized_crop(batch, 1.0, generator), batch)
    assert torch.equal(augment.random_rotation(batch, 0, generator), batch)
    assert torch.equal(augment.colour_jitter(batch, 0, generator), batch)


def test_a_full_size_crop_and_a_zero_rotation_are_the_identity_warp():
    batch = images(4)
    theta = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]).repeat(4, 1, 1)
    assert torch.allclose(augment._warp(batch, theta), batch, atol=1e-5)


def test_training_batches_stay_uint8_without_float_augmentations():
    stored = (images(8) * 255).to(torch.uint8)
    plain = augment_batch(stored, TrainConfig(augment_shift=2, augment_flip=True),
                          torch.Generator().manual_seed(0), 3)
    assert plain.dtype == torch.uint8
    rich = augment_batch(stored, TrainConfig(augment_crop=0.6, augment_rotate=15, augment_jitter=0.3),
                         torch.Generator().manual_seed(0), 3)
    assert rich.dtype == torch.float32 and rich.shape == (8, 3, 32, 32)


def test_one_hot_targets_have_the_class_count_and_sum_to_one():
    labels = torch.tensor([0, 2, 1, 2])
    targets = batch_targets(labels, TrainConfig(targets="one-hot"), 3)
    assert targets.shape == (4, 3) and targets.sum(dim=1).tolist() == [1.0] * 4
    assert targets.argmax(dim=1).tolist() == labels.tolist()
    assert torch.equal(batch_targets(labels, TrainConfig(), 3), labels)


@pytest.mark.parametrize("loss", ["torch", "handwritten", "focal"])
def test_one_hot_and_index_targets_give_the_same_loss(loss):
    logits = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 1, 2, 2, 1, 0])
    config = TrainConfig(loss=loss, label_smoothing=0.1)
    compute = loss_function(config)
    one_hot = batch_targets(labels, TrainConfig(targets="one-hot"), 3)
    assert float(compute(logits, one_hot)) == pytest.approx(float(compute(logits, labels)), rel=1e-6)


def test_focal_loss_is_cross_entropy_at_gamma_zero_and_discounts_easy_images():
    logits = torch.tensor([[4.0, 0.0, 0.0], [0.0, 0.2, 0.0]])
    labels = torch.tensor([0, 1])
    assert float(focal_loss(logits, labels, gamma=0.0)) == pytest.approx(
        float(handwritten_cross_entropy(logits, labels)), rel=1e-6)
    easy, hard = (float(focal_loss(logits[i:i + 1], labels[i:i + 1], gamma=2.0)) /
                  float(handwritten_cross_entropy(logits[i:i + 1], labels[i:i + 1])) for i in (0, 1))
    assert easy < 0.01 < 0.3 < hard, "a confident right answer counts far less than a doubtful one"


def test_the_validation_pass_changes_no_weight_and_no_batch_norm_statistic():
    config = LayersConfig(layers=(ConvLayerConfig(kernel=3, channels=4, pool="max", batch_norm=True),),
                          hidden=(8,), dropout=0.3)
    model = build_model(config, (3, 16, 16), 3)
    held_out = ImageSet("animals", "test images", (images(10, 16) * 255).to(torch.uint8),
                        torch.arange(10) % 3, ("a", "b", "c"), "real", "x")
    check = check_validation(model, held_out, batch_size=4)
    assert check.unchanged and check.tensors == len(model.state_dict()) and check.changed == ()
    assert check.gradients == 0
    # the check has teeth: a forward pass in training mode moves batch norm's running statistics
    model.train()
    model(held_out.images.float() / 255)
    assert check_validation(model, held_out).unchanged
    before = {name: value.clone() for name, value in model.state_dict().items()}
    model.train()
    model(held_out.images.float() / 255)
    moved = [name for name, value in model.state_dict().items() if not torch.equal(before[name], value)]
    assert "convolutions.1.running_mean" in moved
