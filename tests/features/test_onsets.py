"""Tests for turkmood.features.onsets (MIRtoolbox 1.7.1 onset curves O1, O2, O3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from turkmood.features import onsets
from turkmood.features.frames import frame_starts
from turkmood.features.shared import Clip

SR = 44_100


def _noise(seconds: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 0.1, round(seconds * SR))


def test_octave_hanning_has_zero_end_points() -> None:
    np.testing.assert_allclose(onsets.hann_octave(5), [0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-15)


def test_mirframe_grid_matches_mirtoolbox() -> None:
    # 10 s at 44.1 kHz: MIRtoolbox makes 991 frames of 0.1 s every 441 samples (oracle dump),
    # which needs the hop computed as 0.1 * (0.1 * 44100) = 441 exactly.
    starts, length = frame_starts(441_000, SR, 0.1, 0.1)
    assert (len(starts), length) == (991, 4410)
    assert np.all(np.diff(starts) == 441)
    # O2: 26.46-sample hop, 1323-sample frames, starts floor(i * 26.46)
    starts, length = frame_starts(441_000, SR, 0.03, 0.02)
    assert (len(starts), length) == (16617, 1323)
    assert starts[:8].tolist() == [0, 26, 52, 79, 105, 132, 158, 185]


@pytest.mark.parametrize(
    ("power", "frame_s", "hop"),
    [(True, 0.03, 0.5), (False, 0.03, 0.5), (True, 0.1, 0.1), (False, 0.03, 0.02)],
)
def test_spectro_sum_equals_explicit_fft_sum(power: bool, frame_s: float, hop: float) -> None:
    """Power sums (Parseval, block or gathered path) and magnitude sums equal the FFT's."""
    y = _noise(0.5)
    sums, times, rate = onsets.spectro_sum(y, SR, frame_s, hop, power)
    starts, length = frame_starts(len(y), SR, frame_s, hop)
    frames = np.stack([y[s : s + length] for s in starts]) * onsets.hann_octave(length)
    n_fft = 1 << (length - 1).bit_length()
    spec = np.abs(np.fft.rfft(frames, n=n_fft, axis=1))
    expected = (spec**2 if power else spec).sum(axis=1)
    np.testing.assert_allclose(sums, expected, rtol=1e-10)
    np.testing.assert_allclose(times, (starts + (length - 1) / 2) / SR)
    assert rate == pytest.approx(SR / (starts[1] - starts[0]))


def test_envelopes_are_max_normalised_and_silence_is_nan() -> None:
    y = _noise(2.0)
    for env in (
        onsets.spectro_envelope(y, SR, 0.1, 0.1, True),
        onsets.spectro_envelope(y, SR, 0.1, 0.1, True, diff=True),
        onsets.filter_envelope(y, SR),
    ):
        assert np.max(np.abs(env.values)) == pytest.approx(1.0)
        assert len(env.times) == len(env.values)
    silent = onsets.spectro_envelope(np.zeros(SR), SR, 0.1, 0.1, True)
    assert np.all(np.isnan(silent.values))


def test_o1_rate_and_length() -> None:
    env = onsets.o1(Clip(_noise(3.0), SR))
    assert env.rate == pytest.approx(100.0)
    assert len(env) == math.floor((3 * SR - 4410) / 441) + 1


def test_o3_grid_is_every_sixteenth_sample_minus_the_differentiated_one() -> None:
    y = _noise(2.0)
    env = onsets.filter_envelope(y, SR)
    assert len(env) == math.ceil(len(y) / 16) - 1
    np.testing.assert_allclose(env.times[:3], np.arange(3) * 16 / SR)
    assert env.rate == pytest.approx(SR / 16)


def test_gammatone_channels_have_unit_gain_at_their_centre() -> None:
    sos = onsets.erb_filterbank_sos(SR, 10, 50.0)
    assert sos.shape == (10, 4, 6)
    peaks = []
    for ch in range(10):
        freqs, resp = signal.sosfreqz(sos[ch], worN=2**16, fs=SR)
        k = int(np.argmax(np.abs(resp)))
        peaks.append(freqs[k])
        assert np.abs(resp[k]) == pytest.approx(1.0, rel=0.05)
    assert peaks == sorted(peaks)  # lowest channel first
    assert peaks[0] == pytest.approx(50.0, abs=5.0)
    assert peaks[-1] > 10_000


def test_filtfilt_matches_octave_definition() -> None:
    """Odd reflection of 3 samples and steady-state initial conditions, forward then backward."""
    x = np.abs(_noise(0.01, seed=3))
    pole = math.exp(-1.0 / (0.02 * SR))
    b, a = np.array([1.0 - pole]), np.array([1.0, -pole])
    ours = onsets._filtfilt_octave(b, a, x)
    ext = np.concatenate((2 * x[0] - x[3:0:-1], x, 2 * x[-1] - x[-2:-5:-1]))
    zi = signal.lfilter_zi(b, a)
    fwd = signal.lfilter(b, a, ext, zi=zi * ext[0])[0]
    back = signal.lfilter(b, a, fwd[::-1], zi=zi * fwd[-1])[0][::-1]
    np.testing.assert_allclose(ours, back[3:-3], rtol=1e-12)


def test_envelopes_are_memoised_on_the_clip() -> None:
    clip = Clip(_noise(1.0), SR)
    assert onsets.o1(clip) is onsets.o1(clip)
    assert onsets.o2(clip) is onsets.o2(clip)


@pytest.mark.parametrize("n", [4, 5, 19, 20, 35, 36, 1000, 1003, 1012, 1013, 1016, 1019])
def test_block_wise_smoothing_equals_filtfilt_then_decimation(n: int) -> None:
    """Every residue of the length mod 16 near the ends: the block-wise filtfilt is exact."""
    x = np.abs(np.random.default_rng(n).normal(size=(2, n)))
    pole = math.exp(-1.0 / (0.02 * SR))
    direct = onsets._filtfilt_octave(np.array([1.0 - pole]), np.array([1.0, -pole]), x)
    np.testing.assert_allclose(
        onsets.smooth_and_decimate(x, pole, 16), direct[:, ::16], rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("n", [4, 21, 1013, 2 * SR + 7])
def test_o3_equals_its_channel_by_channel_definition(n: int) -> None:
    y = np.random.default_rng(n).normal(0.0, 0.1, n)
    sos = onsets.erb_filterbank_sos(SR, onsets.O3_CHANNELS, onsets.O3_LOWEST_HZ)
    pole = math.exp(-1.0 / (onsets.O3_TAU_S * SR))
    b, a = np.array([1.0 - pole]), np.array([1.0, -pole])
    total = 0.0
    for ch in range(onsets.O3_CHANNELS):
        band = np.abs(signal.sosfilt(sos[ch], y))
        total = total + np.maximum(onsets._filtfilt_octave(b, a, band)[::16], 0.0)
    curve = np.diff(total) * (SR / 16 / 10)
    env = onsets.filter_envelope(y, SR)
    if curve.size:
        np.testing.assert_allclose(env.values, curve / np.max(np.abs(curve)), atol=1e-12)
    assert len(env) == curve.size


def test_o2_in_one_compiled_call_gives_the_bits_of_one_python_step_per_batch(monkeypatch):
    """The GIL-free O2 loop runs the same kernels and the same FFTW plan as the Python loop."""
    from turkmood.features import fft

    if fft.EXECUTE_R2C is None:
        pytest.skip("FFTW not installed: only the Python loop runs")
    y = _noise(3.0, seed=9)
    starts, length = frame_starts(len(y), SR, onsets.O2_FRAME_S, onsets.O2_HOP)
    window = onsets.hann_octave(length)
    compiled = onsets._magnitude_sums(y, starts, window, 2048)
    monkeypatch.setattr(onsets, "fft_abs_sums", lambda *args: None)
    assert np.array_equal(onsets._magnitude_sums(y, starts, window, 2048), compiled)
    assert np.array_equal(onsets._magnitude_sums(y, starts[5:300], window, 2048), compiled[5:300])
