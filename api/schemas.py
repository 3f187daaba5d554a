"""Pydantic request/response schemas of API v1 (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from turkmood.constants import CLASSES, FEATURE_NAMES

_EXAMPLE_PROBS = {"happy": 0.81, "sad": 0.05, "angry": 0.09, "relax": 0.05}


class Error(BaseModel):
    detail: str = Field(examples=["The file is not audio TurkMood can read."])


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    model_version: str | None = Field(examples=["soft_vote_calibrated@eb72f387c917"])


class Unusual(BaseModel):
    feature: str
    robust_z: float


class OOD(BaseModel):
    flag: bool
    distance: float
    threshold: float
    most_unusual: list[Unusual]
    out_of_range: list[str]


class Window(BaseModel):
    model_config = ConfigDict(extra="allow")
    start_s: float
    end_s: float
    decision: str


class Explanation(BaseModel):
    target: str
    method: str
    summary: str
    reasons: list[str]


class Prediction(BaseModel):
    """One clip's verdict: the same numbers as ``turkmood.analyze.analyze`` on the same file."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "clip": "song.mp3",
                "clip_hash": "9f…",
                "prediction_id": 12,
                "model_version": "soft_vote_calibrated@eb72f387c917",
                "duration_s": 30.0,
                "predicted": "happy",
                "confidence": 0.81,
                "decision": "happy",
                "status": "accepted",
                "probabilities": _EXAMPLE_PROBS,
            }
        }
    )
    clip: str
    clip_hash: str
    prediction_id: int | None
    model_version: str
    duration_s: float
    predicted: str
    confidence: float
    #: The emotion, or "review — between X and Y" / "review — unlike the training music" /
    #: "review — not music: …" (the app's and the CSV's words).
    decision: str
    #: "accepted" or "review": the field to filter on.
    status: str
    probabilities: dict[str, float]
    ood: OOD
    timeline: list[Window]
    features: dict[str, float]
    notes: list[str]
    explanation: Explanation | None = None


class FeatureRequest(BaseModel):
    """Either ``features`` (one row) or ``rows``; each row maps the 50 feature names to values."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"features": {name: 0.0 for name in FEATURE_NAMES}}}
    )
    features: dict[str, object] | None = None
    rows: list[dict[str, object]] | None = None
    model: str | None = None


class RowPrediction(BaseModel):
    predicted: str
    confidence: float
    decision: str
    status: str
    probabilities: dict[str, float]
    ood: OOD


class FeaturePredictions(BaseModel):
    model_version: str
    rows: list[RowPrediction]


class ModelEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    source: str
    version: str | None
    champion: bool
    description: str = ""
    cv: dict[str, float]


class Models(BaseModel):
    champion: str
    models: list[ModelEntry]


class Job(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    status: str = Field(examples=["running"])
    n_files: int
    n_done: int
    n_failed: int
    notes: list[str]
    message: str


class FeedbackRequest(BaseModel):
    """A person's label for a clip the service scored (its prediction id or clip hash)."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"prediction_id": 12, "emotion": "relax"}}
    )
    emotion: Literal[CLASSES] = Field(description=f"one of {', '.join(CLASSES)}")
    prediction_id: int | None = None
    clip_hash: str | None = None


class FeedbackSaved(BaseModel):
    feedback_id: int
    clip_name: str
    emotion: str
