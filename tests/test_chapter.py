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
