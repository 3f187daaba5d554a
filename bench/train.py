"""Exploratory benchmark of model variants under the full repeated CV (not used by the app).

Usage: PYTHONPATH=. python bench/train.py [--cv-seed N] [NAME ...]
(default: all variants, CV seed = constants.SEED; prints one line per variant)
Every variant is a complete pipeline evaluated inside the same 10x5 repeated stratified CV as
``python -m turkmood train``; numbers printed here are what the report quotes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import ExtraTreesClassifier, StackingClassifier, VotingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    PowerTransformer,
    QuantileTransformer,
    StandardScaler,
)
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

# Runnable as `python bench/NAME.py`: put the project root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from turkmood.candidates import CANDIDATES  # noqa: E402
from turkmood.constants import CV_FOLDS, CV_REPEATS, FEATURE_NAMES, SEED  # noqa: E402
from turkmood.data import load_training_data  # noqa: E402
from turkmood.train import calibrated, cross_validate  # noqa: E402

SEED_ = SEED
SKEWED = [
    "_Roughness_Mean",
    "_Spectralkurtosis_Mean",
    "_Spectralskewness_Mean",
    "_Fluctuation_Mean",
    "_AttackTime_Mean",
    "_Eventdensity_Mean",
    "_RMSenergy_Mean",
    "_Spectralflatness_Mean",
]


def log_skewed() -> ColumnTransformer:
    idx = [FEATURE_NAMES.index(c) for c in SKEWED]
    return ColumnTransformer([("log", FunctionTransformer(np.log1p), idx)], remainder="passthrough")


def imp():
    return SimpleImputer(strategy="median")


def platt(svc):
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(svc, method="sigmoid", cv=StratifiedKFold(5), ensemble=False)


def svc_pipe(pre, C=1.0, gamma="scale"):
    return Pipeline(
        [
            ("impute", imp()),
            *pre,
            ("scale", StandardScaler()),
            ("clf", platt(SVC(C=C, gamma=gamma))),
        ]
    )


def lr_pipe(pre, C=1.0):
    return Pipeline(
        [
            ("impute", imp()),
            *pre,
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(C=C, max_iter=5000)),
        ]
    )


def et(n=500, **kw):
    return Pipeline(
        [("impute", imp()), ("clf", ExtraTreesClassifier(n_estimators=n, random_state=SEED_, **kw))]
    )


CHROMA = [FEATURE_NAMES.index(f"_Chromagram_Mean_{i}") for i in range(1, 13)]


def _chroma_sorted(X):
    X = np.array(X, dtype=float)
    X[:, CHROMA] = -np.sort(-X[:, CHROMA], axis=1)
    return X


def _chroma_drop(X):
    X = np.asarray(X, dtype=float)
    keep = [i for i in range(X.shape[1]) if i not in CHROMA]
    return X[:, keep]


def _log_and_sort(X):
    X = _chroma_sorted(X)
    idx = [FEATURE_NAMES.index(c) for c in SKEWED]
    X[:, idx] = np.log1p(X[:, idx])
    return X


LOG = [("log", log_skewed())]


def lda():
    return Pipeline(
        [
            ("impute", imp()),
            *LOG,
            ("scale", StandardScaler()),
            ("clf", LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")),
        ]
    )


SORT = [("sort", FunctionTransformer(_chroma_sorted))]
DROP = [("drop", FunctionTransformer(_chroma_drop))]
LOGSORT = [("logsort", FunctionTransformer(_log_and_sort))]
QT = [("qt", QuantileTransformer(n_quantiles=100, output_distribution="normal"))]
PT = [("pt", PowerTransformer())]
INNER = StratifiedKFold(5, shuffle=True, random_state=SEED_)
C_GRID = [0.25, 0.5, 1, 2, 4, 8, 16]
G_GRID = [0.005, 0.01, 0.02, 0.04]


def tuned_svc(pre):
    pipe = Pipeline([("impute", imp()), *pre, ("scale", StandardScaler()), ("clf", SVC())])
    search = GridSearchCV(
        pipe, {"clf__C": C_GRID, "clf__gamma": G_GRID}, cv=INNER, scoring="accuracy"
    )
    return platt_outer(search)


def platt_outer(est):
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(est, method="sigmoid", cv=StratifiedKFold(5), ensemble=False)


VARIANTS = {
    "logreg": lambda: CANDIDATES["logreg"].build(SEED_),
    "svc": lambda: CANDIDATES["svc_rbf"].build(SEED_),
    "et": lambda: CANDIDATES["extra_trees"].build(SEED_),
    "rf": lambda: CANDIDATES["random_forest"].build(SEED_),
    "soft_vote": lambda: CANDIDATES["soft_vote"].build(SEED_),
    "soft_vote_calibrated": lambda: calibrated(CANDIDATES["soft_vote"].build(SEED_)),
    "lr_C0.1": lambda: lr_pipe([], 0.1),
    "lr_C0.3": lambda: lr_pipe([], 0.3),
    "lr_log_C0.3": lambda: lr_pipe(LOG, 0.3),
    "lr_qt_C0.3": lambda: lr_pipe(QT, 0.3),
    "svc_log": lambda: svc_pipe(LOG),
    "svc_qt": lambda: svc_pipe(QT),
    "svc_pt": lambda: svc_pipe(PT),
    "svc_C3": lambda: svc_pipe([], 3.0),
    "svc_log_C3": lambda: svc_pipe(LOG, 3.0),
    "svc_qt_C3": lambda: svc_pipe(QT, 3.0),
    "svc_tuned": lambda: tuned_svc([]),
    "svc_log_tuned": lambda: tuned_svc(LOG),
    "et_1000_mf0.3": lambda: et(1000, max_features=0.3),
    "et_balanced_sqrt": lambda: et(500, class_weight="balanced"),
    "lr_sort_C0.3": lambda: lr_pipe(SORT, 0.3),
    "lr_drop_C0.3": lambda: lr_pipe(DROP, 0.3),
    "lr_logsort_C0.3": lambda: lr_pipe(LOGSORT, 0.3),
    "svc_logsort": lambda: svc_pipe(LOGSORT),
    "svc_drop": lambda: svc_pipe(DROP),
    "et_sort": lambda: Pipeline(
        [
            ("impute", imp()),
            *SORT,
            ("clf", ExtraTreesClassifier(n_estimators=500, random_state=SEED_)),
        ]
    ),
    "et_drop": lambda: Pipeline(
        [
            ("impute", imp()),
            *DROP,
            ("clf", ExtraTreesClassifier(n_estimators=500, random_state=SEED_)),
        ]
    ),
    "lr_pt_C0.3": lambda: lr_pipe(PT, 0.3),
    "lr_log_C0.1": lambda: lr_pipe(LOG, 0.1),
    "lr_log_C0.03": lambda: lr_pipe(LOG, 0.03),
    "lr_pt_C0.1": lambda: lr_pipe(PT, 0.1),
    "lda_shrink": lambda: Pipeline(
        [
            ("impute", imp()),
            *LOG,
            ("scale", StandardScaler()),
            ("clf", LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")),
        ]
    ),
    "vote_svcpt_lrlog_et": lambda: VotingClassifier(
        [("svc", svc_pipe(PT)), ("lr", lr_pipe(LOG, 0.3)), ("et", et())], voting="soft"
    ),
    "vote_svcpt_lrlog": lambda: VotingClassifier(
        [("svc", svc_pipe(PT)), ("lr", lr_pipe(LOG, 0.3))], voting="soft"
    ),
    "vote_lrlog_et": lambda: VotingClassifier(
        [("lr", lr_pipe(LOG, 0.3)), ("et", et())], voting="soft"
    ),
    "vote_lda_lrlog_svclog_et": lambda: VotingClassifier(
        [("lda", lda()), ("lr", lr_pipe(LOG, 0.3)), ("svc", svc_pipe(LOG)), ("et", et())],
        voting="soft",
    ),
    "vote_lda_et": lambda: VotingClassifier([("lda", lda()), ("et", et())], voting="soft"),
    "vote_lda_svclog_et": lambda: VotingClassifier(
        [("lda", lda()), ("svc", svc_pipe(LOG)), ("et", et())], voting="soft"
    ),
    "lda_log_scale_only": lambda: lda(),
    "lda_nolog": lambda: Pipeline(
        [
            ("impute", imp()),
            ("scale", StandardScaler()),
            ("clf", LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")),
        ]
    ),
    "vote4_et200": lambda: VotingClassifier(
        [("lda", lda()), ("lr", lr_pipe(LOG, 0.3)), ("svc", svc_pipe(LOG)), ("et", et(200))],
        voting="soft",
    ),
    "vote4_et200_cal": lambda: platt_outer(
        VotingClassifier(
            [("lda", lda()), ("lr", lr_pipe(LOG, 0.3)), ("svc", svc_pipe(LOG)), ("et", et(200))],
            voting="soft",
        )
    ),
    "stack4_et200": lambda: StackingClassifier(
        [("lda", lda()), ("lr", lr_pipe(LOG, 0.3)), ("svc", svc_pipe(LOG)), ("et", et(200))],
        final_estimator=LogisticRegression(C=1.0, max_iter=5000),
        cv=StratifiedKFold(5, shuffle=True, random_state=SEED_),
    ),
    "vote_svc_lr_et": lambda: VotingClassifier(
        [("svc", svc_pipe([])), ("lr", lr_pipe([], 0.3)), ("et", et())], voting="soft"
    ),
    "vote_svclog_lrlog_et": lambda: VotingClassifier(
        [("svc", svc_pipe(LOG)), ("lr", lr_pipe(LOG, 0.3)), ("et", et())], voting="soft"
    ),
    "vote_svclog_et": lambda: VotingClassifier(
        [("svc", svc_pipe(LOG)), ("et", et())], voting="soft"
    ),
    "stack_svclog_lrlog_et": lambda: StackingClassifier(
        [("svc", svc_pipe(LOG)), ("lr", lr_pipe(LOG, 0.3)), ("et", et())],
        final_estimator=LogisticRegression(C=1.0, max_iter=5000),
        cv=StratifiedKFold(5, shuffle=True, random_state=SEED_),
    ),
}


def main(names: list[str]) -> None:
    cv_seed = SEED_
    if names[:1] == ["--cv-seed"]:
        cv_seed, names = int(names[1]), names[2:]
    data = load_training_data()
    for name in names or list(VARIANTS):
        start = time.perf_counter()
        with threadpool_limits(1):
            res = cross_validate(VARIANTS[name](), data.X, data.y, CV_FOLDS, CV_REPEATS, cv_seed)
        acc = [f["accuracy"] for f in res.folds]
        f1 = [f["macro_f1"] for f in res.folds]
        ece = [f["ece"] for f in res.folds]
        print(
            f"{name:24s} acc {np.mean(acc):.4f}±{np.std(acc):.4f} "
            f"F1 {np.mean(f1):.4f}±{np.std(f1):.4f} ECE {np.mean(ece):.4f} "
            f"[{time.perf_counter() - start:.0f}s]",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
