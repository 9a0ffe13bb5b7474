"""Prometheus metrics of one bot, in a registry of its own (two bots in one process count apart).

Counters and histograms are fed by the :class:`~.observer.Observer` hooks; what is read rather than
counted (the gateway's latency per shard) is collected when Prometheus scrapes."""

from __future__ import annotations

import math
from typing import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from hypotez.observability.observer import Observer

# Command handling is milliseconds (a template) to seconds (a model's answer, a transcription).
HANDLING_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
# Sending is a round trip to Discord, retries and uploads included.
SENDING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
# Training: seconds (a few examples, locally) to hours (a fine-tune at a provider).
JOB_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400)

# shard id (None: an unsharded bot) → its gateway latency in seconds (nan before the first heartbeat)
LatencySource = Callable[[], Iterable[tuple[int | None, float]]]
# the shared training queue's jobs by state (todo, doing), read from its database at each scrape
QueueSource = Callable[[], Mapping[str, int]]
QUEUE_STATES = ("todo", "doing")


class Metrics(Observer):
    """The bot's metrics. ``text()`` is what the ``/metrics`` endpoint serves."""

    def __init__(self, registry: CollectorRegistry | None = None, *, namespace: str = "hypotez"):
        self.registry = registry if registry is not None else CollectorRegistry()
        r, ns = self.registry, namespace
        self.commands = Counter("commands", "Commands handled, by command and outcome (ok, refused, failed)",
                                ["command", "outcome"], namespace=ns, registry=r)
        self.errors = Counter("errors", "Error replies, by kind (the error's class: bad_argument, on_cooldown, "
                              "internal_error...) and command", ["kind", "command"], namespace=ns, registry=r)
        self.handling = Histogram("command_seconds", "Time to handle a command, sending excluded", ["command"],
                                  namespace=ns, registry=r, buckets=HANDLING_BUCKETS)
        self.sending = Histogram("reply_send_seconds", "Time to send a reply to Discord (all its messages)",
                                 ["delivered"], namespace=ns, registry=r, buckets=SENDING_BUCKETS)
        self.jobs = Gauge("training_jobs", "Training jobs of this process, by state (queued, running)",
                          ["state"], namespace=ns, registry=r)
        self.job_wait = Histogram("training_job_wait_seconds", "Time a training job waited for its turn",
                                  ["backend"], namespace=ns, registry=r, buckets=JOB_BUCKETS)
        self.job_seconds = Histogram("training_job_seconds", "Time a training job ran, by backend and status",
                                     ["backend", "status"], namespace=ns, registry=r, buckets=JOB_BUCKETS)
        for state in ("queued", "running"):  # both exported from the start, at 0
            self.jobs.labels(state)
        self._latency = _LatencyCollector(f"{ns}_gateway_latency_seconds")
        self.registry.register(self._latency)
        self._sent, self._not_sent = self.sending.labels("yes"), self.sending.labels("no")
        self._queue = _QueueCollector(f"{ns}_training_queue_jobs")
        self.registry.register(self._queue)
        # Children looked up once per label set: on every reply's path.
        self._command_children: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    # -- what is read at scrape time -----------------------------------------------------------------

    def watch_gateway(self, source: LatencySource | None) -> None:
        """Read the gateway's latency from ``source`` at each scrape (None: stop)."""
        self._latency.source = source

    def watch_queue(self, source: QueueSource | None) -> None:
        """Count the shared training queue's jobs (``bot.storage.jobs: queue``) from ``source`` at each
        scrape: every process of the bot sees the same queue, whoever queued the jobs."""
        self._queue.source = source

    def text(self) -> bytes:
        return generate_latest(self.registry)

    # -- the observer hooks --------------------------------------------------------------------------

    def command_done(self, command: str, outcome: str, seconds: float) -> None:
        children = self._command_children.get((command, outcome))
        if children is None:
            children = self._command_children[(command, outcome)] = (
                self.commands.labels(command, outcome), self.handling.labels(command))
        children[0].inc()
        children[1].observe(seconds)

    def error(self, kind: str, command: str | None) -> None:
        self.errors.labels(kind, command or "").inc()

    def reply_sent(self, seconds: float, delivered: bool) -> None:
        (self._sent if delivered else self._not_sent).observe(seconds)

    def job_queued(self, backend: str) -> None:
        self.jobs.labels("queued").inc()

    def job_started(self, backend: str, waited: float) -> None:
        self.jobs.labels("queued").dec()
        self.jobs.labels("running").inc()
        self.job_wait.labels(backend).observe(max(0.0, waited))

    def job_finished(self, backend: str, status: str, seconds: float | None) -> None:
        if seconds is None:  # it never ran: it leaves the queue
            self.jobs.labels("queued").dec()
            return
        self.jobs.labels("running").dec()
        self.job_seconds.labels(backend, status).observe(max(0.0, seconds))

    def samples(self) -> Mapping[str, float]:
        """Every sample as ``name{label="value",...}`` → value (tests and the benchmark read them)."""
        found: dict[str, float] = {}
        for family in self.registry.collect():
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
        return found


class _LatencyCollector(Collector):
    def __init__(self, name: str):
        self.name = name
        self.source: LatencySource | None = None

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, "Gateway heartbeat latency (discord.py's latency), per shard",
                                   labels=["shard"])
        source = self.source
        for shard, seconds in (source() if source is not None else ()):
            if seconds is not None and not math.isinf(seconds):
                family.add_metric(["" if shard is None else str(shard)], seconds)
        yield family


class _QueueCollector(Collector):
    def __init__(self, name: str):
        self.name = name
        self.source: QueueSource | None = None

    def collect(self) -> Iterable[GaugeMetricFamily]:
        source = self.source
        if source is None:
            return
        try:
            counts = source()
        except Exception:  # the database away for a moment: this scrape has no queue depth
            return
        family = GaugeMetricFamily(self.name, "Training jobs in the queue that hypotez worker processes take "
                                   "them from (the whole bot's), by state: todo (waiting), doing (training)",
                                   labels=["state"])
        for state in QUEUE_STATES:
            family.add_metric([state], float(counts.get(state, 0)))
        yield family
