"""Record what the bundled default model answers on every sample clip: ``verdicts.json``.

Usage (from the repository root; one command, about 1 s per clip)::

    python sample_audios/record_verdicts.py              # write sample_audios/verdicts.json
    python sample_audios/record_verdicts.py --markdown   # also print the tables of CREDITS.md

Every clip the Analyze page's picker lists (real music, feature-designed and hand-designed
synthetic clips) goes through ``turkmood.analyze.analyze`` — the app's own path — with the
default model of ``models/manifest.json`` (not a registry champion of this machine's
``TURKMOOD_HOME``). The page shows these answers next to the picker;
``tests/test_sample_records.py`` re-measures them and fails when they no longer match, so after
retraining the models run this again.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # allow running as a plain script from anywhere
    sys.path.insert(0, str(HERE.parent))

from turkmood.analyze import analyze  # noqa: E402
from turkmood.constants import CLASSES, SAMPLES_VERDICTS  # noqa: E402
from turkmood.model import load_model, read_manifest  # noqa: E402
from ui.analyze_samples import GROUPS, Sample, list_samples  # noqa: E402

COMMAND = "python sample_audios/record_verdicts.py"


def bundled_default_model():
    """The manifest's default model (what a fresh install serves)."""
    return load_model(read_manifest()["default_model"])


def measure(sample: Sample, model) -> dict[str, object]:
    """The model's answer on one clip, as stored in ``verdicts.json``."""
    a = analyze(sample.path, model)
    track = a.track.iloc[0]
    return {
        "predicted": a.predicted,
        "confidence": round(a.confidence, 4),
        "decision": a.decision,
        "ood": bool(a.is_ood),
        "imputed": sum(map(len, a.imputed)),
        "probabilities": {c: round(float(track[c]), 4) for c in CLASSES},
    }


def markdown(samples: list[Sample], clips: dict[str, dict], version: str, when: str) -> str:
    """One table per group: label, where it came from, and the recorded answer."""
    out = []
    for group, title in GROUPS.items():
        rows = [s for s in samples if s.group == group]
        if not rows:
            continue
        out += [
            f"**{title}** — model `{version}`, measured {when}, `{COMMAND}`",
            "",
            "| file | label | label from | predicted | confidence | decision | OOD | "
            + " | ".join(CLASSES)
            + " |",
            "|---" * (7 + len(CLASSES)) + "|",
        ]
        for s in rows:
            r = clips[s.key()]
            probs = " | ".join(f"{r['probabilities'][c]:.2f}" for c in CLASSES)
            out.append(
                f"| {s.key()} | {s.emotion} | {s.label_source} | {r['predicted']} | "
                f"{r['confidence']:.2f} | {r['decision']} | {r['ood']} | {probs} |"
            )
        accepted = [s for s in rows if clips[s.key()]["decision"] in CLASSES]
        right = sum(clips[s.key()]["decision"] == s.emotion for s in accepted)
        top = sum(clips[s.key()]["predicted"] == s.emotion for s in rows)
        out += [
            "",
            f"{len(rows)} clips: label = most likely class in {top}; accepted (probability "
            f"≥ 0.75 and in distribution) {len(accepted)}, of which right {right} and wrong "
            f"{len(accepted) - right}; sent to review {len(rows) - len(accepted)}.",
            "",
        ]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the CREDITS.md tables")
    args = parser.parse_args()
    model = bundled_default_model()
    samples = list_samples()
    clips = {}
    for sample in samples:
        clips[sample.key()] = measure(sample, model)
        print(f"{sample.key()}: {clips[sample.key()]['decision']}", file=sys.stderr)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    record = {
        "command": COMMAND,
        "model_version": model.version,
        "measured_utc": when,
        "clips": clips,
    }
    path = HERE / SAMPLES_VERDICTS
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(HERE.parent)}", file=sys.stderr)
    if args.markdown:
        print(markdown(samples, clips, model.version, when))


if __name__ == "__main__":
    main()
