"""Designed demo clips: a search over :mod:`turkmood.synth` recipes whose objective is the clip's
*features*, never a model's prediction.

The question a designed clip answers is "what does a song the model learnt as *happy* look like
in the 50 features?". So the search renders a recipe, extracts its 50 MIRtoolbox features (the
app's own extractor), standardises them with the mean and standard deviation of the UCI training
table (de-duplicated, as for training) and measures, for each emotion, the **RMS z-distance to
that emotion's k nearest training songs** (the square root of the mean over the 50 features of
the squared difference in standard deviations, averaged over the k nearest songs). The
objective for emotion *e* is

    d_e + max(0, d_e - min over the other emotions of d_o)

that is, the distance to *e*'s nearest training songs plus a penalty of however much closer
another emotion's songs are. No model is loaded or called here; the labels used are the UCI
table's own. The search starts from the hand-designed sample recipes and random recipes drawn
with a fixed seed, then makes random local changes around each emotion's best recipe (see
:func:`search`). The clip shipped for an emotion is the best candidate that :func:`reached` its
region (:func:`choose`); an emotion with none gets no clip.

Used by ``sample_audios/make_designed.py``; the chosen recipes, their distances and the
reference distances of the training songs themselves are written to
``sample_audios/designed/designed.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from turkmood.constants import ANALYSIS_SR, CLASSES, FEATURE_NAMES
from turkmood.synth import INSTRUMENTS, MAKAM_STEPS, USULS, Recipe, render, to_pcm16

#: Nearest training songs of an emotion that a clip's distance is averaged over.
K_NEAREST = 10

#: Rhythm palettes a recipe's melody draws its note lengths (in pulses) from, with weights.
NOTE_PALETTES: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = (
    ((0.5, 1.0), (0.55, 0.45)),
    ((0.5, 1.0, 2.0), (0.3, 0.5, 0.2)),
    ((1.0, 2.0), (0.6, 0.4)),
    ((1.0, 2.0, 3.0), (0.4, 0.4, 0.2)),
    ((1.0, 2.0, 4.0), (0.4, 0.35, 0.25)),
    ((2.0, 3.0, 4.0), (0.4, 0.3, 0.3)),
)

#: Continuous recipe fields the search varies, with their (low, high) bounds.
CONTINUOUS: dict[str, tuple[float, float]] = {
    "tonic_hz": (110.0, 330.0),
    "bpm": (50.0, 420.0),
    "leap": (0.05, 0.4),
    "rest_prob": (0.0, 0.2),
    "brightness": (0.1, 0.95),
    "roughness": (0.0, 0.95),
    "legato": (0.1, 0.9),
    "loudness_dbfs": (-30.0, -10.0),
    "percussion": (0.0, 1.0),
    "drone": (0.0, 0.6),
    "bass": (0.0, 0.6),
    "noise_bursts": (0.0, 0.4),
    "reverb": (0.05, 0.6),
    "heterophony": (0.0, 0.5),
    "noise_floor_db": (-50.0, -25.0),
}
#: Fields drawn on a log scale (frequencies and tempi).
LOG_SCALE = frozenset({"tonic_hz", "bpm"})


@dataclass(frozen=True)
class Reference:
    """The training table standardised: per-feature mean and std, the z rows and their labels."""

    mean: np.ndarray
    std: np.ndarray
    z: np.ndarray
    labels: np.ndarray

    @classmethod
    def from_table(cls, X, y) -> Reference:
        """From a 50-column feature frame ``X`` (FEATURE_NAMES order) and its labels ``y``."""
        values = X[list(FEATURE_NAMES)].to_numpy(dtype=float)
        mean = values.mean(axis=0)
        std = values.std(axis=0, ddof=1)
        std[std == 0] = 1.0
        return cls(mean, std, (values - mean) / std, np.asarray(y, dtype=str))

    def standardise(self, features: Mapping[str, float]) -> np.ndarray:
        """The 50 values of ``features`` in standard deviations of the training table."""
        x = np.array([float(features[name]) for name in FEATURE_NAMES])
        return (x - self.mean) / self.std


def class_distances(
    z: np.ndarray, ref: Reference, k: int = K_NEAREST, exclude: int | None = None
) -> dict[str, float]:
    """Per emotion, the mean RMS z-distance from ``z`` to that emotion's ``k`` nearest training
    rows (``exclude``: a row index of ``ref`` left out, to score a training row itself)."""
    d = np.sqrt(np.mean((ref.z - z) ** 2, axis=1))
    if exclude is not None:
        d[exclude] = np.inf
    out = {}
    for emotion in CLASSES:
        own = np.sort(d[ref.labels == emotion])
        own = own[np.isfinite(own)]
        out[emotion] = float(own[:k].mean())
    return out


def objective(distances: Mapping[str, float], emotion: str) -> float:
    """Distance to ``emotion``'s nearest songs plus how much closer another emotion's songs are."""
    own = distances[emotion]
    nearest_other = min(v for c, v in distances.items() if c != emotion)
    return own + max(0.0, own - nearest_other)


def training_reference_distances(ref: Reference, k: int = K_NEAREST) -> dict[str, dict]:
    """For each emotion, the median and 90th percentile of its own training songs' distance to
    their k nearest *other* songs of the same emotion: how far "typical" is inside the table."""
    out = {}
    for emotion in CLASSES:
        rows = np.flatnonzero(ref.labels == emotion)
        own = [class_distances(ref.z[i], ref, k, exclude=int(i))[emotion] for i in rows]
        out[emotion] = {
            "median": round(float(np.median(own)), 4),
            "p90": round(float(np.percentile(own, 90)), 4),
        }
    return out


def _draw(rng: np.random.Generator, field: str) -> float:
    lo, hi = CONTINUOUS[field]
    if field in LOG_SCALE:
        return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    return float(rng.uniform(lo, hi))


def random_recipe(rng: np.random.Generator, name: str, emotion: str) -> Recipe:
    """A recipe with every searched field drawn at random (uniform, log-uniform for Hz/tempo)."""
    pulses, weights = NOTE_PALETTES[int(rng.integers(len(NOTE_PALETTES)))]
    values = {f: _draw(rng, f) for f in CONTINUOUS}
    return Recipe(
        name=name,
        emotion=emotion,
        description="",
        makam=str(rng.choice(sorted(MAKAM_STEPS))),
        usul=str(rng.choice(sorted(USULS))),
        instrument=str(rng.choice(INSTRUMENTS)),
        second_instrument=str(rng.choice(INSTRUMENTS)),
        note_pulses=pulses,
        note_weights=weights,
        seed=int(rng.integers(1_000_000)),
        **values,
    )


def mutate(recipe: Recipe, rng: np.random.Generator, scale: float = 0.15) -> Recipe:
    """A neighbour of ``recipe``: every continuous field moved by a normal step of ``scale`` of
    its range (clipped), and with probability 0.15 each, a new makam, usul, instrument, rhythm
    palette or melody seed."""
    changes: dict[str, object] = {}
    for field, (lo, hi) in CONTINUOUS.items():
        value = float(getattr(recipe, field))
        if field in LOG_SCALE:
            step = rng.normal(0.0, scale) * np.log(hi / lo)
            changes[field] = float(np.clip(value * np.exp(step), lo, hi))
        else:
            changes[field] = float(np.clip(value + rng.normal(0.0, scale) * (hi - lo), lo, hi))
    if rng.random() < 0.15:
        changes["makam"] = str(rng.choice(sorted(MAKAM_STEPS)))
    if rng.random() < 0.15:
        changes["usul"] = str(rng.choice(sorted(USULS)))
    if rng.random() < 0.15:
        changes["instrument"] = str(rng.choice(INSTRUMENTS))
    if rng.random() < 0.15:
        pulses, weights = NOTE_PALETTES[int(rng.integers(len(NOTE_PALETTES)))]
        changes["note_pulses"], changes["note_weights"] = pulses, weights
    if rng.random() < 0.15:
        changes["seed"] = int(rng.integers(1_000_000))
    return replace(recipe, **changes)


def rendered_features(recipe: Recipe) -> dict[str, float]:
    """The 50 features of ``recipe`` as it will be stored: rendered, rounded to 16 bits and read
    back the way libsndfile reads 16-bit audio (x / 32768)."""
    from turkmood.features import extract_features

    pcm = to_pcm16(render(recipe, ANALYSIS_SR))
    return extract_features(pcm.astype(np.float64) / 32768.0, ANALYSIS_SR)


@dataclass
class Candidate:
    """One evaluated recipe with its per-emotion distances."""

    recipe: Recipe
    distances: dict[str, float]

    def as_dict(self) -> dict:
        return {"recipe": asdict(self.recipe), "distances": self.distances}


def search(
    ref: Reference,
    seed: int,
    n_random: int,
    n_local: int,
    starts: Sequence[Recipe] = (),
    features_of: Callable[[Recipe], Mapping[str, float]] = rendered_features,
    log: Callable[[str], None] = print,
) -> tuple[dict[str, Candidate], list[Candidate]]:
    """Search recipes for every emotion at once; return the best candidate per emotion and
    every candidate evaluated (in order).

    Stage 1: the ``starts`` recipes (e.g. the hand-designed sample recipes) and ``n_random``
    random recipes, each rendered and featurised once and scored for all four emotions.
    Stage 2, per emotion: ``n_local`` rounds of :func:`mutate` around that emotion's best so far.
    An emotion's winner is the best of *every* evaluated candidate for it. Everything random
    comes from ``numpy.random.default_rng(seed)``, so the same seed gives the same clips.
    """
    rng = np.random.default_rng(seed)
    evaluated: list[Candidate] = []

    def evaluate(recipe: Recipe) -> Candidate:
        z = ref.standardise(features_of(recipe))
        cand = Candidate(recipe, {c: round(v, 6) for c, v in class_distances(z, ref).items()})
        evaluated.append(cand)
        return cand

    def best_for(emotion: str) -> Candidate:
        return min(evaluated, key=lambda c: objective(c.distances, emotion))

    for i, recipe in enumerate(starts):
        cand = evaluate(recipe)
        log(f"start {i + 1}/{len(starts)} {recipe.name}: " + _fmt(cand.distances))
    for i in range(n_random):
        cand = evaluate(random_recipe(rng, f"random_{i}", ""))
        log(f"random {i + 1}/{n_random}: " + _fmt(cand.distances))
    for emotion in CLASSES:
        for j in range(n_local):
            neighbour = mutate(best_for(emotion).recipe, rng)
            cand = evaluate(replace(neighbour, name=f"{emotion}_local_{j + 1}"))
            log(
                f"{emotion} local {j + 1}/{n_local}: {objective(cand.distances, emotion):.3f}"
                f" (best {objective(best_for(emotion).distances, emotion):.3f})"
            )
    return {e: best_for(e) for e in CLASSES}, evaluated


def choose(
    evaluated: Sequence[Candidate], emotion: str, reference: Mapping[str, dict]
) -> tuple[Candidate, bool]:
    """The clip to ship for ``emotion``: the lowest-objective candidate among those that
    :func:`reached` its region, and True; when none did, the lowest-objective one and False."""
    ranked = sorted(evaluated, key=lambda c: objective(c.distances, emotion))
    inside = [c for c in ranked if reached(c.distances, emotion, reference)]
    return (inside[0], True) if inside else (ranked[0], False)


def reached(distances: Mapping[str, float], emotion: str, reference: Mapping[str, dict]) -> bool:
    """The shipping rule (features only): ``emotion``'s training songs are the nearest, and no
    farther than the 90th percentile of their own songs' distance to each other
    (:func:`training_reference_distances`)."""
    own = distances[emotion]
    nearest = all(own < v for c, v in distances.items() if c != emotion)
    return nearest and own <= reference[emotion]["p90"]


def _fmt(distances: Mapping[str, float]) -> str:
    return " ".join(f"{c} {v:.3f}" for c, v in distances.items())
