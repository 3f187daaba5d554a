"""ui.batch_progress: the progress-bar text of the Batch page."""

from ui.batch_progress import clock, progress_text


def test_clock():
    assert [clock(s) for s in (0, 59.4, 59.6, 61, 3725, -3)] == [
        "0:00",
        "0:59",
        "1:00",
        "1:01",
        "62:05",
        "0:00",
    ]


def test_progress_text_estimates_the_rest_from_the_timed_files():
    # 3 files took 30 s → 10 s each → 7 left → 70 s
    assert progress_text(3, 10, "a.wav", 30.0, 3) == (
        "3 of 10 · a.wav · elapsed 0:30 / remaining ~1:10"
    )
    # 5 done before a rerun, 2 timed since in 8 s → 4 s each → 3 left → 12 s
    assert (
        progress_text(7, 10, "b.wav", 8.0, 2) == "7 of 10 · b.wav · elapsed 0:08 / remaining ~0:12"
    )
    assert progress_text(0, 4, "c.wav", 0.0, 0) == "0 of 4 · c.wav · elapsed 0:00 / remaining …"
