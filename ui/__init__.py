"""Streamlit-only helpers for the TurkMood app: cached resources, inputs and shared widgets.

Nothing here does maths: it calls one :mod:`turkmood` function and draws the result.
"""
