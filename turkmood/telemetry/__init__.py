"""Telemetry: what every face predicted (the prediction log), for monitoring and the label queue."""
