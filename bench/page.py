"""What a person waits for on the Analyze page, beside the library's own time in the same run.

Usage: python bench/page.py [--clips N] [--port PORT]

1. Starts a fresh ``streamlit run app.py`` on 127.0.0.1 (a throw-away ``TURKMOOD_HOME``) and
   Debian's Chromium through Playwright, as the end-to-end tests do; times the server start, the
   first page (navigation → script idle), N uploads of different bundled 30 s samples one after
   the other (upload → the result's "Was this right?" form rendered and the script idle: the
   first is cold, the rest warm) and then the Classroom page's first load.
2. In this process, for the same clips, times what the page computes, phase by phase, with the
   same library functions: decode, features + prediction (``analyze_signal``), the SHAP
   explanation, the pictures (second decode + waveform envelope + mel spectrogram) and each
   figure's build, with the size of the JSON each figure sends to the browser.
3. Prints the warm upload → result median against the library's ``analyze`` median for the same
   clips (ratio), and the bytes the browser received over the websocket per upload.

Every number is measured by this script on this machine; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.launch import answers, free_port, streamlit_command  # noqa: E402
from turkmood.analyze import analyze, analyze_signal  # noqa: E402
from turkmood.audio import load_audio  # noqa: E402
from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASSES  # noqa: E402
from turkmood.data import load_training_data  # noqa: E402
from turkmood.explain import build_explainer, explain  # noqa: E402
from turkmood.model import cached_model  # noqa: E402
from turkmood.ood import training_detector  # noqa: E402
from turkmood.plots import (  # noqa: E402
    circumplex_chart,
    probability_bar,
    spectrogram_chart,
    timeline_chart,
    waveform_chart,
)
from turkmood.signal_views import mel_spectrogram_db, waveform_envelope  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TIMEOUT_MS = 180_000


def _clips(n: int) -> list[Path]:
    clips = sorted((ROOT / "sample_audios").glob("*.flac"))
    if len(clips) < n:
        raise SystemExit(f"only {len(clips)} bundled clips; ask for at most that many")
    return clips[:n]


def _figures(envelope, spectrogram, analysis) -> dict[str, Callable[[], object]]:
    """The Analyze page's figures for one clip, each as a builder."""
    track = analysis.track.iloc[0]
    probabilities = {c: float(track[c]) for c in CLASSES}
    return {
        "waveform": lambda: waveform_chart(envelope.times, envelope.low, envelope.high),
        "spectrogram": lambda: spectrogram_chart(
            spectrogram.times, spectrogram.freqs, spectrogram.db
        ),
        "probabilities": lambda: probability_bar(probabilities),
        "timeline": lambda: timeline_chart(analysis.timeline, title="t", track=probabilities),
        "circumplex": lambda: circumplex_chart(0.0, 0.0, CIRCUMPLEX_POSITIONS, probabilities),
    }


def library_phases(clips: list[Path]) -> dict[str, list[float]]:
    """Per phase, seconds per clip (one warm-up clip first: caches as the server has them)."""
    model = cached_model()
    training_detector()
    start = time.perf_counter()
    explainer = build_explainer(model, load_training_data().X)
    build_s = time.perf_counter() - start
    phases: dict[str, list[float]] = {"explainer build (once per process)": [build_s]}

    def add(name: str, seconds: float) -> None:
        phases.setdefault(name, []).append(seconds)

    analyze(clips[0], model)  # warm-up
    for clip in clips:
        data = clip.read_bytes()
        t0 = time.perf_counter()
        analyze(data, model)
        add("library analyze (decode + features + predict)", time.perf_counter() - t0)
        t0 = time.perf_counter()
        y, sr = load_audio(data)
        add("  decode", time.perf_counter() - t0)
        t0 = time.perf_counter()
        analysis = analyze_signal(y, sr, model)
        add("  features + prediction + OOD", time.perf_counter() - t0)
        t0 = time.perf_counter()
        explain(explainer, analysis.track_features, analysis.predicted)
        add("SHAP explanation", time.perf_counter() - t0)
        t0 = time.perf_counter()
        y2, sr2 = load_audio(data)
        envelope, spectrogram = waveform_envelope(y2, sr2), mel_spectrogram_db(y2, sr2)
        add("pictures: decode again + envelope + mel", time.perf_counter() - t0)
        figures = _figures(envelope, spectrogram, analysis)
        for name, build in figures.items():
            t0 = time.perf_counter()
            try:
                figure = build()
                size = len(figure.to_json())
            except (TypeError, ValueError, KeyError):
                continue
            add(f"figure {name}: build + JSON", time.perf_counter() - t0)
            add(f"figure {name}: KB sent", size / 1024)
    return phases


def browser_run(clips: list[Path], port: int) -> dict[str, object]:
    """Fresh server + Chromium: start, first page, uploads, Classroom."""
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="turkmood-bench-home-")
    env = {**os.environ, "TURKMOOD_HOME": home}
    command = streamlit_command(port)
    log = open(Path(home) / "server.log", "wb")  # noqa: SIM115 - closed in finally
    start = time.perf_counter()
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    out: dict[str, object] = {}
    try:
        while not answers(f"{url}/_stcore/health"):
            if server.poll() is not None or time.perf_counter() - start > 180:
                raise SystemExit(f"the server did not start; see {log.name}")
            time.sleep(0.2)
        out["server start → healthy"] = time.perf_counter() - start
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            received = [0]

            def on_socket(ws) -> None:
                ws.on(
                    "framereceived",
                    lambda frame: received.__setitem__(
                        0, received[0] + len(frame if isinstance(frame, bytes) else frame.encode())
                    ),
                )

            page.on("websocket", on_socket)
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(IDLE)
            page.get_by_test_id("stFileUploaderDropzoneInput").wait_for(state="attached")
            out["first page (navigation → idle)"] = time.perf_counter() - t0
            uploads, sizes = [], []
            for clip in clips:
                before = received[0]
                t0 = time.perf_counter()
                page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(clip))
                page.get_by_text("Was this right?").wait_for()
                page.wait_for_selector(IDLE)
                uploads.append(time.perf_counter() - t0)
                sizes.append((received[0] - before) / 1024)
                page.goto(url)  # a fresh page for the next upload (same server, warm caches)
                page.wait_for_selector(IDLE)
            out["uploads"] = uploads
            out["KB received per upload"] = sizes
            t0 = time.perf_counter()
            page.goto(f"{url}/classroom")
            page.wait_for_selector(IDLE)
            page.wait_for_timeout(200)
            page.wait_for_selector(IDLE)
            out["Classroom first load (navigation → idle)"] = time.perf_counter() - t0
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4, help="uploads (first cold); default 4")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    args = parser.parse_args(argv)
    clips = _clips(args.clips)
    print(f"command: python bench/page.py --clips {args.clips}")
    print(f"clips: {', '.join(c.name for c in clips)}")
    page = browser_run(clips, args.port or free_port())
    phases = library_phases(clips)
    uploads = np.array(page["uploads"])
    library = np.array(phases["library analyze (decode + features + predict)"])
    print("\nin the browser (fresh server, Chromium)")
    for key in ("server start → healthy", "first page (navigation → idle)"):
        print(f"  {key:<44} {page[key]:7.2f} s")
    print(f"  {'first upload → result (cold)':<44} {uploads[0]:7.2f} s")
    if len(uploads) > 1:
        print(f"  {'later uploads → result, median (warm)':<44} {np.median(uploads[1:]):7.2f} s")
    classroom = page["Classroom first load (navigation → idle)"]
    print(f"  {'Classroom first load':<44} {classroom:7.2f} s")
    kb = page["KB received per upload"]
    print(f"  {'websocket KB received per upload, median':<44} {np.median(kb):7.0f} KB")
    print("\nin this process, same clips, same library functions (median per clip)")
    for name, values in phases.items():
        unit = "KB" if name.endswith("KB sent") else "s"
        print(f"  {name:<44} {np.median(values):7.3f} {unit}")
    if len(uploads) > 1:
        ratio = np.median(uploads[1:]) / np.median(library)
        print(
            f"\nwarm upload → result / library analyze (same clips, same run): {ratio:.2f}x "
            f"({np.median(uploads[1:]):.2f} s vs {np.median(library):.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
