"""The submission zip: every entry but the manifest is listed in it with its true size and hash."""

from __future__ import annotations

import hashlib
import zipfile

from cnnreport.studies.registry import load_study_params
from cnnreport.tools.package import write_package

from conftest import REPO


def test_manifest_lists_every_entry_with_its_size_and_sha256(tmp_path):
    params = load_study_params("fashion-mnist", "quick", root=REPO)
    sources = {"report/index.html": b"<html>report</html>", "models/final.pt": bytes(range(256)) * 3}
    files = {}
    for index, (name, content) in enumerate(sources.items()):
        files[name] = tmp_path / f"source-{index}"
        files[name].write_bytes(content)

    output = write_package(files, params, tmp_path / "out" / "group.zip")

    with zipfile.ZipFile(output) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        manifest = archive.read("MANIFEST.txt").decode()
        contents = {name: archive.read(name) for name in names}
    assert names == {"MANIFEST.txt", "README.txt", *sources}
    assert "nox -s build_report -- fashion-mnist --profile quick" in contents["README.txt"].decode()
    for name in names - {"MANIFEST.txt"}:
        digest = hashlib.sha256(contents[name]).hexdigest()
        assert f"{digest}  {len(contents[name]):>10}  {name}" in manifest, name
    assert not list((tmp_path / "out").glob("*.tmp*")), "written atomically, nothing left over"
