"""The stamp that tells ``python -m turkmood app`` whether the extractor's kernels are compiled."""

from __future__ import annotations

import shutil

import pytest

from turkmood.features import compile_cache


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A copy of the feature sources, whose stamp goes to ``__pycache__`` beside them.

    (Not NUMBA_CACHE_DIR: changing a NUMBA_* variable makes numba re-read its settings at its
    next compilation in this process.)"""
    copy = tmp_path / "features"
    copy.mkdir()
    for source in compile_cache.FEATURES_DIR.glob("*.py"):
        shutil.copy(source, copy / source.name)
    monkeypatch.setattr(compile_cache, "FEATURES_DIR", copy)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    return copy


def test_not_cached_until_compiled_then_cached(sources):
    assert not compile_cache.kernels_cached()
    seconds = compile_cache.compile_kernels()
    assert seconds > 0
    assert compile_cache.stamp_path() == sources / "__pycache__" / compile_cache.STAMP_NAME
    assert compile_cache.kernels_cached()


def test_the_stamp_sits_in_numbas_cache_directory_when_one_is_set(monkeypatch, tmp_path):
    with monkeypatch.context() as patch:  # undone before anything is compiled
        patch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
        assert compile_cache.stamp_path() == tmp_path / compile_cache.STAMP_NAME


def test_a_changed_feature_source_needs_compiling_again(sources):
    compile_cache.compile_kernels()
    (sources / "kernels.py").write_text((sources / "kernels.py").read_text() + "\n# edited\n")
    assert not compile_cache.kernels_cached()


def test_a_stamp_from_another_numba_needs_compiling_again(sources, monkeypatch):
    compile_cache.compile_kernels()
    real = compile_cache.metadata.version
    monkeypatch.setattr(
        compile_cache.metadata, "version", lambda name: "0.0" if name == "numba" else real(name)
    )
    assert not compile_cache.kernels_cached()


def test_launcher_compiles_only_when_the_stamp_is_missing(sources, capsys):
    import ui.launch

    ui.launch.compile_extractor_once()
    assert "compiling the feature extractor" in capsys.readouterr().out
    ui.launch.compile_extractor_once()
    assert capsys.readouterr().out == ""
