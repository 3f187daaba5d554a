"""Broken model artifacts become clear messages on every page, never a traceback."""

from __future__ import annotations

import pytest
import streamlit as st
from apptest_helpers import csv_bytes, upload

import ui.resources
from tests.pages.apptest_helpers import visible
from turkmood.errors import ModelError


@pytest.fixture()
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _refuse(name=None, *args, **kwargs):
    raise ModelError(f"model file {name}.joblib failed its checksum; refusing to load it")


def test_model_that_fails_its_checksum_is_reported(
    open_page, sample_table, monkeypatch, fresh_caches
):
    monkeypatch.setattr(ui.resources, "load_model", _refuse)
    at = upload(open_page("analyze"), "songs.csv", csv_bytes(sample_table))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("failed its checksum" in e for e in errors), errors
    assert not [m for m in at.markdown if m.value.startswith("Decision:")]
    assert len(at.download_button) == 0

    at.switch_page("app_pages/batch.py").run()
    upload(at, "songs.csv", csv_bytes(sample_table))
    assert not at.exception
    assert any("failed its checksum" in e.value for e in at.error)
    assert len(at.download_button) == 0


def test_missing_manifest_is_reported(open_page, monkeypatch, tmp_path, fresh_caches):
    def no_manifest(*args, **kwargs):
        raise ModelError(f"model manifest {tmp_path}/manifest.json not found")

    monkeypatch.setattr(ui.resources, "available_models", no_manifest)
    monkeypatch.setattr(ui.resources, "default_model_name", no_manifest)
    at = open_page("analyze")
    at.radio[0].set_value("Rows of the bundled training table").run()
    assert not at.exception
    assert any("manifest" in e.value for e in at.sidebar.error)
    assert any("No model is available" in e.value for e in at.main.error)


def test_missing_metrics_is_reported_on_model_card(open_page, monkeypatch, tmp_path, fresh_caches):
    monkeypatch.setattr(ui.resources, "METRICS_PATH", tmp_path / "metrics.json")
    at = open_page("model_card")
    assert not at.exception
    assert at.main.error and "metrics.json not found" in visible(at.main.error[0].value)
