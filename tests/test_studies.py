"""Studies: the registry, each study's params, the batch-size rule, and the Quarto book files."""

from __future__ import annotations

import pytest
import yaml

from cnnreport.book.quarto import (book_chapters, check_profile, merged_book, profile_config,
                                   profile_file, profile_text, quarto_merge)
from cnnreport.config.typed_yaml import ConfigError
from cnnreport.studies.mnist_merged.params import BatchSizeRule
from cnnreport.studies.registry import get_study, load_study_params, profile_path, study_names

from conftest import REPO


def test_registry_knows_every_study_and_names_them_on_a_typo():
    assert study_names() == ("autograd-animals", "fashion-mnist", "mnist-cifar100", "mnist-merged",
                             "mnist-svhn")
    assert get_study("autograd-animals").assignment == "003"
    assert get_study("mnist-merged").assignment == "004"
    with pytest.raises(ConfigError, match="unknown study 'mnist-merge'; choose one of: autograd-animals, "
                                          "fashion-mnist, mnist-cifar100, mnist-merged, mnist-svhn"):
        get_study("mnist-merge")
    with pytest.raises(ConfigError, match="unknown profile 'nightly' of study 'mnist-merged'; "
                                          "choose one of: full, quick"):
        profile_path("mnist-merged", "nightly", REPO)


@pytest.mark.parametrize("roll_number, batch_size, reason", [
    ("M21MA208", 32, "208 is divisible by 2"), ("M21MA207", 16, "207 is divisible by 3"),
    ("M21MA205", 20, "205 is divisible by neither 2 nor 3"), ("1006", 32, "006 is divisible by 2"),
    ("B21CS109", 20, "109 is divisible by neither 2 nor 3")])
def test_batch_size_rule_follows_the_roll_number(roll_number, batch_size, reason):
    assert BatchSizeRule().apply(roll_number) == (batch_size, reason)


def test_mnist_merged_params_derive_the_batch_size_and_refuse_contradictions():
    params = load_study_params("mnist-merged", "full", root=REPO)
    assert params.batch_size == 32 and params.train_config().batch_size == 32
    assert params.seeds == (42, 43, 44) and params.train.epochs == 10
    assert params.groups(params.experiments[1])["Class 3 {2, 3, 5, 8}"] == ["2", "3", "5", "8"]
    assert load_study_params("mnist-merged", "full", {"roll_number": "M21MA207"},
                             root=REPO).train_config().batch_size == 16
    bad = {"train.batch_size": 64}
    with pytest.raises(ConfigError, match="train.batch_size: this study derives the batch size"):
        load_study_params("mnist-merged", "full", bad, root=REPO)
    with pytest.raises(ConfigError, match="seeds must start with the study's seed 42"):
        load_study_params("mnist-merged", "full", {"seeds": [7, 42]}, root=REPO)
    with pytest.raises(ConfigError, match=r"label_maps.merged: classes \['9'\] are in no group"):
        load_study_params("mnist-merged", "full", {"label_maps.merged": {"a": [0, 1, 2, 3, 4],
                                                                         "b": [5, 6, 7, 8]}},
                          root=REPO)
    with pytest.raises(ConfigError, match="experiments\\[1\\].label_map = 'fused' is not allowed"):
        load_study_params("mnist-merged", "full", {"experiments": [
            {"name": "original", "section": "5", "title": "E1"},
            {"name": "merged", "section": "6", "title": "E2", "label_map": "fused"}]}, root=REPO)


@pytest.mark.parametrize("study", ["mnist-svhn", "mnist-merged", "fashion-mnist"])
def test_quarto_profile_is_generated_from_the_params_and_up_to_date(study):
    params = load_study_params(study, "full", root=REPO)
    assert profile_file(REPO, study).read_text() == profile_text(params), \
        f"run `nox -s books`: _quarto-{study}.yml is out of date"
    check_profile(REPO, load_study_params(study, "quick", root=REPO))
    book = merged_book(REPO, study)
    assert book["project"] == {"type": "book", "output-dir": f"report/{study}"}
    assert book["book"]["author"], "typst books need book.author"
    chapters = book_chapters(book)
    assert chapters[0] == "index.qmd", "Quarto books need their home page at the root"
    assert chapters[1:] == [f"artifacts/{study}/book/{c.name}.ipynb" for c in params.chapters]
    assert set(book["format"]) == {"html", "typst"}


def test_base_quarto_file_lists_no_chapters_because_profiles_concatenate_lists():
    base = yaml.safe_load((REPO / "_quarto.yml").read_text())
    assert "chapters" not in base.get("book", {})
    assert quarto_merge({"book": {"chapters": ["index.qmd"]}, "a": 1},
                        {"book": {"chapters": ["x.ipynb"]}, "a": 2}) == \
        {"book": {"chapters": ["index.qmd", "x.ipynb"]}, "a": 2}


def test_a_changed_chapter_list_is_a_mismatch_until_regenerated(tmp_path):
    params = load_study_params("mnist-merged", "full", root=REPO)
    for name in ("_quarto.yml", "_quarto-mnist-merged.yml"):
        (tmp_path / name).write_text((REPO / name).read_text())
    shorter = params.__class__(**{**params.__dict__, "chapters": params.chapters[:2]})
    with pytest.raises(ConfigError, match=r"chapter list mismatch: _quarto-mnist-merged.yml is out "
                                          r"of date .*\['data', 'network'\]"):
        check_profile(tmp_path, shorter)
    assert profile_config(shorter)["book"]["chapters"] == [
        "index.qmd", "artifacts/mnist-merged/book/data.ipynb",
        "artifacts/mnist-merged/book/network.ipynb"]
