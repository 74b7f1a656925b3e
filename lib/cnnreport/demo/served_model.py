"""One final model as the demo serves it: its test images, its predictions, its explanations.

Everything is rebuilt from the model file and the data root: the file records the split definition
it was trained on, so its own test split comes back exactly (checked by fingerprint: other data
under the same name are refused, not silently used). The study's other datasets give the
cross-dataset view (an MNIST model on SVHN test images). Test sets and whole-test-set predictions
are loaded on first use and kept, so each click costs one forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..analysis.gradcam import gradcam_maps, last_convolution
from ..analysis.inference import LoadedModel, ModelFileError, load_model, params_for_model, predict
from ..data.image_set import ImageSet
from ..data.registry import display_name, get_dataset
from ..data.splits import load_splits
from .inputs import picture_to_image


@dataclass
class ServedModel:
    study: str
    key: str  # the final model's key in its study (a dataset or an experiment)
    path: Path
    loaded: LoadedModel
    params: object  # the study's params with the data settings of the model's split
    _test_sets: dict[str, ImageSet] = field(default_factory=dict)
    _predictions: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def open(cls, study: str, key: str, path: Path, study_params) -> ServedModel:
        loaded = load_model(path, device=torch.device("cpu"))
        if loaded.info["split"].get("features_of"):
            raise ModelFileError(f"{path.name} classifies the features of another network "
                                 f"(run {loaded.info['split']['features_of']}), not images; choose "
                                 f"an image model of {study}")
        return cls(study, key, Path(path), loaded, params_for_model(loaded.info, study_params))

    @property
    def dataset(self) -> str:
        return self.loaded.dataset

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.loaded.class_names

    @property
    def label_map(self) -> dict | None:
        return self.loaded.info["split"].get("label_map")

    @property
    def datasets(self) -> tuple[str, ...]:
        """The model's own dataset first, then the study's others (for the cross-dataset view)."""
        others = [name for name in self.params.data.datasets if name != self.dataset]
        return (self.dataset, *others)

    @property
    def has_gradcam(self) -> bool:
        """Grad-CAM needs a torch network with a convolution (not the NumPy MLP, not an FCN)."""
        if not isinstance(self.loaded.model, torch.nn.Module):
            return False
        try:
            last_convolution(self.loaded.model)
        except ValueError:
            return False
        return True

    def title(self) -> str:
        info = self.loaded.info
        return (f"{self.key}: {info['architecture']}, epoch {info['epoch']} of {info['epochs']}, "
                f"validation accuracy {info['val_accuracy']:.2%}, test accuracy "
                f"{info['test_accuracy']:.2%} ({self.path.name})")

    def test_set(self, dataset: str) -> ImageSet:
        if dataset not in self._test_sets:
            self._test_sets[dataset] = self._load_test_set(dataset)
        return self._test_sets[dataset]

    def _load_test_set(self, dataset: str) -> ImageSet:
        if dataset not in self.datasets:
            raise ModelFileError(f"test data {dataset!r}: choose one of {', '.join(self.datasets)}")
        own = dataset == self.dataset
        splits = load_splits(self.params, dataset, self.label_map if own else None)
        recorded = self.loaded.info["split"]["fingerprint"]
        if own and splits.fingerprint != recorded:
            raise ModelFileError(f"the {dataset} data under {self.params.data_root()} give split "
                                 f"{splits.fingerprint}, but {self.path.name} was trained on split "
                                 f"{recorded}: not the same data")
        return splits.test

    def probabilities(self, images: torch.Tensor) -> np.ndarray:
        """Softmax probabilities [N, classes] for uint8 images [N, C, H, W]."""
        return predict(self.loaded.model, images).cpu().numpy()

    def test_probabilities(self, dataset: str) -> np.ndarray:
        """Every test image's probabilities (computed once per dataset)."""
        if dataset not in self._predictions:
            self._predictions[dataset] = self.probabilities(self.test_set(dataset).images)
        return self._predictions[dataset]

    def misclassified(self, dataset: str) -> np.ndarray:
        """Test positions whose predicted class name differs from the true one."""
        test = self.test_set(dataset)
        predicted = np.asarray(self.class_names)[self.test_probabilities(dataset).argmax(1)]
        truth = np.asarray(test.classes)[test.labels.numpy()]
        return np.flatnonzero(predicted != truth)

    def picture_input(self, picture: np.ndarray) -> torch.Tensor:
        """A drawing or upload prepared like this model's test images: uint8 [C, H, W]."""
        return picture_to_image(picture, get_dataset(self.dataset), self.loaded.model.input_shape[1])

    def gradcam(self, image: torch.Tensor, target: int) -> np.ndarray:
        """Heat map [H, W] in [0, 1] of class `target`'s score for one uint8 image [C, H, W]."""
        return gradcam_maps(self.loaded.model, image[None], [target])[0]

    def data_label(self, dataset: str) -> str:
        return self.test_set(dataset).display_name if dataset in self._test_sets \
            else display_name(dataset)
