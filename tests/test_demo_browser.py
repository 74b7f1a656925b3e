"""The live demo in a real browser: Debian's Chromium driven by Playwright against the app on
127.0.0.1, serving a tiny trained model. What the page shows must equal what the model computes.

Skips (with the reason) where Chromium or Playwright is missing; `.ci/run` installs Chromium.
Set CNNREPORT_DEMO_SCREENSHOT=path to keep the screenshot (the README's comes from here).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnreport.analysis.inference import load_model, predict
from cnnreport.common.paths import study_dir
from cnnreport.data.registry import get_dataset
from cnnreport.demo.inputs import decode_upload, picture_to_image
from cnnreport.training.runs import record_final_models

from conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# as root, with this machine's closed network: no sandbox, no background connections
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 30_000

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get "
                                "install chromium); the browser test needs a real browser")


@pytest.fixture
def app_url(saved_run, monkeypatch):
    """The demo app on 127.0.0.1 with mnist-svhn (quick) built from the tiny model, others not."""
    gradio = pytest.importorskip("gradio")
    from cnnreport.demo.app import build_app, theme
    from cnnreport.demo.catalog import catalog
    from cnnreport.demo.presenter import Presenter
    from cnnreport.demo.settings import DemoSettings
    from cnnreport.tools.demo import _free_port

    run, _ = saved_run
    monkeypatch.chdir(REPO)
    record_final_models("mnist-svhn", "quick", {"mnist": run})
    settings = DemoSettings(seed=11)
    app = build_app(Presenter(catalog(), settings))
    app.launch(server_name=settings.host, server_port=_free_port(settings.host, 7900),
               prevent_thread_lock=True, quiet=True, theme=theme(), footer_links=[],
               max_file_size=settings.max_upload_bytes, ssr_mode=False)
    assert gradio is not None and app.local_url.startswith("http://127.0.0.1:")
    yield app.local_url
    app.close()
    (study_dir("mnist-svhn", "quick") / "final.json").unlink()


@pytest.fixture
def page(app_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        tab = browser.new_page(viewport={"width": 1300, "height": 1100})
        tab.set_default_timeout(WAIT_MS)
        tab.goto(app_url)
        yield tab
        browser.close()


def shown_text_contains(page, element: str, text: str) -> str:
    page.wait_for_function("([id, text]) => { const e = document.getElementById(id); "
                           "return e !== null && e.innerText.includes(text); }",
                           arg=[element, text])
    return page.inner_text(f"#{element}")


def shown_probabilities(page) -> dict[str, float]:
    rows = re.findall(r"^(\S+)\t([01]\.\d{4})$", page.inner_text("#probabilities"), re.MULTILINE)
    return {name: float(value) for name, value in rows}


def assert_same_prediction(page, verdict: str, probabilities: np.ndarray) -> None:
    predicted = str(int(probabilities.argmax()))
    assert f"predicted {predicted} (p = {probabilities.max():.4f})" in verdict
    shown = shown_probabilities(page)
    assert list(shown) == [str(digit) for digit in range(10)]
    assert np.allclose(list(shown.values()), probabilities, atol=5.1e-5)


def test_random_image_upload_and_unbuilt_study_in_a_real_browser(page, saved_run, tmp_path):
    run, splits = saved_run
    model = load_model(run.model_file).model
    shown_text_contains(page, "status", "mnist-svhn")

    page.click("#random")
    verdict = shown_text_contains(page, "verdict", "MNIST test image #")
    position = int(re.search(r"#(\d+)", verdict).group(1))
    direct = predict(model, splits.test.images[position:position + 1])[0].numpy()
    assert f"true {splits.test.classes[int(splits.test.labels[position])]}" in verdict
    assert_same_prediction(page, verdict, direct)

    page.click("#gradcam")
    page.wait_for_selector("#heat img")
    screenshot = Path(os.environ.get("CNNREPORT_DEMO_SCREENSHOT", tmp_path / "demo.png"))
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000

    digit = np.kron(255 - splits.test.images[7, 0].numpy(), np.ones((4, 4), np.uint8))
    upload = tmp_path / "drawn-digit.png"
    Image.fromarray(digit).save(upload)  # dark ink on white paper, 4x the size
    page.get_by_role("tab", name="Draw or upload").click()
    page.set_input_files("#upload input[type=file]", str(upload))
    verdict = shown_text_contains(page, "verdict", "your upload")
    prepared = picture_to_image(decode_upload(upload, 10**6), get_dataset("mnist"), 32)
    assert_same_prediction(page, verdict, predict(model, prepared[None])[0].numpy())

    page.click("#study input")
    page.get_by_role("option", name="fashion-mnist (not built)").click()
    status = shown_text_contains(page, "status", "has not been built")
    assert "nox -s build_report -- fashion-mnist" in status
