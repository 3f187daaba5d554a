"""Load on the real app: concurrent browser sessions and a short soak in one session.

Four sessions (own browser contexts) pick different sample clips at the same moment; each must
show its own clip's result (name, decision and confidence equal to ``turkmood.analyze.analyze``
on the same file), and the server must stay up. Time-to-result p50/p95 is printed. The soak
uploads SOAK_RUNS clips one after the other in one session, each with bytes never seen before
(a sample re-encoded with its run number as a FLAC comment: same audio, new cache key), so every
step is a fresh analysis, and bounds the growth of the server's RSS.
"""

from __future__ import annotations

import io
import time
import urllib.parse
from dataclasses import dataclass, replace

import numpy as np
import psutil
import pytest
import soundfile as sf
from browser_helpers import RUN_TIMEOUT_MS, wait_idle

from turkmood.analyze import analyze
from turkmood.audio import load_audio
from turkmood.model import load_model
from ui.analyze_samples import list_samples
from ui.text import decision_text

pytestmark = pytest.mark.e2e

SESSIONS = 4
#: Sequential analyses in the soak (issue 7), each of an upload with new bytes (no cache hit).
SOAK_RUNS = 50
SOAK_MAX_GROWTH_MB = 200
#: The app caches 16 analyses: from run SOAK_FULL_CACHE_RUN on, more runs must not keep growing.
SOAK_FULL_CACHE_RUN = 20
SOAK_MAX_LATE_GROWTH_MB = 50
POLL_S = 0.1
SAMPLE_LABEL = "Pick a sample clip"
SELECT_LABEL = "Sample clip"
UPLOAD_INPUT = "stFileUploaderDropzoneInput"


@dataclass(frozen=True)
class Expected:
    path: str
    label: str
    name: str
    decision: str
    confidence: str


@pytest.fixture(scope="module")
def expected() -> list[Expected]:
    # FLAC clips only: tagged_flac re-encodes a clip losslessly, which an Opus clip is not
    samples = [s for s in list_samples() if s.path.suffix.lower() == ".flac"]
    if len(samples) < SESSIONS + 1:
        pytest.skip("fewer sample clips than sessions")
    model = load_model()
    out = []
    for sample in samples:
        track = analyze(sample.path, model).track.iloc[0]
        out.append(
            Expected(
                str(sample.path),
                sample.label,
                sample.path.name,
                f"Decision: {decision_text(track)}",
                f"{float(track['confidence']):.2f}",
            )
        )
    return out


def server_process(app_url: str) -> psutil.Process:
    """The app server (`python -m turkmood app`) listening on the fixture's port (found by its
    command line)."""
    port = str(urllib.parse.urlparse(app_url).port)
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "turkmood" in cmd and "app" in cmd and port in cmd:
            return proc
    raise AssertionError(f"no app server process found for port {port}")


def open_sample_picker(page, app_url: str) -> None:
    """Load the app, switch the Analyze page to the sample picker, wait for its first result."""
    page.goto(app_url)
    wait_idle(page)
    page.get_by_text(SAMPLE_LABEL).click()
    page.get_by_text("Was this right?").wait_for()
    wait_idle(page)


def choose(page, label: str) -> None:
    """Pick ``label`` in the sample select box (opens the list, clicks the option)."""
    page.get_by_test_id("stSelectbox").filter(has_text=SELECT_LABEL).click()
    page.get_by_role("option", name=label, exact=True).click()


def shows(page, want: Expected) -> bool:
    """True once the page shows ``want``'s result and its script run has finished."""
    if page.get_by_role("heading", name=want.name, exact=True).count() != 1:
        return False
    return page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").count() == 1


def result_of(page) -> tuple[str, list[str], str]:
    """(shown file name, shown decisions, shown confidence) of the page's current result."""
    name = page.locator("h4").first.inner_text().strip()
    decisions = (
        page.locator("[data-testid='stMarkdownContainer'] p")
        .filter(has_text="Decision: ")
        .all_inner_texts()
    )
    confidence = (
        page.get_by_test_id("stMetric")
        .filter(has_text="Confidence")
        .get_by_test_id("stMetricValue")
        .inner_text()
        .strip()
    )
    return name, decisions, confidence


def wait_all(pages: list, wants: list[Expected], started: list[float]) -> list[float]:
    """Poll every page until each shows its result; seconds from its start to its result."""
    done: list[float | None] = [None] * len(pages)
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while any(d is None for d in done):
        assert time.monotonic() < deadline, f"results missing after {RUN_TIMEOUT_MS} ms: {done}"
        for i, page in enumerate(pages):
            if done[i] is None and shows(page, wants[i]):
                done[i] = time.monotonic() - started[i]
        time.sleep(POLL_S)
    return [float(d) for d in done]


def assert_result(page, want: Expected) -> None:
    name, decisions, confidence = result_of(page)
    assert (name, decisions, confidence) == (want.name, [want.decision], want.confidence)
    assert page.get_by_test_id("stException").count() == 0


def test_four_concurrent_sessions_each_see_their_own_result(app_url, browser, expected, capsys):
    server = server_process(app_url)
    # the default (first) sample is shown on opening the picker; the sessions then pick others
    wants = expected[1 : SESSIONS + 1]
    contexts = [
        browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(SESSIONS)
    ]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.set_default_timeout(RUN_TIMEOUT_MS)
            open_sample_picker(page, app_url)
        started = []
        for page, want in zip(pages, wants, strict=True):
            choose(page, want.label)
            started.append(time.monotonic())
        seconds = wait_all(pages, wants, started)
        for page, want in zip(pages, wants, strict=True):
            assert_result(page, want)
        # a second round with the clips rotated: still no cross-talk between sessions
        rotated = wants[1:] + wants[:1]
        started = []
        for page, want in zip(pages, rotated, strict=True):
            choose(page, want.label)
            started.append(time.monotonic())
        seconds += wait_all(pages, rotated, started)
        for page, want in zip(pages, rotated, strict=True):
            assert_result(page, want)
    finally:
        for context in contexts:
            context.close()
    assert server.is_running()
    p50, p95 = np.percentile(seconds, [50, 95])
    with capsys.disabled():
        print(
            f"\n[load] {SESSIONS} concurrent sessions, {len(seconds)} analyses: "
            f"time-to-result p50 {p50:.1f} s, p95 {p95:.1f} s, max {max(seconds):.1f} s"
        )


def tagged_flac(path: str, tag: str) -> bytes:
    """The clip re-encoded as FLAC with ``tag`` as its comment: the same samples, new bytes."""
    y, sr = sf.read(path, dtype="int16", always_2d=True)
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", sr, y.shape[1], "PCM_16", format="FLAC") as out:
        out.comment = tag
        out.write(y)
    return buffer.getvalue()


def upload(page, name: str, data: bytes) -> None:
    page.get_by_test_id(UPLOAD_INPUT).set_input_files(
        {"name": name, "mimeType": "audio/flac", "buffer": data}
    )


def rss_mb(process: psutil.Process) -> tuple[float, float]:
    """RSS of the server process and of its child processes (worker pools), in MB."""
    children = sum(c.memory_info().rss for c in process.children(recursive=True))
    return process.memory_info().rss / 2**20, children / 2**20


def test_soak_sequential_analyses_bounded_server_memory(app_url, page, expected, capsys):
    server = server_process(app_url)
    for want in expected:  # the re-encoded copies decode to exactly the sample's audio
        assert np.array_equal(
            load_audio(tagged_flac(want.path, "check"))[0], load_audio(want.path)[0]
        )
    page.goto(app_url)
    wait_idle(page)
    warm = replace(expected[0], name="warm-up.flac")
    upload(page, warm.name, tagged_flac(warm.path, "warm-up"))  # model and explainer loaded
    wait_all([page], [warm], [time.monotonic()])
    before, children_before = rss_mb(server)
    seconds, trace = [], []
    soak_start = time.monotonic()
    for run in range(SOAK_RUNS):
        base = expected[run % len(expected)]
        want = replace(base, name=f"soak{run + 1:02d}_{base.name}")
        upload(page, want.name, tagged_flac(want.path, f"soak run {run + 1}"))
        seconds += wait_all([page], [want], [time.monotonic()])
        assert_result(page, want)
        trace.append(rss_mb(server)[0])
    total_s = time.monotonic() - soak_start
    after, children_after = rss_mb(server)
    growth = after - before
    assert server.is_running()
    every_10 = " ".join(f"{mb:.0f}" for mb in trace[9::10])
    late_growth = trace[-1] - trace[SOAK_FULL_CACHE_RUN - 1]
    with capsys.disabled():
        print(
            f"\n[soak] {SOAK_RUNS} sequential fresh analyses in one session, {total_s:.0f} s: "
            f"server RSS {before:.0f} -> {after:.0f} MB (growth {growth:.0f} MB, peak "
            f"{max(trace):.0f} MB; after every 10 runs: {every_10}); child processes "
            f"{children_before:.0f} -> {children_after:.0f} MB; runs {SOAK_FULL_CACHE_RUN}-"
            f"{SOAK_RUNS}: {late_growth:+.0f} MB; time-to-result p50 "
            f"{np.percentile(seconds, 50):.1f} s, p95 {np.percentile(seconds, 95):.1f} s"
        )
    assert growth < SOAK_MAX_GROWTH_MB
    assert late_growth < SOAK_MAX_LATE_GROWTH_MB  # caches full: a leak would show here
