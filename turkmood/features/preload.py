"""Load the whole extractor once in a process that will fork workers (the window pool's fork
server), so the workers share it instead of each loading its own copy.

Importing this module imports every feature-family module and runs one short extraction on one
thread, which loads numba's compiled kernels (from its on-disk cache) and pyFFTW's plans. The
fork server of :mod:`turkmood.window_pool` preloads it: the workers it forks then start with all
of that in memory pages they share with the server (copy-on-write), instead of ~180 MB of
imports and compiled code each (measured with psutil's USS, bench/extract.py).
"""

from __future__ import annotations

import gc
import os

import numpy as np

from turkmood.constants import ANALYSIS_SR
from turkmood.features import FAMILY_MODULES, _family, extract_windows_with_flags, parallel
from turkmood.workers import release_free_memory

#: Seconds of noise extracted at import (long enough for every family to run its kernels).
PRELOAD_SIGNAL_S = 2.0


def load_extractor() -> None:
    """Import every family and run one single-threaded extraction (no thread pool is left)."""
    for name in FAMILY_MODULES:
        _family(name)
    previous = parallel.configured_threads()
    parallel.set_threads(1)
    try:
        y = 0.1 * np.random.default_rng(0).standard_normal(int(PRELOAD_SIGNAL_S * ANALYSIS_SR))
        extract_windows_with_flags(y, ANALYSIS_SR, [(0, y.size)])
    finally:
        parallel.set_threads(previous)
    release_free_memory()  # the warm-up's freed arrays: not to be inherited by every worker
    gc.freeze()  # the collector then never writes to (so never un-shares) what is loaded now


load_extractor()
#: The process that ran the import-time load (a forked worker sees its fork server's pid).
LOADED_IN_PID = os.getpid()
