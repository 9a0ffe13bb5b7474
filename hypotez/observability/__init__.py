"""What an operator sees of a running bot: Prometheus metrics (:mod:`.metrics`), the health and metrics
endpoint (:mod:`.server`), and log lines as JSON (:mod:`.jsonlog`).

The pipeline, the adapters and the model service report to an :class:`~.observer.Observer` they are
given; the plain one does nothing, so a bot without ``--metrics-port`` pays nothing for it."""

from hypotez.observability.observer import Observer

__all__ = ["Observer"]
