"""Numbered headings, figures and tables as the report shows them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cnnreport.book import chapter as chapter_module
from cnnreport.book.chapter import Chapter


@pytest.fixture
def shown(monkeypatch) -> list:
    outputs = []

    def display(output, metadata=None):
        output.shown_metadata = metadata
        outputs.append(output)

    monkeypatch.setattr(chapter_module, "display", display)
    return outputs


def test_numbers_follow_the_chapter_and_count_up(shown):
    chapter = Chapter("2(e)", "Repeating the training on SVHN")
    chapter.title()
    chapter.section("b", "Hyperparameter study")
    chapter.figure(plt.figure(figsize=(3, 2)), "first")
    chapter.figure(plt.figure(figsize=(12, 2)), "second")
    chapter.table(pd.DataFrame({"a": [1]}), "a table")
    texts = [getattr(o, "data", None) for o in shown]
    assert texts[0] == "# 2(e) Repeating the training on SVHN"
    assert shown[0].shown_metadata == chapter_module.TITLE_METADATA, "the build lifts it into a heading"
    assert texts[1] == "## 2(e)(b) Hyperparameter study"
    assert "*Figure 2(e).1: first*" in texts and "*Figure 2(e).2: second*" in texts
    assert texts[-1].startswith("*Table 2(e).1: a table*")
    images = [o for o in shown if type(o).__name__ == "Image"]
    assert [image.width for image in images] == [288, 624], "wide figures scaled to the page"


def test_dotted_parts_follow_the_assignment_numbering(shown):
    chapter = Chapter("5", "Experiment 1: Results", dotted=True)
    chapter.section("1", "Training results")
    chapter.figure(plt.figure(figsize=(3, 2)), "curves")
    assert shown[0].data == "## 5.1 Training results"
    assert "*Figure 5.1: curves*" in [getattr(o, "data", None) for o in shown]


def test_integer_columns_stay_integers_in_numeric_tables(shown):
    Chapter("3", "x").table(pd.DataFrame({"true": [8], "predicted": [3], "share": [0.0251]}), "t",
                            float_format=".3f")
    body = shown[-1].data
    assert "|      8 |           3 |   0.025 |" in body


def test_figure_stamp_is_drawn_in_the_figure_and_kept_in_the_png(shown, monkeypatch):
    import dataclasses
    import io
    from datetime import date

    from PIL import Image

    from cnnreport.config.typed_yaml import ConfigError
    from cnnreport.studies.registry import load_study_params
    from conftest import REPO

    params = load_study_params("fashion-mnist", "quick", root=REPO)
    params = dataclasses.replace(params, book=dataclasses.replace(params.book,
                                                                 figure_stamp="jdoe-{date}"))
    stamp = chapter_module.figure_stamp(params, today=date(2026, 11, 25))
    assert stamp == "jdoe-2026-11-25"
    figure = plt.figure(figsize=(3, 2))
    Chapter("1", "Data", stamp=stamp).figure(figure, "stamped")
    assert stamp in [text.get_text() for text in figure.texts], "drawn in a corner"
    png = Image.open(io.BytesIO(shown[0].data))
    assert png.info["Description"] == "jdoe-2026-11-25"
    unstamped = plt.figure(figsize=(3, 2))
    Chapter("1", "Data").figure(unstamped, "plain")
    assert unstamped.texts == [] and "Description" not in Image.open(io.BytesIO(shown[2].data)).info
    with pytest.raises(ConfigError, match=r"book.figure_stamp 'jdoe-\{student\}'"):
        load_study_params("fashion-mnist", "quick", root=REPO,
                          overrides={"book.figure_stamp": "jdoe-{student}"})
