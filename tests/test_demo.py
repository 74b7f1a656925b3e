"""The demo without a browser: what each control computes, the pictures' preparation, the gallery,
the command line's messages."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from cnnreport.analysis.inference import ModelFileError, load_model, predict
from cnnreport.common.paths import study_dir
from cnnreport.data.registry import get_dataset
from cnnreport.demo.catalog import catalog
from cnnreport.demo.inputs import PictureError, decode_upload, picture_to_image
from cnnreport.demo.presenter import Presenter
from cnnreport.demo.settings import DemoSettings
from cnnreport.demo.views import heat_overlay
from cnnreport.tools import demo
from cnnreport.training.runs import record_final_models

from conftest import REPO


@pytest.fixture
def presenter(saved_run, monkeypatch, tmp_path):
    """A presenter over a private artifacts folder where only mnist-svhn (quick) is built."""
    run, _ = saved_run
    monkeypatch.chdir(REPO)
    record_final_models("mnist-svhn", "quick", {"mnist": run})
    yield Presenter(catalog(), DemoSettings(seed=5))
    (study_dir("mnist-svhn", "quick") / "final.json").unlink()


def test_random_test_image_shows_the_model_s_own_probabilities(presenter, saved_run):
    run, splits = saved_run
    shown = presenter.random_test("mnist-svhn", "mnist", "mnist", "7")
    position = int(shown.source.rsplit("#", 1)[1])
    assert shown.source.startswith("MNIST test image #") and splits.test.labels[position] == 7
    expected = predict(load_model(run.model_file).model, splits.test.images[position:position + 1])
    assert np.allclose(shown.prediction.probabilities, expected[0].numpy(), atol=1e-6)
    assert shown.prediction.true_name == "7"
    table = shown.prediction.table()
    assert table.count("\n") == 12 and f"| 7 | {expected[0, 7]:.4f} |" in table


def test_ten_at_once_counts_right_answers_and_cross_dataset_uses_the_other_test_set(presenter):
    items, summary = presenter.several("mnist-svhn", "mnist", "mnist")
    right = sum(caption.startswith("✓") for _, caption in items)
    assert len(items) == 10 and summary.startswith(f"**{right} of 10 correct** on MNIST")
    assert items[0][0].shape == (96, 96, 3) and items[0][0].dtype == np.uint8
    other = presenter.random_test("mnist-svhn", "mnist", "svhn")
    assert other.source.startswith("SVHN") and other.image.shape == (3, 32, 32)
    assert presenter.select("mnist-svhn", "mnist").datasets == ("mnist", "svhn")


def test_misclassified_browser_lists_exactly_the_wrong_predictions(presenter, saved_run):
    run, splits = saved_run
    probabilities = predict(load_model(run.model_file).model, splits.test.images).numpy()
    wrong = np.flatnonzero(probabilities.argmax(1) != splits.test.labels.numpy())
    shown, where = presenter.misclassified("mnist-svhn", "mnist", "mnist", 0)
    assert where == f"misclassified 1 of {len(wrong):,} (of 1,200 test images)"
    assert shown.source.endswith(f"#{wrong[0]}") and shown.prediction.correct is False
    last, where = presenter.misclassified("mnist-svhn", "mnist", "mnist", -1)
    assert last.source.endswith(f"#{wrong[-1]}") and where.startswith(f"misclassified {len(wrong)} ")


def test_gradcam_overlay_is_the_enlarged_image_with_a_heat_map(presenter):
    shown = presenter.random_test("mnist-svhn", "mnist", "mnist")
    overlay = presenter.gradcam(shown)
    assert overlay.shape == (224, 224, 3) and overlay.dtype == np.uint8
    cold = heat_overlay(shown.image, np.zeros((32, 32), np.float32), 224)
    assert not np.array_equal(overlay, cold)  # the map is not empty


def test_unbuilt_study_and_unknown_model_say_what_to_do(presenter):
    assert ("fashion-mnist (not built)", "fashion-mnist") in presenter.study_choices()
    with pytest.raises(ModelFileError, match=r"has not been built .* `nox -s build_report -- "
                                             r"fashion-mnist`"):
        presenter.random_test("fashion-mnist", None, "fashion-mnist")
    with pytest.raises(ModelFileError, match="has no final model 'svhn'; choose one of: mnist"):
        presenter.select("mnist-svhn", "svhn")


def test_a_foreign_or_mismatched_model_file_is_named(presenter, saved_run, tmp_path):
    run, _ = saved_run
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(3)}, foreign)
    presenter.studies["mnist-svhn"].models["foreign"] = foreign
    with pytest.raises(ModelFileError, match="foreign.pt is not a cnn-report model file"):
        presenter.select("mnist-svhn", "foreign")
    payload = torch.load(run.model_file, weights_only=True)
    payload["split"] = dict(payload["split"], fingerprint="0123456789ab")
    other_data = tmp_path / "other-data.pt"
    torch.save(payload, other_data)
    presenter.studies["mnist-svhn"].models["other"] = other_data
    with pytest.raises(ModelFileError, match="was trained on split 0123456789ab: not the same data"):
        presenter.select("mnist-svhn", "other")


def test_a_digit_drawn_on_paper_is_prepared_like_mnist(saved_run):
    _, splits = saved_run
    digit = splits.test.images[3, 0].numpy()  # a real MNIST test digit, 28 px padded to 32
    paper = np.full((300, 240), 255, np.uint8)
    paper[40:136, 70:166] = 255 - np.kron(digit, np.ones((3, 3), np.uint8))  # dark ink, 3x larger
    prepared = picture_to_image(paper, get_dataset("mnist"), 32)
    assert prepared.shape == (1, 32, 32) and prepared.dtype == torch.uint8
    correlation = np.corrcoef(prepared[0].numpy().ravel(), digit.ravel())[0, 1]
    assert correlation > 0.8  # the same digit, re-centred and rescaled into MNIST's 20-px box
    ink = np.nonzero(prepared[0].numpy() > 25)
    assert 2 <= ink[0].min() and ink[0].max() <= 29  # inside the 28 px frame padded to 32
    with pytest.raises(PictureError, match="blank"):
        picture_to_image(np.full((50, 50), 255, np.uint8), get_dataset("mnist"), 32)


def test_photos_are_resized_and_centre_cropped_in_colour():
    photo = np.zeros((60, 90, 3), np.uint8)
    photo[:, 30:60] = (200, 10, 10)  # a red band in the middle third
    prepared = picture_to_image(photo, get_dataset("svhn"), 32)
    assert prepared.shape == (3, 32, 32)
    assert prepared[0, 16, 16] > 150 and prepared[1, 16, 16] < 40  # the red centre survives


def test_uploads_are_decoded_by_content_with_a_size_limit(tmp_path):
    png = io.BytesIO()
    Image.fromarray(np.full((8, 8), 200, np.uint8)).save(png, format="PNG")
    disguised = tmp_path / "digit.txt"
    disguised.write_bytes(png.getvalue())
    assert decode_upload(disguised, 10_000).shape == (8, 8, 4)
    fake = tmp_path / "photo.png"
    fake.write_text("not an image at all")
    with pytest.raises(PictureError, match="photo.png is not a readable image"):
        decode_upload(fake, 10_000)
    with pytest.raises(PictureError, match=r"digit.txt is \d+ bytes; uploads are limited to 10"):
        decode_upload(disguised, 10)


def test_static_gallery_from_a_saved_model(saved_run, capsys, monkeypatch):
    run, _ = saved_run
    monkeypatch.chdir(REPO)
    exit_code = demo.main(["mnist-svhn", "--gallery", "--model", str(run.model_file), "--n", "6",
                           "--seed", "3", "--no-open", "--profile", "quick"])
    assert exit_code == 0
    output = capsys.readouterr().out
    assert "/6 correct; gallery written to" in output
    page = (study_dir("mnist-svhn", "quick") / "demo" / f"{run.model_file.stem}-on-mnist.html")
    text = page.read_text()
    assert text.count("data:image/png;base64,") == 2
    assert run.model_file.name in text and "of 6 correct" in text


def test_gallery_without_a_model_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(tmp_path))
    monkeypatch.chdir(REPO)
    assert demo.main(["mnist-svhn", "--gallery", "--key", "svhn", "--no-open"]) == 1
    error = capsys.readouterr().err
    assert "no final models are recorded in" in error and "nox -s build_report -- mnist-svhn" in error


def test_gallery_captions_never_cover_the_row_above(saved_run):
    from cnnreport.book import figures

    _, splits = saved_run
    probabilities = np.random.default_rng(0).dirichlet(np.ones(10), 12)
    figure = figures.prediction_gallery(splits.test.images[:12], splits.test.labels[:12].numpy(),
                                        probabilities, splits.test.classes, "12 random images")
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axes = np.array(figure.axes).reshape(2, 6)
    for above, below in zip(axes[0], axes[1]):
        caption_top = below.title.get_window_extent(renderer).y1
        assert caption_top < above.get_window_extent(renderer).y0  # display y grows upwards
