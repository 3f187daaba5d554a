"""Cached access to the shipped models, their metrics, the bundled table and audio analyses."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from turkmood.analyze import Analysis, analyze_signal, window_bounds
from turkmood.audio import decode_audio
from turkmood.constants import (
    ANALYSIS_SR,
    DATA_PATH,
    MANIFEST_PATH,
    MAX_CONCURRENT_ANALYSES,
    METRICS_PATH,
    MIN_POOL_WINDOWS,
    MODELS_DIR,
    QUEUE_POLL_S,
    WARM_UP_QUIET_S,
    WARM_UP_SIGNAL_S,
    WARM_UP_YIELD_S,
)
from turkmood.data import TrainingData, file_sha256, load_training_data
from turkmood.errors import ModelError
from turkmood.gate import AnalysisGate
from turkmood.model import LoadedModel, available_models, default_model_name, load_model
from turkmood.ood import training_detector
from turkmood.picture_png import AudioPictures, audio_pictures
from turkmood.tables import FeatureTable, read_feature_table
from turkmood.window_pool import pool_is_usable, start_window_pool
from ui.analysis_jobs import Job, JobBoard, Watcher, watch
from ui.page_timing import phase

#: The app's favicon, shipped (nothing is fetched from outside this machine).
FAVICON = Path(__file__).resolve().parent / "favicon.png"

#: Session-state key of the sidebar model selector, shared by every page.
MODEL_KEY = "model_name"
MODEL_CARD_PATH = MODELS_DIR / "MODEL_CARD.md"


def _mtime(path: Path) -> int:
    """Modification time used as a cache key so a retrained model is picked up."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner="Loading model…")
def _load_model_cached(name: str, manifest_mtime: int) -> LoadedModel:
    return load_model(name)


def get_model(name: str) -> LoadedModel:
    """The checksum-verified model ``name``, loaded once per process (ModelError on failure)."""
    return _load_model_cached(name, _mtime(MANIFEST_PATH))


def model_names() -> tuple[list[str], str]:
    """Shipped model names (default first) and the default's name; ModelError if none."""
    return available_models(), default_model_name()


def selected_model_name() -> str | None:
    """The model chosen in the sidebar, else the shipped default, else None (no manifest)."""
    name = st.session_state.get(MODEL_KEY)
    if name:
        return name
    try:
        return default_model_name()
    except ModelError:
        return None


@st.cache_data(show_spinner=False)
def _read_json(path: str, mtime: int) -> dict:
    return json.loads(Path(path).read_text())


def get_metrics() -> dict:
    """The parsed ``models/metrics.json``; ModelError when it is missing or unreadable."""
    try:
        return _read_json(str(METRICS_PATH), _mtime(METRICS_PATH))
    except FileNotFoundError as exc:
        raise ModelError(f"{METRICS_PATH.name} not found; run `python -m turkmood train`") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{METRICS_PATH.name} is unreadable: {exc}") from exc


def get_model_card_text() -> str | None:
    """Text of ``models/MODEL_CARD.md`` or None when it does not exist."""
    return _read_text(str(MODEL_CARD_PATH), _mtime(MODEL_CARD_PATH))


@st.cache_data(show_spinner=False)
def _read_text(path: str, mtime: int) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


@st.cache_data(show_spinner=False)
def bundled_sha256() -> str:
    """sha256 of the bundled training table, to compare with the one recorded at training."""
    return file_sha256(DATA_PATH)


@st.cache_resource(show_spinner="Reading the training table…")
def bundled_table() -> FeatureTable:
    """The bundled UCI table, read with the same validator as uploads (meta holds ``Class``)."""
    return read_feature_table(DATA_PATH)


@st.cache_resource(show_spinner="Reading the training table…")
def training_data() -> TrainingData:
    """The de-duplicated training set (features ``X`` and labels ``y``) the models were fit on."""
    return load_training_data()


@dataclass
class _PoolHolder:
    """The server's window pool, once the warm-up has started it."""

    pool: Executor | None = None
    started: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(show_spinner=False)
def _pool_holder() -> _PoolHolder:
    return _PoolHolder()


def start_pool() -> None:
    """Start the window pool of this server (once; None on a one-core machine)."""
    holder = _pool_holder()
    with holder.lock:
        if not holder.started:
            holder.pool = start_window_pool()
            holder.started = True


def _when_quiet(quiet_s: float) -> None:
    """Return once no song has been analysed or waiting for ``quiet_s`` seconds in a row (the
    rest of the warm-up takes both cores for a few seconds: a visitor's songs go first)."""
    gate = analysis_gate()
    idle_since = time.monotonic()
    while True:
        if gate.running or gate.waiting:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= quiet_s:
            return
        time.sleep(WARM_UP_YIELD_S)


def _warm_up() -> None:
    """Load the default model (the first page shows its version), compile the feature kernels
    on a short signal and build the model's SHAP explainer, fit the out-of-distribution
    detector — everything the first upload would otherwise wait for (measured cold: ~1.3 s of
    kernel compilation and ~1.4 s of explainer build, bench/page.py) — then, once no song has
    been analysed for WARM_UP_QUIET_S, start the window pool: only songs longer than a window
    use it, and starting it takes both cores for ~2 s, which slowed a visitor's second and
    third clips when it ran between them (bench/page.py: 1.75 s and 1.53 s against ~1.2 s).
    A failure only leaves the work to the page that needs it."""
    try:
        from ui.analyze_resources import get_explainer

        name = default_model_name()
        model = get_model(name)
        t = np.arange(int(WARM_UP_SIGNAL_S * ANALYSIS_SR)) / ANALYSIS_SR
        signal = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 2 * t))
        analyze_signal(signal, ANALYSIS_SR, model)
        get_explainer(name)
        import ui.analyze_report  # noqa: F401 - the song report's modules, for the first song

        training_detector()
        _when_quiet(WARM_UP_QUIET_S)  # the pool only serves long songs
        start_pool()
    except Exception:  # noqa: BLE001 - warming is an optimisation; the upload reports errors
        return


@st.cache_resource(show_spinner=False)
def warm_up_in_background() -> threading.Thread:
    """Once per server process, on a background thread: :func:`_warm_up`, so the first song does
    not wait for it (a song arriving earlier waits on the same caches)."""
    thread = threading.Thread(target=_warm_up, name="turkmood-warm-up", daemon=True)
    thread.start()
    return thread


def window_pool() -> Executor | None:
    """Warm worker processes for the windows of long songs, once the warm-up has started them;
    None before (the song's windows are then extracted in this process: the same values) and
    on a one-core machine. A pool broken by a killed worker is replaced."""
    holder = _pool_holder()
    with holder.lock:
        if holder.pool is not None and not pool_is_usable(holder.pool):
            holder.pool = start_window_pool()
        return holder.pool


@st.cache_resource(show_spinner=False)
def analysis_gate() -> AnalysisGate:
    """The server's bound on concurrent audio analyses (MAX_CONCURRENT_ANALYSES at once, the
    others queue in arrival order); shared by every session and page."""
    return AnalysisGate(MAX_CONCURRENT_ANALYSES)


class _NotCached(Exception):
    """Raised by a look-up of :func:`_analyze_cached` for a clip it has not stored."""


@dataclass(frozen=True)
class SongResult:
    """What the Analyze page shows of one song: the analysis and its pictures (None when they
    could not be drawn; the verdict never depends on them)."""

    analysis: Analysis
    pictures: AudioPictures | None


@st.cache_data(show_spinner=False, max_entries=16)
def _analyze_cached(
    data: bytes, model_name: str, manifest_mtime: int, _computed: SongResult | None = None
) -> SongResult:
    """The stored result for ``data``: a look-up when ``_computed`` is None (_NotCached when it
    is not stored; exceptions are never cached), otherwise stores ``_computed``.

    The analysis itself runs outside this function, so its progress and queue messages are not
    recorded for replay by st.cache_data (they are drawn into a placeholder made outside it,
    which a replay could not find) and a stored clip never waits for a slot.
    """
    if _computed is None:
        raise _NotCached
    return _computed


def _pictures_or_none(y: np.ndarray, sr: int) -> AudioPictures | None:
    try:
        return audio_pictures(y, sr)
    except Exception:  # noqa: BLE001 - pictures are an extra; the page says they are missing
        return None


def _compute(data: bytes, model_name: str, job: Job[SongResult]) -> SongResult:
    """Decode once, then the features and the pictures: the pictures are drawn on a thread
    beside the features when the song's windows go to the worker pool (this process is then
    free), after them otherwise (the extraction's two threads already take both cores; beside
    them the pictures slowed a 30 s clip's features by ~0.05 s, more than they cost)."""
    with phase("analysis job: decode"):
        decoded = decode_audio(data)
    y, sr = decoded.y, decoded.sr
    model = get_model(model_name)
    # a clip that stays in this process never waits for the pool
    pool = window_pool() if len(window_bounds(len(y), sr)) >= MIN_POOL_WINDOWS else None
    if pool is None:
        with phase("analysis job: features + prediction"):
            analysis = analyze_signal(y, sr, model, notes=decoded.notes, progress=job.progress)
        with phase("analysis job: pictures"):
            return SongResult(analysis, _pictures_or_none(y, sr))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="turkmood-pictures") as pictures:
        drawn = pictures.submit(_pictures_or_none, y, sr)
        with phase("analysis job: features + prediction"):
            analysis = analyze_signal(
                y, sr, model, pool, notes=decoded.notes, progress=job.progress
            )
        with phase("analysis job: waiting for the pictures"):
            return SongResult(analysis, drawn.result())


@st.cache_resource(show_spinner=False)
def _analyses_under_way() -> JobBoard[SongResult]:
    """The clips being analysed in this server (shared by every session and rerun)."""
    return JobBoard()


def _analyse(data: bytes, model_name: str, mtime: int, job: Job[SongResult]) -> SongResult:
    """One clip's analysis on its job's thread: a slot of the gate, then decode, features,
    pictures; the result is stored in the cache before the job ends."""
    with analysis_gate().slot(job.waiting):
        try:  # another session may have analysed the same clip while this one queued
            return _analyze_cached(data, model_name, mtime)
        except _NotCached:
            pass
        job.start()
        result = _compute(data, model_name, job)
    with phase("analysis job: store in the cache"):
        return _analyze_cached(data, model_name, mtime, result)


def analyze_song(data: bytes, model_name: str, watcher: Watcher | None = None) -> SongResult:
    """Decode and analyse one audio file with the named model, and draw its pictures
    (AudioError on bad audio).

    Cached on the file's bytes, the model and the manifest, so widget reruns do not recompute
    the features. A clip not cached is analysed on a thread of its own
    (:mod:`ui.analysis_jobs`) in a slot of :func:`analysis_gate` (a cached one never waits):
    a rerun of the page while it works, or another visitor sending the same clip, watches the
    same analysis instead of starting it again. ``watcher`` hears its place in the queue, the
    start and each finished window.
    """
    mtime = _mtime(MANIFEST_PATH)
    try:
        with phase("analysis: cache look-up"):
            return _analyze_cached(data, model_name, mtime)
    except _NotCached:
        pass
    key = f"{hashlib.sha256(data).hexdigest()}:{model_name}:{mtime}"
    job = _analyses_under_way().job(key, lambda job: _analyse(data, model_name, mtime, job))
    return watch(job, watcher, QUEUE_POLL_S)


def analyze_audio(data: bytes, model_name: str, watcher: Watcher | None = None) -> Analysis:
    """The analysis of :func:`analyze_song` (for pages that draw no pictures)."""
    return analyze_song(data, model_name, watcher).analysis
