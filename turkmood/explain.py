"""Why did the model say that? SHAP values of one prediction, worded for people.

The explainer is chosen from the model's shape:

- a Pipeline ending in a tree ensemble (random forest, extra trees, gradient boosting):
  ``shap.TreeExplainer`` on the final estimator, fed the pipeline's preprocessed features;
  exact and fast. Forests explain probabilities; boosted trees explain log-odds.
- a Pipeline ending in a linear model (logistic regression): ``shap.LinearExplainer`` with the
  preprocessed training table as background (log-odds units).
- anything else (SVC, voting ensembles, calibrated wrappers): ``shap.KernelExplainer`` on the
  whole model's ``predict_proba``, with a fixed background of SHAP_BACKGROUND_K k-means centres
  of the training table (clustered on standardised features so no single large-valued column
  decides the clusters) and SHAP_NSAMPLES coalitions per explanation, sampled with a fixed seed.
  Its values are in probability units and add up exactly to the predicted probability.

In every case the values of one class add up to (model output − base value), so a positive
value pushes the song toward that class and a negative one away from it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shap
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from turkmood.constants import (
    FEATURE_NAMES,
    SEED,
    SHAP_BACKGROUND_K,
    SHAP_MIN_ROWS_PER_THREAD,
    SHAP_NSAMPLES,
    SHAP_THREADS,
    SHAP_TOP_FEATURES,
)
from turkmood.glossary import describe, feature_info
from turkmood.model import LoadedModel
from turkmood.workers import available_cpus

_TREES = (
    RandomForestClassifier,
    ExtraTreesClassifier,
    DecisionTreeClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
)
_GLOBAL_RNG_LOCK = threading.Lock()
_PROBABILITY_TREES = (RandomForestClassifier, ExtraTreesClassifier, DecisionTreeClassifier)


@dataclass(frozen=True)
class ModelExplainer:
    """A ready explainer: maps one 50-feature row to SHAP values per (feature, class)."""

    kind: str  # "tree", "linear" or "kernel"
    units: str  # "probability" or "log-odds"
    classes: tuple[str, ...]  # class order of the values' last axis
    base_values: np.ndarray  # expected model output per class (same order)
    shap_fn: Callable[[pd.DataFrame], np.ndarray]  # (1, 50) frame -> (50, n_classes)


@dataclass(frozen=True)
class Explanation:
    """SHAP values of one row for one class, largest |value| first."""

    target: str
    kind: str
    units: str
    base_value: float
    #: Columns feature, value, shap (sorted by |shap|, descending); one row per feature.
    table: pd.DataFrame

    @property
    def output(self) -> float:
        """Model output for ``target`` reconstructed from the values (base + sum)."""
        return self.base_value + float(self.table["shap"].sum())

    def top(self, n: int = SHAP_TOP_FEATURES) -> pd.DataFrame:
        """The ``n`` features with the largest effect."""
        return self.table.head(n).reset_index(drop=True)


def _as_frame(X: np.ndarray | pd.DataFrame) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X[list(FEATURE_NAMES)].astype(float)
    return pd.DataFrame(np.asarray(X, dtype=float), columns=list(FEATURE_NAMES))


def _per_class(values: object, n_classes: int) -> np.ndarray:
    """SHAP output of one row as an array (n_features, n_classes), whatever shap returned."""
    if isinstance(values, list):  # older shap: one (rows, features) array per class
        values = np.stack([np.asarray(v) for v in values], axis=-1)
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 3:
        arr = arr[0]
    if arr.ndim != 2 or arr.shape[1] != n_classes:
        raise ValueError(f"unexpected SHAP output shape {arr.shape}")
    return arr


def _kmeans_background(X: pd.DataFrame, k: int) -> object:
    """k weighted k-means centres of X (clustered on standardised columns, fixed seed)."""
    values = X.to_numpy(dtype=float)
    mean, scale = values.mean(axis=0), values.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    summary = shap.kmeans((values - mean) / scale, min(k, len(values)))
    summary.data = summary.data * scale + mean
    return summary


def _tree(pipeline: Pipeline, classes: tuple[str, ...]) -> ModelExplainer:
    prep, final = pipeline[:-1], pipeline[-1]
    explainer = shap.TreeExplainer(final)

    def shap_fn(row: pd.DataFrame) -> np.ndarray:
        return _per_class(explainer.shap_values(np.asarray(prep.transform(row))), len(classes))

    units = "probability" if isinstance(final, _PROBABILITY_TREES) else "log-odds"
    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=float))
    return ModelExplainer("tree", units, classes, base, shap_fn)


def _linear(pipeline: Pipeline, background: pd.DataFrame, classes: tuple[str, ...]):
    prep, final = pipeline[:-1], pipeline[-1]
    explainer = shap.LinearExplainer(final, np.asarray(prep.transform(background)))

    def shap_fn(row: pd.DataFrame) -> np.ndarray:
        return _per_class(explainer.shap_values(np.asarray(prep.transform(row))), len(classes))

    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=float))
    return ModelExplainer("linear", "log-odds", classes, base, shap_fn)


def _rows_on_threads(
    predict: Callable[[np.ndarray], np.ndarray], threads: int
) -> Callable[[np.ndarray], np.ndarray]:
    """``predict`` applied to the rows of a large batch in ``threads`` parts at once (the
    calling thread takes the first part). Rows are predicted independently, so the result is
    the same; scikit-learn's SVM and tree predictions run without the interpreter lock."""
    if threads < 2:
        return predict
    pool = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="turkmood-shap-rows")

    def split(X: np.ndarray) -> np.ndarray:
        parts = min(threads, len(X) // SHAP_MIN_ROWS_PER_THREAD)
        if parts < 2:
            return predict(X)
        chunks = np.array_split(X, parts)
        rest = [pool.submit(predict, chunk) for chunk in chunks[1:]]
        return np.vstack([predict(chunks[0]), *(future.result() for future in rest)])

    return split


def _kernel(
    estimator: object, background: pd.DataFrame, classes: tuple[str, ...], seed: int, nsamples: int
) -> ModelExplainer:
    def one_part(X: np.ndarray) -> np.ndarray:
        return estimator.predict_proba(_as_frame(X))

    proba = _rows_on_threads(one_part, min(SHAP_THREADS, available_cpus()))

    explainer = shap.KernelExplainer(proba, _kmeans_background(background, SHAP_BACKGROUND_K))

    def shap_fn(row: pd.DataFrame) -> np.ndarray:
        # KernelExplainer samples coalitions with numpy's legacy global generator: seed it for
        # a reproducible answer, restore it afterwards, one explanation at a time.
        with _GLOBAL_RNG_LOCK:
            state = np.random.get_state()  # noqa: NPY002
            np.random.seed(seed)  # noqa: NPY002
            try:
                values = explainer.shap_values(
                    row.to_numpy(dtype=float), nsamples=nsamples, silent=True, l1_reg=False
                )
            finally:
                np.random.set_state(state)  # noqa: NPY002
        return _per_class(values, len(classes))

    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=float))
    return ModelExplainer("kernel", "probability", classes, base, shap_fn)


def build_explainer(
    model: LoadedModel | object,
    background: pd.DataFrame,
    seed: int = SEED,
    nsamples: int = SHAP_NSAMPLES,
) -> ModelExplainer:
    """The explainer suited to ``model`` (a LoadedModel or a fitted sklearn classifier).

    ``background`` is the training feature table (50 columns); it sets the base values.
    """
    estimator = model.pipeline if isinstance(model, LoadedModel) else model
    classes = tuple(str(c) for c in estimator.classes_)
    background = _as_frame(background)
    if isinstance(estimator, Pipeline) and len(estimator) > 1:
        final = estimator[-1]
        try:
            if isinstance(final, _TREES):
                return _tree(estimator, classes)
            if isinstance(final, LogisticRegression):
                return _linear(estimator, background, classes)
        except Exception:  # noqa: BLE001 - an unsupported variant falls back to the kernel method
            pass
    return _kernel(estimator, background, classes, seed, nsamples)


def explain(
    explainer: ModelExplainer, features: pd.Series | pd.DataFrame, target: str
) -> Explanation:
    """SHAP values of one feature row (Series or one-row frame) for class ``target``."""
    row = features.to_frame().T if isinstance(features, pd.Series) else features.iloc[[0]]
    row = _as_frame(row.reset_index(drop=True))
    if target not in explainer.classes:
        raise ValueError(f"unknown class {target!r}; the model knows {explainer.classes}")
    column = explainer.classes.index(target)
    values = explainer.shap_fn(row)[:, column]
    table = pd.DataFrame(
        {"feature": list(FEATURE_NAMES), "value": row.iloc[0].to_numpy(), "shap": values}
    )
    order = np.argsort(-np.abs(table["shap"].to_numpy()), kind="stable")
    return Explanation(
        target=target,
        kind=explainer.kind,
        units=explainer.units,
        base_value=float(explainer.base_values[column]),
        table=table.iloc[order].reset_index(drop=True),
    )


def direction(shap_value: float, target: str) -> str:
    """``"pushes toward angry"`` / ``"pulls away from angry"`` / ``"no effect"``."""
    if shap_value > 0:
        return f"pushes toward {target}"
    if shap_value < 0:
        return f"pulls away from {target}"
    return "no effect"


def reason_lines(explanation: Explanation, n: int = SHAP_TOP_FEATURES) -> list[str]:
    """One plain sentence per top feature: ``"Brightness: … = 0.41, pushes toward angry"``."""
    return [
        f"{describe(r.feature, r.value)}, {direction(r.shap, explanation.target)}"
        for r in explanation.top(n).itertuples()
    ]


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def summary_sentence(explanation: Explanation, n: int = 2) -> str:
    """One sentence naming the strongest reasons for and against the explained class."""
    top = explanation.top(SHAP_TOP_FEATURES)
    pro = [_lower_first(feature_info(f).label) for f in top.loc[top["shap"] > 0, "feature"][:n]]
    con = [_lower_first(feature_info(f).label) for f in top.loc[top["shap"] < 0, "feature"][:n]]
    target = explanation.target
    if not pro and not con:
        return f"No single feature stands out in the model's choice of {target}."
    parts = []
    if pro:
        parts.append(f"mostly {' and '.join(pro)} point{'s' if len(pro) == 1 else ''} to {target}")
    if con:
        parts.append(f"{' and '.join(con)} speak{'s' if len(con) == 1 else ''} against it")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."
