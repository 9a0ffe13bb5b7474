"""``hypotez worker``: train the jobs that bot processes queue (``bot.storage.jobs: queue``), with the
spec's model settings, on this machine or another that reaches the same PostgreSQL database."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any, Callable

from hypotez import run_options
from hypotez.errors import ConfigError

EXIT_OK = 0


def register(sub: Any, commands: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    """Add the ``worker`` sub-command to the CLI's parser and its table of commands."""
    worker = sub.add_parser("worker", help="train the jobs bot processes queue (bot.storage.jobs: queue; PostgreSQL)")
    worker.add_argument("--spec", default="commands.yaml")
    worker.add_argument("--data", default=None,
                        help="this worker's data folder (default: $HYPOTEZ_DATA or ./data); models reach the "
                             "bots through the database")
    worker.add_argument("--concurrency", type=run_options.shard_count, default=1, metavar="N",
                        help="jobs trained at once (default 1)")
    worker.add_argument("--stalled-after", type=float, default=None, metavar="SECONDS",
                        help="take up the job of a worker silent this long (killed, its machine lost; default 10)")
    worker.add_argument("--keep-finished", type=hours, default=None, metavar="HOURS",
                        help="remove the queue's jobs finished more than HOURS ago, checked every hour "
                             "(default 168, a week; the bots' own job history is kept)")
    worker.add_argument("--stop-wait", type=float, default=None, metavar="SECONDS",
                        help="when told to stop, let the job in hand finish this long, then hand it back to "
                             "the queue for another worker (default 30)")
    worker.add_argument("--metrics-port", type=run_options.port, default=None, metavar="PORT",
                        help="serve Prometheus metrics (training jobs: waits, durations) on "
                             "http://HOST:PORT/metrics and health on /healthz")
    worker.add_argument("--metrics-host", default=run_options.DEFAULT_METRICS_HOST, metavar="HOST",
                        help="the address --metrics-port listens on (default 127.0.0.1)")
    run_options.add_log_options(worker)
    commands["worker"] = cmd_worker


def hours(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours: give a whole number from 0, "
                                         "e.g. --keep-finished 168")
    return int(text)


NOT_POSTGRESQL = ConfigError(
    "hypotez worker takes its jobs from the PostgreSQL database the bot uses, and the spec's storage is a "
    "SQLite file",
    "set bot.storage.database (or HYPOTEZ_DATABASE_URL) to postgresql://USER:PASSWORD@HOST:PORT/DATABASE and "
    "bot.storage.jobs to queue, for the bot and its workers alike")


def cmd_worker(args: argparse.Namespace) -> int:
    from hypotez.app import load_app

    logging.getLogger("hypotez").setLevel(logging.INFO)
    app = load_app(args.spec, args.data)
    try:
        url = getattr(app.services.storage.backend, "url", None)
        if url is None:
            raise NOT_POSTGRESQL
        if app.services.model is None:
            raise ConfigError("the spec has no model to train (bot.model)", "set bot.model.backend, e.g. local")
        metrics = None
        if args.metrics_port is not None:
            from hypotez.observability.metrics import Metrics

            metrics = Metrics()
            app.observe(metrics)  # the model service times each job it trains
        asyncio.run(_work(app, url, args, metrics))
    finally:
        asyncio.run(app.aclose())
    return EXIT_OK


async def _work(app: Any, url: str, args: argparse.Namespace, metrics: Any) -> None:
    from contextlib import AsyncExitStack

    from hypotez.observability.server import HealthCheck, ObservabilityServer
    from hypotez.services.job_cleaning import KEEP_FINISHED_HOURS
    from hypotez.services.job_queue import queue_depth
    from hypotez.services.job_worker import STALLED_AFTER, STOP_WAIT, TrainingWorker
    from hypotez.services.model_sharing import follow_current_models

    model = app.services.model
    follow_current_models(app.services.storage, model._states)  # another worker's newer model, at once
    stalled_after = STALLED_AFTER if args.stalled_after is None else max(args.stalled_after, 1.0)
    stop_wait = STOP_WAIT if args.stop_wait is None else max(args.stop_wait, 0.0)
    address = (args.metrics_host, args.metrics_port)

    async def database() -> str | None:
        await asyncio.to_thread(queue_depth, url)  # raises when the database cannot be reached
        return None

    async with AsyncExitStack() as stack:
        if metrics is not None:
            metrics.watch_queue(lambda: queue_depth(url))
            try:
                await stack.enter_async_context(ObservabilityServer(metrics, HealthCheck({"database": database}),
                                                                    host=address[0], port=address[1] or 0))
            except OSError as error:
                raise ConfigError(f"cannot serve metrics on {address[0]}:{address[1]} ({error.strerror or error})",
                                  "choose another --metrics-port (0: any free port, printed in the log)") from None
        keep_finished = KEEP_FINISHED_HOURS if args.keep_finished is None else args.keep_finished
        await TrainingWorker(model, url, concurrency=args.concurrency, stalled_after=stalled_after,
                             keep_finished=keep_finished, stop_wait=stop_wait).run()
