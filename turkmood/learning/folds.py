"""Grouped folds over the user's tracks: a track's windows, and tracks that share a generation
seed, never straddle a training and a test fold."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import PurePath

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from turkmood.constants import SEED_SUFFIX_PATTERN, USER_FOLDS
from turkmood.errors import TurkMoodError

__all__ = ["FoldError", "track_groups", "user_folds"]


class FoldError(TurkMoodError):
    """Too few labelled tracks (or groups) to build grouped folds."""


def track_groups(clip_hashes: Sequence[str], clip_names: Sequence[str]) -> np.ndarray:
    """Group of each track: ``seed:<n>`` when its name stem ends in ``_s<n>``, else its hash."""
    groups = []
    for clip_hash, name in zip(clip_hashes, clip_names, strict=True):
        match = re.search(SEED_SUFFIX_PATTERN, PurePath(str(name)).stem)
        groups.append(f"seed:{match.group(1)}" if match else str(clip_hash))
    return np.asarray(groups, dtype=object)


def user_folds(
    y: Sequence[str],
    groups: Sequence[str],
    n_folds: int = USER_FOLDS,
    repeats: int = 1,
    seed: int = 0,
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(repeat, train, test)`` track indices of repeated StratifiedGroupKFold.

    Uses ``min(n_folds, number of groups, size of the largest class)`` folds (sklearn's limit);
    each repeat reshuffles the groups (``random_state = seed + repeat``). FoldError when
    there are fewer than two groups.
    """
    y = np.asarray(y, dtype=object)
    groups = np.asarray(groups, dtype=object)
    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        raise FoldError(
            f"grouped folds need labelled tracks from at least 2 groups (have {n_groups})"
        )
    largest_class = max(list(y).count(c) for c in set(y.tolist()))
    k = min(n_folds, n_groups, largest_class)
    out = []
    for repeat in range(repeats):
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed + repeat)
        with warnings.catch_warnings():  # "least populated class has fewer members than k"
            warnings.simplefilter("ignore", UserWarning)
            for train, test in splitter.split(np.zeros(len(y)), y, groups):
                out.append((repeat, train, test))
    return out
