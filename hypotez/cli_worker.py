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
    run_options.add_log_options(worker)
    commands["worker"] = cmd_worker


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
        asyncio.run(_work(app, url, args.concurrency, args.stalled_after))
    finally:
        asyncio.run(app.aclose())
    return EXIT_OK


async def _work(app: Any, url: str, concurrency: int, stalled_after: float | None) -> None:
    from hypotez.services.job_worker import STALLED_AFTER, TrainingWorker
    from hypotez.services.model_sharing import follow_current_models

    model = app.services.model
    follow_current_models(app.services.storage, model._states)  # another worker's newer model, at once
    stalled_after = STALLED_AFTER if stalled_after is None else max(stalled_after, 1.0)
    await TrainingWorker(model, url, concurrency=concurrency, stalled_after=stalled_after).run()
