"""Label queue: the clips the model was least sure about, labelled in one click; retrain."""

from __future__ import annotations

import streamlit as st

from turkmood.learning.labels import read_labels
from turkmood.learning.queue import label_queue
from turkmood.learning.status import queue_advice
from turkmood.telemetry.prediction_log import read_predictions
from ui.label_queue_view import admin_gate, advice_box, label_counts, queue_cards, shadow_line
from ui.retrain_view import retrain_section

st.title("Label queue")
st.caption(
    "Teach TurkMood your music: label the clips it hesitated on, then retrain a challenger and "
    "compare it with the champion on the same folds."
)
if not admin_gate():
    st.stop()

labels = read_labels()
log = read_predictions()
label_counts(labels)
advice_box(queue_advice(labels))
st.subheader("Most uncertain first")
queue_cards(label_queue(log, labels))
st.subheader("Retrain")
shadow_line(log)
retrain_section(len(labels))
