"""Drift analysis: how the model degrades when the inputs change (no Streamlit here).

* :mod:`~turkmood.drift.stats` — PSI and BH-corrected KS per feature, plain verdict;
* :mod:`~turkmood.drift.holdout` — stratified held-out split and a clone fitted without it;
* :mod:`~turkmood.drift.scenarios` — feature-table scenarios (mean, variance, combined, missing,
  class imbalance);
* :mod:`~turkmood.drift.evaluate` — accuracy, macro-F1, impact level per scenario;
* :mod:`~turkmood.drift.audio`, :mod:`~turkmood.drift.audio_score`,
  :mod:`~turkmood.drift.audio_run` — signal-level changes of sample clips;
* :mod:`~turkmood.drift.report` — JSON / CSV report; :mod:`~turkmood.drift.plots` — figures.
"""

from turkmood.drift.evaluate import TableDriftResult, run_table_scenarios, summary_frame
from turkmood.drift.holdout import Holdout, make_holdout
from turkmood.drift.scenarios import TableScenarioConfig
from turkmood.drift.stats import feature_drift, verdict

__all__ = [
    "Holdout",
    "TableDriftResult",
    "TableScenarioConfig",
    "feature_drift",
    "make_holdout",
    "run_table_scenarios",
    "summary_frame",
    "verdict",
]
