"""The Classroom artefacts shipped in models/: what the code computes, bound to their inputs."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from turkmood.constants import FEATURE_NAMES, MANIFEST_PATH
from turkmood.data import load_training_data
from turkmood.model import load_model, read_manifest
from turkmood.precomputed import (
    CLASSROOM_FILE,
    feature_ranking,
    precomputed_ranking,
    precomputed_tsne,
    read_classroom,
    tsne_points,
)


@pytest.fixture(scope="module")
def data():
    return load_training_data()


@pytest.fixture(scope="module")
def shipped():
    payload = read_classroom()
    assert payload is not None, "models/classroom.json missing or refused"
    return payload


def test_every_shipped_model_has_its_ranking_bound_to_its_file(shipped) -> None:
    manifest = read_manifest()
    by_sha = {entry["sha256"]: name for name, entry in manifest["models"].items()}
    assert {sha: e["model"] for sha, e in shipped["importance"].items()} == by_sha
    for name in manifest["models"]:
        ranking = precomputed_ranking(shipped, load_model(name))
        assert ranking is not None and set(ranking.index) == set(FEATURE_NAMES)
        assert (np.diff(ranking.to_numpy()) <= 0).all()


@pytest.mark.parametrize("name", ["logreg", "extra_trees"])
def test_shipped_ranking_equals_a_live_computation(shipped, data, name) -> None:
    """The file holds what the code computes (fast exact explainers checked here; the kernel
    ones take ~10 s each and go through the same function)."""
    model = load_model(name)
    live = feature_ranking(model, data.X)
    stored = precomputed_ranking(shipped, model)
    assert list(stored.index) == list(live.index)
    np.testing.assert_allclose(stored.to_numpy(), live.to_numpy(), rtol=1e-9, atol=1e-12)


def test_shipped_tsne_map_is_the_map_of_the_training_table(shipped, data) -> None:
    stored = precomputed_tsne(shipped, data)
    assert stored is not None and stored.shape == (len(data.X), 2)
    live = tsne_points(data.X)
    # t-SNE is deterministic for a seed, but summation order may differ between BLAS builds:
    # require the same layout (pairwise distances) rather than bit-identical coordinates
    d_live = np.linalg.norm(live[:, None] - live[None], axis=-1)
    d_stored = np.linalg.norm(stored[:, None] - stored[None], axis=-1)
    assert np.corrcoef(d_live.ravel(), d_stored.ravel())[0, 1] > 0.99


def test_a_ranking_is_never_served_for_another_model_file(shipped) -> None:
    model = load_model("logreg")
    assert precomputed_ranking(shipped, replace(model, sha256="0" * 64)) is None


def test_the_map_is_never_served_for_another_training_table(shipped, data) -> None:
    assert precomputed_tsne(shipped, replace(data, sha256="0" * 64)) is None
    assert precomputed_tsne(shipped, replace(data, X=data.X.head(10))) is None


def _copy_models(tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(MANIFEST_PATH.parent, folder)
    return folder / "manifest.json"


def test_a_modified_file_is_refused_and_computed_live(tmp_path) -> None:
    manifest_path = _copy_models(tmp_path)
    target = manifest_path.parent / CLASSROOM_FILE
    target.write_text(target.read_text().replace('"format": 1', '"format": 1 '))
    with pytest.warns(RuntimeWarning, match="failed its checksum"):
        assert read_classroom(manifest_path) is None


def test_an_entry_naming_a_file_outside_models_is_refused(tmp_path) -> None:
    manifest_path = _copy_models(tmp_path)
    manifest = json.loads(manifest_path.read_text())
    manifest["artifacts"]["classroom"]["file"] = "../classroom.json"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.warns(RuntimeWarning, match="outside models/"):
        assert read_classroom(manifest_path) is None


def test_a_missing_file_is_reported_and_absent_artifacts_are_silent(tmp_path) -> None:
    manifest_path = _copy_models(tmp_path)
    (manifest_path.parent / CLASSROOM_FILE).unlink()
    with pytest.warns(RuntimeWarning, match="unreadable"):
        assert read_classroom(manifest_path) is None
    manifest = json.loads(manifest_path.read_text())
    del manifest["artifacts"]
    manifest_path.write_text(json.dumps(manifest))
    assert read_classroom(manifest_path) is None
