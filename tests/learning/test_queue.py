"""Label queue ranking, retrain advice and the kept-clip store."""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import pytest

from turkmood.constants import CLASSES, FEATURE_NAMES, HOME_ENV, KEEP_AUDIO_ENV
from turkmood.learning.clip_store import clip_bytes, keep_clip, keep_if_uncertain
from turkmood.learning.queue import label_queue, retrain_advice
from turkmood.learning.status import new_labels


def _log(rows: list[tuple[str, dict[str, float], str]]) -> pd.DataFrame:
    records = []
    for i, (clip, probs, when) in enumerate(rows):
        entry = {"id": i + 1, "clip_hash": clip, "clip_name": f"{clip}.wav", "created_utc": when}
        entry.update(source="app", model_version="m@1", predicted="happy", decision="happy")
        entry.update(confidence=max(probs.values()), is_ood=False)
        entry.update({f"p_{c}": probs[c] for c in CLASSES})
        entry.update({f: 1.0 for f in FEATURE_NAMES})
        records.append(entry)
    return pd.DataFrame(records)


def _p(h: float, s: float, a: float, r: float) -> dict[str, float]:
    return dict(zip(CLASSES, (h, s, a, r), strict=True))


def test_queue_ranks_by_margin_latest_prediction_and_skips_labelled():
    log = _log(
        [
            ("a", _p(0.9, 0.05, 0.03, 0.02), "2026-12-01T00:00:00"),
            ("b", _p(0.5, 0.3, 0.1, 0.1), "2026-12-01T00:01:00"),
            ("a", _p(0.4, 0.38, 0.12, 0.1), "2026-12-01T00:02:00"),  # a again: now torn
            ("c", _p(0.45, 0.44, 0.06, 0.05), "2026-12-01T00:03:00"),
        ]
    )
    queue = label_queue(log, pd.DataFrame({"clip_hash": ["c"]}))
    assert queue["clip_hash"].tolist() == ["a", "b"]
    assert queue["margin"].tolist() == pytest.approx([0.02, 0.2])
    assert label_queue(log.iloc[:0], pd.DataFrame()).empty


def test_retrain_advice_follows_the_share_and_drift():
    assert retrain_advice(38, 388, False).worth_it is False  # 10 % of 388 is 39
    assert retrain_advice(39, 388, False).worth_it is True
    assert retrain_advice(3, 388, True).worth_it is True
    assert retrain_advice(0, 388, True).worth_it is False
    assert "39" in retrain_advice(5, 388, None).message


def test_new_labels_counts_those_after_the_champion():
    labels = pd.DataFrame(
        {"created_utc": ["2026-12-01T00:00:00+00:00", "2026-12-02T00:00:00+00:00"]}
    )
    assert new_labels(labels, None) == 2
    assert new_labels(labels, "2026-12-01T12:00:00+00:00") == 1
    assert new_labels(labels.iloc[:0], None) == 0


def test_clip_store_keeps_once_evicts_oldest_and_obeys_the_switch(monkeypatch, tmp_path):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    blobs = [bytes([i]) * 400 for i in range(3)]
    hashes = [hashlib.sha256(b).hexdigest() for b in blobs]
    assert keep_clip(hashes[0], blobs[0], limit=1000)
    assert keep_clip(hashes[0], blobs[0], limit=1000)  # once
    assert len(os.listdir(tmp_path / "clips")) == 1
    os.utime(tmp_path / "clips" / hashes[0], (1, 1))  # make it the oldest
    assert keep_clip(hashes[1], blobs[1], limit=1000)
    assert keep_clip(hashes[2], blobs[2], limit=1000)
    assert clip_bytes(hashes[0]) is None and clip_bytes(hashes[2]) == blobs[2]
    assert clip_bytes("../../etc/passwd") is None
    assert not keep_clip("not-a-hash", blobs[0])
    assert not keep_if_uncertain(hashes[0], blobs[0], "happy", False)  # sure: not kept
    assert keep_if_uncertain(hashes[0], blobs[0], "Review: happy/sad", False)
    monkeypatch.setenv(KEEP_AUDIO_ENV, "0")
    new = b"z" * 10
    assert not keep_clip(hashlib.sha256(new).hexdigest(), new)
