"""What each control of the demo does, without the web page: pick, predict, explain.

The web app (`demo.app`) calls these methods and places their values on the page; tests call them
directly. Models open on first use and stay open, so switching back and forth costs nothing, and
one click costs one forward pass. Errors (a study not built, a foreign model file, data that do not
match, a picture that is not an image) are raised with messages the page shows as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..analysis.inference import ModelFileError
from ..studies.registry import load_study_params
from .catalog import StudyModels
from .served_model import ServedModel
from .settings import DemoSettings
from .views import Prediction, caption, enlarged, heat_overlay, merged_classes_table

ANY_CLASS = "any class"


@dataclass(frozen=True)
class Shown:
    """The image on screen (for Grad-CAM): a test image (dataset, position) or a prepared picture."""

    study: str
    key: str
    image: torch.Tensor  # uint8 [C, H, W] as the model sees it
    prediction: Prediction
    source: str  # e.g. "MNIST test image #812"


@dataclass(frozen=True)
class Selection:
    """What the page shows once a model is chosen."""

    status: str
    datasets: tuple[str, ...]
    merged: str | None  # merged-class table, for models trained on merged classes


@dataclass
class Presenter:
    studies: dict[str, StudyModels]
    settings: DemoSettings
    _models: dict[tuple[str, str], ServedModel] = field(default_factory=dict)
    _random: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self._random = np.random.default_rng(self.settings.seed)

    # --- choosing ------------------------------------------------------------------------------

    def study_choices(self) -> list[tuple[str, str]]:
        return [(f"{name} ({len(entry.models)} model{'s' * (len(entry.models) != 1)}, "
                 f"{entry.profile})" if entry.built else f"{name} (not built)", name)
                for name, entry in self.studies.items()]

    def first_built(self) -> str | None:
        return next((name for name, entry in self.studies.items() if entry.built), None)

    def model_choices(self, study: str) -> list[str]:
        return list(self.studies[study].models) if study in self.studies else []

    def model(self, study: str, key: str | None) -> ServedModel:
        entry = self.studies.get(study)
        if entry is None:
            raise ModelFileError(f"unknown study {study!r}; choose one of: {', '.join(self.studies)}")
        if not entry.built:
            raise ModelFileError(entry.not_built_message())
        if key not in entry.models:
            raise ModelFileError(f"study {study} has no final model {key!r}; choose one of: "
                                 f"{', '.join(entry.models)}")
        if (study, key) not in self._models:
            params = load_study_params(study, entry.profile)
            self._models[study, key] = ServedModel.open(study, key, entry.models[key], params)
        return self._models[study, key]

    def select(self, study: str, key: str | None) -> Selection:
        """Open the model and its own test split (data that differ are refused here, at once)."""
        served = self.model(study, key)
        served.test_set(served.dataset)
        merged = merged_classes_table(served.label_map) if served.label_map else None
        return Selection(f"**{study}** · {served.title()}", served.datasets, merged)

    def class_choices(self, study: str, key: str, dataset: str) -> list[str]:
        return [ANY_CLASS, *self.model(study, key).test_set(dataset).classes]

    # --- predicting ----------------------------------------------------------------------------

    def random_test(self, study: str, key: str, dataset: str, class_name: str = ANY_CLASS) -> Shown:
        served = self.model(study, key)
        position = int(self._random.choice(self._candidates(served, dataset, class_name)))
        return self.test_image(study, key, dataset, position)

    def test_image(self, study: str, key: str, dataset: str, position: int) -> Shown:
        served = self.model(study, key)
        test = served.test_set(dataset)
        image = test.images[position]
        probabilities = served.probabilities(image[None])[0]
        prediction = Prediction(probabilities, served.class_names,
                                test.classes[int(test.labels[position])])
        return Shown(study, key, image, prediction, f"{test.display_name} test image #{position}")

    def several(self, study: str, key: str, dataset: str, class_name: str = ANY_CLASS
                ) -> tuple[list[tuple[np.ndarray, str]], str]:
        """`settings.grid_images` random test images at once: (picture, caption) pairs, summary."""
        served = self.model(study, key)
        candidates = self._candidates(served, dataset, class_name)
        count = min(self.settings.grid_images, len(candidates))
        positions = np.sort(self._random.choice(candidates, size=count, replace=False))
        shown = [self.test_image(study, key, dataset, int(p)) for p in positions]
        right = sum(bool(item.prediction.correct) for item in shown)
        items = [(enlarged(item.image, self.settings.grid_side), caption(item.prediction))
                 for item in shown]
        return items, f"**{right} of {count} correct** on {served.data_label(dataset)} test images"

    def picture(self, study: str, key: str, picture: np.ndarray, source: str) -> Shown:
        """A drawing or upload, prepared like the test data and classified."""
        served = self.model(study, key)
        image = served.picture_input(picture)
        probabilities = served.probabilities(image[None])[0]
        return Shown(study, key, image, Prediction(probabilities, served.class_names, None), source)

    def misclassified(self, study: str, key: str, dataset: str, index: int) -> tuple[Shown, str]:
        """The `index`-th misclassified test image (wrapping around) and where it is in the list."""
        served = self.model(study, key)
        wrong = served.misclassified(dataset)
        if len(wrong) == 0:
            raise ModelFileError(f"every {served.data_label(dataset)} test image is classified right")
        index %= len(wrong)
        shown = self.test_image(study, key, dataset, int(wrong[index]))
        total = len(served.test_set(dataset))
        return shown, f"misclassified {index + 1} of {len(wrong):,} (of {total:,} test images)"

    def gradcam(self, shown: Shown) -> np.ndarray:
        served = self.model(shown.study, shown.key)
        if not served.has_gradcam:
            raise ModelFileError(f"{served.key} has no convolution, so it has no Grad-CAM map")
        heat = served.gradcam(shown.image, shown.prediction.predicted)
        return heat_overlay(shown.image, heat, self.settings.display_side)

    def _candidates(self, served: ServedModel, dataset: str, class_name: str) -> np.ndarray:
        test = served.test_set(dataset)
        if class_name in (None, ANY_CLASS):
            return np.arange(len(test))
        if class_name not in test.classes:
            raise ModelFileError(f"class {class_name!r} is not in {test.display_name}; choose one "
                                 f"of: {', '.join(test.classes)}")
        return np.flatnonzero(test.labels.numpy() == test.classes.index(class_name))
