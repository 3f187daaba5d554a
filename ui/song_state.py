"""The last analysed song, kept in the session so other pages (Classroom) can start from it."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

ANALYZED_SONG_KEY = "analyzed-song"


def remember_analyzed_song(name: str, features: pd.Series) -> None:
    """Store the song's name and the 50 features the explanation used."""
    st.session_state[ANALYZED_SONG_KEY] = (name, features.astype(float).copy())


def analyzed_song() -> tuple[str, str, pd.Series] | None:
    """(id, name, features) of the last analysed song; the id changes with the features."""
    stored = st.session_state.get(ANALYZED_SONG_KEY)
    if stored is None:
        return None
    name, features = stored
    digest = hashlib.sha256(features.to_numpy(dtype=float).tobytes()).hexdigest()[:10]
    return f"song-{digest}", name, features
