"""The live demo as a local web page (Gradio): controls on top, one result panel below.

The page only places what `Presenter` returns. Every handler turns the presenter's errors into a
message on the page (`gr.Error`), so a click never fails silently. Gradio's analytics are off and
the theme uses system fonts: the page makes no request beyond this machine.
"""

from __future__ import annotations

import functools
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from ..analysis.inference import ModelFileError
from ..config.typed_yaml import ConfigError
from ..data.registry import DataFileError, DataNotFoundError
from .inputs import PictureError, decode_upload
from .presenter import ANY_CLASS, Presenter, Shown
from .views import enlarged

SHOWN_ERRORS = (ModelFileError, DataNotFoundError, DataFileError, PictureError, ConfigError)
TOP_CLASSES = 10  # bars in the probability chart (CIFAR-100 models have 100 classes)
SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "sans-serif"]


def _shown_on_page(function):
    """Presenter errors become a message on the page instead of a failed request."""
    @functools.wraps(function)
    def guarded(*arguments):
        try:
            return function(*arguments)
        except SHOWN_ERRORS as error:
            raise gr.Error(str(error), duration=None) from None
    return guarded


def theme() -> gr.themes.Theme:
    return gr.themes.Default(font=SYSTEM_FONTS, font_mono=["ui-monospace", "monospace"])


def build_app(presenter: Presenter) -> gr.Blocks:
    settings = presenter.settings
    with gr.Blocks(title="cnn-report live demo", analytics_enabled=False) as app:
        gr.Markdown("# cnn-report · live demo\nFinal models of the built studies, on their own "
                    "test images, on the study's other data, and on what you draw or upload.")
        with gr.Row():
            study = gr.Dropdown(presenter.study_choices(), label="Study", elem_id="study")
            key = gr.Dropdown([], label="Model", elem_id="model")
            dataset = gr.Radio([], label="Test data (switch for the cross-dataset view)",
                               elem_id="dataset")
            class_name = gr.Dropdown([ANY_CLASS], value=ANY_CLASS, label="Class",
                                     elem_id="class")
        status = gr.Markdown(elem_id="status")
        shown = gr.State(None)
        wrong_index = gr.State(-1)
        with gr.Tabs():
            with gr.Tab("Test images"):
                with gr.Row():
                    random_button = gr.Button("Random test image", variant="primary",
                                              elem_id="random")
                    grid_button = gr.Button(f"{settings.grid_images} at once", elem_id="several")
                grid_summary = gr.Markdown(elem_id="grid-summary")
                grid = gr.Gallery(columns=5, format="png", label="Random test images",
                                  elem_id="grid")
            with gr.Tab("Draw or upload"):
                with gr.Row():
                    sketch = gr.Sketchpad(type="numpy", image_mode="RGBA", label="Draw here",
                                          canvas_size=(settings.sketch_canvas,) * 2,
                                          brush=gr.Brush(colors=["#000000"], default_color="#000000",
                                                         default_size=max(1, settings.sketch_canvas
                                                                          // 14)),
                                          elem_id="sketch")
                    upload = gr.File(label="Or upload an image", elem_id="upload")
                draw_button = gr.Button("Classify the drawing", elem_id="classify-drawing")
            with gr.Tab("Misclassified"):
                with gr.Row():
                    previous_button = gr.Button("Previous", elem_id="previous-wrong")
                    next_button = gr.Button("Next misclassified", elem_id="next-wrong")
                wrong_position = gr.Markdown(elem_id="wrong-position")
            with gr.Tab("Merged classes", visible=False) as merged_tab:
                merged = gr.Markdown(elem_id="merged")
        with gr.Row():
            picture = gr.Image(label="What the network saw", format="png", interactive=False,
                               elem_id="picture")
            with gr.Column():
                verdict = gr.Markdown(elem_id="verdict")
                bars = gr.Label(num_top_classes=TOP_CLASSES, label="Softmax probabilities",
                                elem_id="bars")
            with gr.Column():
                gradcam_button = gr.Button("Grad-CAM for this image", elem_id="gradcam")
                heat = gr.Image(label="Grad-CAM (red: raised the predicted class)", format="png",
                                interactive=False, elem_id="heat")
        with gr.Accordion("All probabilities", open=True):
            table = gr.Markdown(elem_id="probabilities")

        result = [picture, verdict, bars, table, shown, heat]

        def show(item: Shown):
            prediction = item.prediction
            return (enlarged(item.image, settings.display_side), prediction.verdict(item.source),
                    prediction.bars(), prediction.table(), item, None)

        @_shown_on_page
        def choose_study(name):
            choices = presenter.model_choices(name)
            first = choices[0] if choices else None
            message = "" if choices else presenter.studies[name].not_built_message()
            return gr.Dropdown(choices=choices, value=first), message

        def choose_model(name, model_key):
            """Datasets, classes and merged-class table of the chosen model; a model that cannot
            be used (study not built, foreign file, other data) says why in the status line."""
            empty = (gr.Radio(choices=[], value=None), gr.Dropdown(choices=[ANY_CLASS], value=ANY_CLASS),
                     gr.Tab(visible=False), "", -1)
            try:
                if not model_key:
                    return (*empty, presenter.studies[name].not_built_message() if name else "")
                selection = presenter.select(name, model_key)
                first = selection.datasets[0]
                classes = presenter.class_choices(name, model_key, first)
            except SHOWN_ERRORS as error:
                return (*empty, f"**This model cannot be shown:** {error}")
            return (gr.Radio(choices=list(selection.datasets), value=first),
                    gr.Dropdown(choices=classes, value=ANY_CLASS),
                    gr.Tab(visible=selection.merged is not None), selection.merged or "", -1,
                    selection.status)

        @_shown_on_page
        def choose_dataset(name, model_key, data):
            if not (model_key and data):
                return gr.Dropdown(choices=[ANY_CLASS], value=ANY_CLASS), -1
            return gr.Dropdown(choices=presenter.class_choices(name, model_key, data),
                               value=ANY_CLASS), -1

        @_shown_on_page
        def random_image(name, model_key, data, wanted):
            return show(presenter.random_test(name, model_key, data, wanted))

        @_shown_on_page
        def several(name, model_key, data, wanted):
            return presenter.several(name, model_key, data, wanted)

        @_shown_on_page
        def drawing(name, model_key, value):
            if value is None or value.get("composite") is None:
                raise PictureError("draw something first")
            return show(presenter.picture(name, model_key, value["composite"], "your drawing"))

        @_shown_on_page
        def uploaded(name, model_key, path):
            if path is None:
                return (None, "", {}, "", None, None)
            pixels = decode_upload(path, settings.max_upload_bytes)
            return show(presenter.picture(name, model_key, pixels, "your upload"))

        def step_wrong(step):
            @_shown_on_page
            def browse(name, model_key, data, index):
                item, where = presenter.misclassified(name, model_key, data, index + step)
                return (*show(item), where, index + step)
            return browse

        @_shown_on_page
        def explain(item):
            if item is None:
                raise PictureError("show an image first")
            return presenter.gradcam(item)

        selection_outputs = [dataset, class_name, merged_tab, merged, wrong_index, status]
        study.change(choose_study, [study], [key, status])
        key.change(choose_model, [study, key], selection_outputs)
        dataset.change(choose_dataset, [study, key, dataset], [class_name, wrong_index])
        random_button.click(random_image, [study, key, dataset, class_name], result)
        grid_button.click(several, [study, key, dataset, class_name], [grid, grid_summary])
        draw_button.click(drawing, [study, key, sketch], result)
        upload.change(uploaded, [study, key, upload], result)
        previous_button.click(step_wrong(-1), [study, key, dataset, wrong_index],
                              [*result, wrong_position, wrong_index])
        next_button.click(step_wrong(+1), [study, key, dataset, wrong_index],
                          [*result, wrong_position, wrong_index])
        gradcam_button.click(explain, [shown], [heat])
        app.load(lambda: gr.Dropdown(value=presenter.first_built()
                                     or next(iter(presenter.studies), None)), None, [study])
    return app
