"""turkmood.features.chroma: analytic chroma of tones and agreement with the MIRtoolbox oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from oracle_cases import oracle_case, oracle_files

from turkmood.features.chroma import (
    COLUMNS,
    chroma_from_spectrum,
    chroma_spectrum,
    chromagram,
    chromagram_frames,
    features,
    hamming_dft,
    whole_clip_chroma,
)
from turkmood.features.frames import frame_signal, frame_starts, windowed_rfft
from turkmood.features.shared import Clip

SR = 44_100
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ORACLE = FIXTURES / "oracle_reference.csv"


def _tone(freq: float, seconds: float = 5.0, amp: float = 0.5) -> np.ndarray:
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)


@pytest.mark.parametrize(("freq", "index"), [(440.0, 9), (261.63, 0), (1000.0, 11)])
def test_tone_is_one_hot_at_its_pitch_class(freq, index):
    chroma = chromagram(_tone(freq), SR)
    assert int(np.argmax(chroma)) == index
    assert chroma[index] == pytest.approx(1.0, abs=1e-4)  # max / (max + 1e-6)
    assert np.all(np.delete(chroma, index) == 0.0)  # below the 20 dB floor: exactly 0


def test_major_triad_lights_its_three_classes():
    y = sum(_tone(f, amp=0.2) for f in (261.63, 329.63, 392.0))  # C, E, G
    chroma = chromagram(y, SR)
    assert set(np.argsort(chroma)[-3:]) == {0, 4, 7}


def test_spectrum_range_and_floor():
    freqs, db = chroma_spectrum(_tone(440.0), SR)
    assert freqs[0] >= 100.0 and freqs[0] < 100.1
    # five whole octaves above the first bin are kept (6400 Hz is cut back to ~3200 Hz)
    assert np.log2(freqs[-1] / freqs[0]) == pytest.approx(5.0, abs=1e-3)
    assert db.max() == pytest.approx(20.0) and db.min() == 0.0


def test_silence_and_constant_input_give_zero_chroma():
    # min-max normalisation is 0/0 here; MATLAB's max ignores the NaNs, so everything floors to 0
    np.testing.assert_array_equal(chromagram(np.zeros(SR), SR), np.zeros(12))
    np.testing.assert_array_equal(chromagram(np.full(SR, 0.3), SR), np.zeros(12))


def test_framed_chromagram_matches_per_frame_whole_calls():
    y = np.concatenate([_tone(440.0, 1.0), _tone(261.63, 1.0)])
    starts, length = frame_starts(len(y), SR, 0.743, 0.1)
    frames = frame_signal(y, starts, length)
    framed = chromagram(frames, SR)
    assert framed.shape == (12, len(starts))
    for k in (0, len(starts) - 1):
        np.testing.assert_allclose(framed[:, k], chromagram(frames[:, k], SR), atol=1e-12)
    assert np.argmax(framed[:, 0]) == 9 and np.argmax(framed[:, -1]) == 0


def test_mapping_helper_agrees_with_chromagram():
    y = _tone(523.25) + _tone(783.99, amp=0.3)
    freqs, db = chroma_spectrum(y, SR)
    np.testing.assert_allclose(chroma_from_spectrum(freqs, db), chromagram(y, SR))


def test_closed_form_window_dft_matches_the_fft():
    length, n_fft = 3000, 4096
    bins = np.arange(40, 2049)
    direct = np.fft.rfft(np.hamming(length), n=n_fft)[bins]
    np.testing.assert_allclose(hamming_dft(length, n_fft, bins), direct, atol=1e-9)


def test_frequency_domain_normalisation_equals_the_time_domain_one():
    rng = np.random.default_rng(4)
    y = np.cumsum(rng.normal(size=3 * SR)) * 1e-3 + _tone(330.0, 3.0, 0.3)  # drifting offset
    np.testing.assert_allclose(whole_clip_chroma(y, SR), chromagram(y, SR), atol=1e-9)
    np.testing.assert_allclose(whole_clip_chroma(y, SR, windowed_rfft(y)), chromagram(y, SR))


def test_frames_api_matches_framed_matrix_api():
    y = _tone(392.0, 3.0) + 0.1 * np.random.default_rng(2).normal(size=3 * SR)
    starts, length = frame_starts(len(y), SR, 0.743, 0.1)
    np.testing.assert_allclose(
        chromagram_frames(y, SR, starts, length), chromagram(frame_signal(y, starts, length), SR)
    )


def test_features_share_the_clip_fft():
    clip = Clip(_tone(440.0), SR)
    features(clip)
    shared = clip.memo("whole_rfft", lambda: None)  # None only if chroma had not stored it
    assert shared is not None and shared.shape == (2**17 + 1,)  # 5 s -> 2^18-point FFT
    # The magnitude spectrum of the spectral features is derived from the same FFT.
    np.testing.assert_array_equal(clip.spectrum[1], np.abs(shared))


def test_features_returns_the_twelve_uci_columns():
    out = features(Clip(_tone(440.0), SR))
    assert list(out) == list(COLUMNS)
    assert out["_Chromagram_Mean_10"] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("name", oracle_files())
def test_agrees_with_mirtoolbox_oracle(name):
    ref, clip = oracle_case(name)
    ours = features(clip)
    for column in COLUMNS:
        assert ours[column] == pytest.approx(float(ref[column]), abs=1e-6, nan_ok=True), column


def test_db_floor_takes_logarithms_only_where_they_matter_with_the_same_values():
    """Bins below a tenth of the row's peak floor to exactly 0, as the full formula gives."""
    from turkmood.features.chroma import _db_floor, _layout

    layout = _layout(4096, float(SR))
    rng = np.random.default_rng(5)
    spec = rng.random((3, layout.end - layout.first)) ** 8
    spec[1] = 0.0  # digital silence: every kept bin at the peak (20 dB)
    spec[2, :5] = np.nan  # NaN bins floor to 0 (MATLAB's max ignores NaN)
    peak = 20.0 * np.log10(np.fmax.reduce(spec, axis=1, keepdims=True) + 1e-16)
    with np.errstate(invalid="ignore"):
        full = 20.0 * np.log10(spec[:, : layout.end_kept - layout.first] + 1e-16) - peak
    expected = 20.0 + np.fmax(-20.0, full)
    got = _db_floor(spec, layout)
    np.testing.assert_array_equal(got, expected)
    assert np.all(got[1] == 20.0) and np.all(got[2, :5] == 0.0)
    assert 0 < np.count_nonzero(got[0]) < got.shape[1]
