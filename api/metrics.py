"""Prometheus metrics of one service instance (``GET /metrics``), on its own registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)


@dataclass
class Metrics:
    """The service's counters, histograms and gauges."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "turkmood_http_requests", "HTTP requests", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "turkmood_http_request_duration_seconds",
            "HTTP request duration",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.predictions = Counter(
            "turkmood_predictions", "Clip predictions", ["predicted", "decision"], registry=r
        )
        self.ood = Counter(
            "turkmood_ood_predictions", "Clip predictions flagged out of distribution", registry=r
        )
        self.extraction = Histogram(
            "turkmood_analysis_seconds",
            "Decode + feature extraction + prediction time per clip (worker side)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.rejected = Counter(
            "turkmood_rejected_at_capacity", "Requests answered 503 at capacity", registry=r
        )
        self.in_flight = Gauge("turkmood_in_flight", "Work items holding a slot", registry=r)
        self.model = Gauge("turkmood_model_info", "Serving model version", ["version"], registry=r)
