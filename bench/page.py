"""What a person waits for on the Analyze page, beside the library's own time in the same run.

Usage: python bench/page.py [--clips N] [--port PORT]

1. Starts a fresh app server (``python -m turkmood app``, as the README does) on 127.0.0.1 (a
   throw-away ``TURKMOOD_HOME``) and Debian's Chromium through Playwright, as the end-to-end
   tests do; times the server start, the first page (navigation → script idle), N uploads of
   different bundled 30 s samples one after the other (upload → the result's "Was this right?"
   form rendered and the script idle: the first is cold, the rest warm; the moment the verdict
   shows is noted too) and then the Classroom and Drift pages' first loads. The server writes
   its own phases per script run (``TURKMOOD_PAGE_TIMINGS``, ``ui.page_timing``), the CPU
   seconds of the server and of Chromium per upload are read with psutil, and the page counts
   the browser main thread's long tasks (rendering, Plotly), so each upload splits into
   upload → script start, the script's phases, and script end → idle in the browser.
2. In this process, for the same clips, times what the page computes, phase by phase, with the
   same library functions: decode, features + prediction (``analyze_signal``), the SHAP
   explanation, the pictures (waveform envelope + mel spectrogram drawn as PNGs) and each
   figure's build, with the size of the JSON each figure sends to the browser.
3. Prints the warm upload → result median against the library's ``analyze`` median for the same
   clips (ratio), and the bytes the browser received over the websocket per upload.

Every number is measured by this script on this machine; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
from turkmood.chart_png import circumplex_png, probability_png  # noqa: E402
from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASSES  # noqa: E402
from turkmood.data import load_training_data  # noqa: E402
from turkmood.explain import build_explainer, explain  # noqa: E402
from turkmood.model import cached_model  # noqa: E402
from turkmood.ood import training_detector  # noqa: E402
from turkmood.picture_png import audio_pictures  # noqa: E402
from turkmood.plots import timeline_chart  # noqa: E402
from ui.page_timing import TIMINGS_ENV  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TIMEOUT_MS = 180_000
#: In the page: the main thread's long tasks (> 50 ms: rendering, Plotly, parsing) summed since
#: a reset, and when (browser clock) the verdict, the feedback form and the idle script state
#: first showed after it: what a person sees, without Playwright's own polling delay.
LONG_TASKS_SCRIPT = """
window.__turkmoodBusy = 0;
window.__turkmoodMarks = {};
window.__turkmoodBusyReset = () => {
  window.__turkmoodBusy = 0; window.__turkmoodMarks = {}; window.__turkmoodT0 = Date.now();
};
window.__turkmoodBusyMs = () => window.__turkmoodBusy;
window.__turkmoodShown = () => {
  const m = window.__turkmoodMarks, t0 = window.__turkmoodT0;
  const since = (k) => (k in m ? (m[k] - t0) / 1000 : null);
  return {verdict: since("verdict"), form: since("form"), idle: since("idle")};
};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { window.__turkmoodBusy += entry.duration; }
}).observe({ type: "longtask", buffered: false });
new MutationObserver(() => {
  const m = window.__turkmoodMarks;
  if (window.__turkmoodT0 === undefined) return;
  const now = Date.now();
  if (!("verdict" in m)) {
    for (const p of document.querySelectorAll("[data-testid='stMarkdownContainer'] p")) {
      if (p.textContent.startsWith("Decision: ")) { m.verdict = now; break; }
    }
  }
  if (!("form" in m) && document.querySelector("[data-testid='stForm']")) m.form = now;
  const app = document.querySelector("[data-testid='stApp']");
  const state = app && app.getAttribute("data-test-script-state");
  if (state === "running") { m.ran = true; delete m.idle; }
  else if (state === "notRunning" && m.ran && !("idle" in m)) m.idle = now;
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ["data-test-script-state"]});
"""


def _clips(n: int) -> list[Path]:
    clips = sorted((ROOT / "sample_audios").glob("*.flac"))
    if len(clips) < n:
        raise SystemExit(f"only {len(clips)} bundled clips; ask for at most that many")
    return clips[:n]


def _figures(analysis) -> dict[str, Callable[[], object]]:
    """The Analyze page's charts for one clip, each as a builder (PNG bytes or a Plotly figure)."""
    track = analysis.track.iloc[0]
    probabilities = {c: float(track[c]) for c in CLASSES}
    return {
        "probabilities (PNG)": lambda: probability_png(probabilities),
        "timeline (Plotly, songs > 30 s)": lambda: timeline_chart(
            analysis.timeline, title="t", track=probabilities
        ),
        "circumplex (PNG)": lambda: circumplex_png(0.0, 0.0, CIRCUMPLEX_POSITIONS, probabilities),
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
        pictures = audio_pictures(y, sr)
        add(
            "pictures: envelope + mel + two PNGs (page: beside the features)",
            time.perf_counter() - t0,
        )
        add("pictures: KB sent", (len(pictures.waveform) + len(pictures.spectrogram)) / 1024)
        figures = _figures(analysis)
        for name, build in figures.items():
            t0 = time.perf_counter()
            try:
                figure = build()
                size = len(figure) if isinstance(figure, bytes) else len(figure.to_json())
            except (TypeError, ValueError, KeyError):
                continue
            add(f"figure {name}: build", time.perf_counter() - t0)
            add(f"figure {name}: KB sent", size / 1024)
    return phases


def server_phases(path: Path, spans: list[tuple[float, float]]) -> list[dict[str, float]]:
    """Per upload (wall-clock span), the seconds the server spent in each timed page phase
    (summed over the script runs inside the span; ``runs`` counts the Analyze script runs)."""
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    per_upload = []
    for begin, end in spans:
        phases: dict[str, float] = {}
        runs = [
            line
            for line in lines
            if begin <= line["t"] <= end and line["phase"].startswith("script run: Analyze")
        ]
        for line in lines:
            if begin <= line["t"] <= end:
                phases[line["phase"]] = phases.get(line["phase"], 0.0) + line["s"]
        if runs:
            phases["runs"] = len(runs)
            first_start = runs[0]["t"] - runs[0]["s"]
            phases["browser: upload → first Analyze script run starts"] = first_start - begin
            phases["browser: last script run ends → page idle (render)"] = end - runs[-1]["t"]
        per_upload.append(phases)
    return per_upload


def _cpu_seconds(server_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by the app server (with its children) and by Chromium."""
    import psutil

    def used(proc: psutil.Process) -> float:
        try:
            times = proc.cpu_times()
            return times.user + times.system
        except psutil.Error:
            return 0.0

    server = psutil.Process(server_pid)
    server_s = used(server) + sum(used(c) for c in server.children(recursive=True))
    browser_s = sum(
        used(p) for p in psutil.process_iter(["name"]) if "chrom" in (p.info["name"] or "")
    )
    return server_s, browser_s


def browser_run(clips: list[Path], port: int) -> dict[str, object]:
    """Fresh server + Chromium: start, first page, uploads, Classroom."""
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{port}"
    home = tempfile.mkdtemp(prefix="turkmood-bench-home-")
    timings = Path(home) / "page_timings.jsonl"
    env = {**os.environ, "TURKMOOD_HOME": home, TIMINGS_ENV: str(timings)}
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
            page.add_init_script(LONG_TASKS_SCRIPT)
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_selector(IDLE)
            page.get_by_test_id("stFileUploaderDropzoneInput").wait_for(state="attached")
            out["first page (navigation → idle)"] = time.perf_counter() - t0
            uploads, verdicts, sizes, spans, busy, shown = [], [], [], [], [], []
            cpu = []
            decision = page.locator("[data-testid='stMarkdownContainer'] p").filter(
                has_text=re.compile(r"^Decision: ")
            )
            for clip in clips:
                before = received[0]
                page.evaluate("window.__turkmoodBusyReset()")
                cpu0 = _cpu_seconds(server.pid)
                t0, wall0 = time.perf_counter(), time.time()
                page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(clip))
                decision.first.wait_for()
                verdicts.append(time.perf_counter() - t0)
                page.get_by_text("Was this right?").wait_for()
                page.wait_for_selector(IDLE)
                uploads.append(time.perf_counter() - t0)
                cpu.append([b - a for a, b in zip(cpu0, _cpu_seconds(server.pid), strict=True)])
                spans.append((wall0, time.time()))
                shown.append(page.evaluate("window.__turkmoodShown()"))
                busy.append(page.evaluate("window.__turkmoodBusyMs()") / 1000)
                sizes.append((received[0] - before) / 1024)
                page.goto(url)  # a fresh page for the next upload (same server, warm caches)
                page.wait_for_selector(IDLE)
            out["uploads"] = uploads
            out["verdicts"] = verdicts
            out["shown"] = shown
            out["server phases"] = server_phases(timings, spans)
            for phases, seconds, (server_cpu, browser_cpu) in zip(
                out["server phases"], busy, cpu, strict=True
            ):
                phases["browser: main thread busy (long tasks: render, scripts)"] = seconds
                phases["CPU s during the upload: app server (all threads, pool)"] = server_cpu
                phases["CPU s during the upload: Chromium (all processes)"] = browser_cpu
            out["KB received per upload"] = sizes
            for name, path in (("Classroom", "classroom"), ("Drift", "drift")):
                t0 = time.perf_counter()
                page.goto(f"{url}/{path}")
                page.wait_for_selector(IDLE)
                page.wait_for_timeout(200)  # a page that reruns once goes idle twice
                page.wait_for_selector(IDLE)
                out[f"{name} first load (navigation → idle)"] = time.perf_counter() - t0
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
    verdicts = np.array(page["verdicts"])
    print(f"  {'first upload → result (cold)':<44} {uploads[0]:7.2f} s")
    if len(uploads) > 1:
        print(f"  {'later uploads → result, median (warm)':<44} {np.median(uploads[1:]):7.2f} s")
        shown_s = np.median(verdicts[1:])
        print(f"  {'  of which: → verdict shown, median (warm)':<44} {shown_s:7.2f} s")
    print("  the same seen by the page itself (browser clock, no Playwright polling), warm median:")
    for key, words in (("verdict", "verdict shown"), ("form", "feedback form (last)"),
                       ("idle", "script idle")):  # fmt: skip
        seen = [s[key] for s in page["shown"][1:] if s.get(key) is not None]
        if seen:
            print(f"    {'upload → ' + words:<42} {np.median(seen):7.2f} s")
    classroom = page["Classroom first load (navigation → idle)"]
    print(f"  {'Classroom first load':<44} {classroom:7.2f} s")
    drift = page["Drift first load (navigation → idle)"]
    print(f"  {'Drift first load':<44} {drift:7.2f} s")
    kb = page["KB received per upload"]
    print(f"  {'websocket KB received per upload, median':<44} {np.median(kb):7.0f} KB")
    warm_server = page["server phases"][1:] or page["server phases"]
    print("\non the server, per upload (warm uploads' median; TURKMOOD_PAGE_TIMINGS)")
    names = sorted({name for run in warm_server for name in run})
    for name in names:
        value = np.median([run.get(name, 0.0) for run in warm_server])
        unit = "" if name == "runs" else " s"
        print(f"  {name:<70} {value:7.3f}{unit}")
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
        for key, words in (("idle", "script idle"), ("verdict", "verdict shown")):
            seen = [s[key] for s in page["shown"][1:] if s.get(key) is not None]
            if seen:
                print(
                    f"warm upload → {words} as the page sees it / library analyze: "
                    f"{np.median(seen) / np.median(library):.2f}x ({np.median(seen):.2f} s)"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
