"""The project's exception types: each carries a message meant for a person."""

from __future__ import annotations


class TurkMoodError(Exception):
    """Base class: the message is safe and useful to show to a user as is."""


class AudioError(TurkMoodError):
    """An audio file could not be turned into an analysable signal."""


class TableError(TurkMoodError, ValueError):
    """A feature table is missing columns, has extra/duplicated ones, or holds bad values."""


class ModelError(TurkMoodError):
    """A bundled model artifact is missing, unreadable or fails its checksum."""


class UnknownModelError(ModelError):
    """A model name that is not among the available models (the caller's mistake)."""


class NotFoundError(TurkMoodError):
    """An id (batch job, prediction) that does not exist."""


class TagError(TurkMoodError):
    """Emotion tags cannot be read from or written into a file (format, permissions, damage)."""


class RegistryError(TurkMoodError):
    """A model-registry action cannot be done (no challenger, nothing to roll back, bad name)."""
