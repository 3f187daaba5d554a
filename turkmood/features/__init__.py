"""Audio → the 50 MIRtoolbox feature columns (``extract_features``).

Each family lives in its own module and reproduces one MIRtoolbox 1.7.1 function; they share
representations computed once per clip through :class:`turkmood.features.shared.Clip`. Every
family module exposes ``features(clip) -> dict[str, float]`` returning its UCI columns.

One extraction runs on EXTRACT_THREADS threads (:mod:`turkmood.features.parallel`): the O2
attack envelope's frames split between them, then the families, longest first. The values do
not depend on the thread count (tested bit for bit).

API:

* :func:`extract_raw_features` — the 50 values exactly as MIRtoolbox would give them (NaN where it
  gives NaN by design), in FEATURE_NAMES order.
* :func:`extract_features_with_flags` — the same after the NaN/inf policy of
  :mod:`turkmood.features.impute`: a :class:`FeatureVector` with finite ``values`` and the
  ``imputed`` column names (replaced by the training median).
* :func:`extract_features` — just the finite values (``extract_features_with_flags(...).values``).
* :func:`extract_windows_with_flags` — the flagged features of several windows of one song,
  identical to extracting each window alone but sharing work between overlapping windows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from functools import partial
from types import ModuleType

import numpy as np

from turkmood.constants import FEATURE_NAMES
from turkmood.errors import AudioError
from turkmood.features import parallel
from turkmood.features.impute import FeatureVector, impute_features
from turkmood.features.shared import Clip

__all__ = [
    "FAMILY_MODULES",
    "FEATURE_NAMES",
    "FeatureVector",
    "extract_features",
    "extract_features_with_flags",
    "extract_raw_features",
    "extract_windows_with_flags",
]

#: Feature-family modules under ``turkmood.features``, each with ``features(clip)``.
FAMILY_MODULES: tuple[str, ...] = (
    "dynamics",
    "spectral",
    "mfcc",
    "fluctuation",
    "rhythm",
    "attack",
    "roughness",
    "chroma",
    "hcdf",
)
#: The order the extraction threads take the families in (families not listed go last): longest
#: first (CPU ms per 30 s clip with O2 already computed, one thread, measured on a loaded 2-core
#: machine: hcdf ~48, spectral ~45 with the whole-clip spectrum, rhythm ~43 with O3 and O1,
#: roughness ~24, fluctuation ~9, the rest ~3-5; O2 itself ~165); mfcc and chroma come after
#: spectral, which computes the spectrum they share.
SCHEDULE: tuple[str, ...] = (
    "hcdf",
    "spectral",
    "rhythm",
    "roughness",
    "attack",
    "fluctuation",
    "mfcc",
    "chroma",
    "dynamics",
)


def _family(name: str) -> ModuleType:
    """``turkmood.features.<name>``, imported on first use (keeps ``import turkmood`` light)."""
    return importlib.import_module(f"{__name__}.{name}")


def _as_signal(y: np.ndarray, sr: int) -> np.ndarray:
    """Validate the analysis signal: 1-D, non-empty, finite, positive rate."""
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise AudioError("The signal must be a non-empty mono (1-D) array.")
    if not sr > 0:
        raise AudioError(f"Invalid sample rate {sr}.")
    if not np.isfinite(arr).all():
        raise AudioError("The signal holds NaN or infinite samples.")
    return np.ascontiguousarray(arr)


def extract_raw_features(y: np.ndarray, sr: int) -> dict[str, float]:
    """The 50 UCI columns of mono signal ``y`` at ``sr`` Hz, in FEATURE_NAMES order (NaN allowed).

    Features are defined for ``sr`` = ANALYSIS_SR (what :func:`turkmood.audio.load_audio`
    returns); other rates are computed as MIRtoolbox would at that rate.
    """
    return _clip_features(Clip(_as_signal(y, sr), int(sr)))


def _clip_features(clip: Clip) -> dict[str, float]:
    """The 50 raw columns of one :class:`Clip` (see :func:`extract_raw_features`).

    The O2 attack envelope (about half the work) is computed first, its frames split over the
    extraction threads; then the threads take the families in SCHEDULE order, sharing the
    clip's memo. The values do not depend on the number of threads.
    """
    from turkmood.features import onsets  # imported on first use, like the family modules

    onsets.o2(clip)
    order = [n for n in SCHEDULE if n in FAMILY_MODULES]
    order += [n for n in FAMILY_MODULES if n not in order]
    results = parallel.run_all([partial(_family_features, name, clip) for name in order])
    outputs = dict(zip(order, results, strict=True))
    found: dict[str, float] = {}
    for name in FAMILY_MODULES:
        for key, value in outputs[name].items():
            if key in found or key not in FEATURE_NAMES:
                raise RuntimeError(f"family {name!r} returned unexpected/duplicate column {key!r}")
            found[key] = float(value)
    absent = [n for n in FEATURE_NAMES if n not in found]
    if absent:
        raise RuntimeError(f"no family produced the columns {absent}")
    return {n: found[n] for n in FEATURE_NAMES}


def _family_features(name: str, clip: Clip) -> dict[str, float]:
    """``features(clip)`` of the family module ``name``."""
    return _family(name).features(clip)


def extract_features_with_flags(y: np.ndarray, sr: int) -> FeatureVector:
    """The 50 columns with NaN/inf replaced by training medians, plus the imputed column names."""
    return impute_features(extract_raw_features(y, sr))


def extract_features(y: np.ndarray, sr: int) -> dict[str, float]:
    """The 50 finite feature values (FEATURE_NAMES order) ready for the model."""
    return extract_features_with_flags(y, sr).values


def extract_windows_with_flags(
    y: np.ndarray,
    sr: int,
    bounds: Sequence[tuple[int, int]],
    on_window: Callable[[int], None] | None = None,
) -> list[FeatureVector]:
    """:func:`extract_features_with_flags` of each window ``y[start:end]`` of one song.

    The result equals extracting every window on its own (tested bit for bit); overlapping
    windows only share the O2 attack-envelope frame sums (the costliest representation),
    computed once over the song and handed to each window whose O2 frames are song frames
    (:func:`turkmood.features.onsets.seed_o2`); other windows compute their own.

    ``on_window(k)`` is called after the k-th window (1-based) is done; it sees no values.
    """
    from turkmood.features import onsets  # imported on first use, like the family modules

    signal = _as_signal(y, sr)
    song = onsets.o2_frame_sums(signal, int(sr)) if len(bounds) > 1 else None
    vectors = []
    for start, end in bounds:
        clip = Clip(_as_signal(signal[start:end], sr), int(sr))
        if song is not None:
            onsets.seed_o2(clip, song, start)
        vectors.append(impute_features(_clip_features(clip)))
        if on_window is not None:
            on_window(len(vectors))
    return vectors
