"""Whether numba's on-disk cache already holds the extractor's compiled kernels, and filling it.

The kernels (``kernels.py``, ``gammatone.py``, ``attack.py``) are compiled by numba the first time
they run on a machine (``cache=True``) and loaded from ``__pycache__`` afterwards. On a fresh
clone that first compilation costs ~5 s of CPU on one core, and more when the window pool's
workers compile the same kernels at the same time: a first song sent to a fresh server waited
9.5 s (bench/page.py with the cache emptied). ``python -m turkmood app`` therefore compiles them
before its server answers when this module's stamp says the cache was not filled for the current
feature code, numba, Python and CPU architecture; on every later start the check is one read.

The stamp sits beside numba's cache (``NUMBA_CACHE_DIR`` when set, else the features package's
``__pycache__``), so removing the cache removes the stamp. A stamp that cannot be written only
means the next start compiles again.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from turkmood.constants import ANALYSIS_SR

#: The feature package: its sources are what numba compiles.
FEATURES_DIR = Path(__file__).resolve().parent
#: Name of the stamp file written once the kernels were compiled and cached.
STAMP_NAME = "turkmood-kernels.stamp"
#: Seconds of signal extracted to compile every kernel (long enough for every family to run).
COMPILE_SIGNAL_S = 3.0


def stamp_path() -> Path:
    """Where the stamp lives: beside numba's on-disk cache of the feature kernels."""
    cache_dir = os.environ.get("NUMBA_CACHE_DIR")
    return (Path(cache_dir) if cache_dir else FEATURES_DIR / "__pycache__") / STAMP_NAME


def source_stamp() -> str:
    """A digest of what the compiled kernels depend on: the feature sources, numba, llvmlite,
    Python and the machine's architecture."""
    digest = hashlib.sha256()
    for package in ("numba", "llvmlite"):
        try:
            digest.update(f"{package}={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=absent\n".encode())
    digest.update(f"{sys.version}\n{platform.machine()}\n".encode())
    for source in sorted(FEATURES_DIR.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()


def kernels_cached() -> bool:
    """Whether the stamp says the kernels of the current sources are in numba's cache."""
    try:
        return stamp_path().read_text(encoding="utf-8").strip() == source_stamp()
    except OSError:
        return False


def compile_kernels() -> float:
    """Run one short extraction (compiling, or loading, every kernel), write the stamp; the
    seconds it took."""
    from turkmood.features import extract_features

    start = time.perf_counter()
    y = 0.1 * np.random.default_rng(0).standard_normal(int(COMPILE_SIGNAL_S * ANALYSIS_SR))
    extract_features(y, ANALYSIS_SR)
    seconds = time.perf_counter() - start
    target = stamp_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_text(source_stamp() + "\n", encoding="utf-8")
        partial.replace(target)
    except OSError:
        pass  # not writable: the next start compiles (loads) again
    return seconds
