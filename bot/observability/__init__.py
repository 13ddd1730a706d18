"""Operating the service: Prometheus metrics, readiness, structured logs with personal data masked.

``setup_observability(app)`` (called by :func:`bot.app.create_app`) adds ``/metrics`` and
``/readyz``; :func:`bot.observability.logs.configure_logging` is called by the command line.
"""

from bot.observability.setup import METRICS, setup_observability

__all__ = ["METRICS", "setup_observability"]
