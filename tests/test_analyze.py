import pytest

from turkmood.analyze import window_bounds

SR = 1000


@pytest.mark.parametrize("seconds", [1, 12.5, 30])
def test_short_clips_are_one_window(seconds):
    n = int(seconds * SR)
    assert window_bounds(n, SR) == [(0, n)]


def test_long_clip_windows_tile_the_song_and_cover_the_end():
    n = 100 * SR  # 100 s: starts 0, 30, 60 and one aligned to the end (70)
    bounds = window_bounds(n, SR)
    assert [s // SR for s, _ in bounds] == [0, 30, 60, 70]
    assert all(e - s == 30 * SR for s, e in bounds)
    assert bounds[-1][1] == n


def test_exact_fit_adds_no_extra_window():
    bounds = window_bounds(60 * SR, SR)
    assert [s // SR for s, _ in bounds] == [0, 30]


def test_a_shorter_hop_overlaps_the_windows():
    bounds = window_bounds(100 * SR, SR, hop_s=15)
    assert [s // SR for s, _ in bounds] == [0, 15, 30, 45, 60, 70]
    assert all(e - s == 30 * SR for s, e in bounds)
