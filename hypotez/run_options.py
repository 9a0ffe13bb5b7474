"""The options of ``hypotez run`` for running at scale: metrics and health (``--metrics-port``), the log
format (``--log-format``), shards; and ``--schedules-from``, to rehearse the schedules at another time. :func:`run_keywords` turns them into what :func:`run_bot` takes."""

from __future__ import annotations

import argparse
from typing import Any, Callable

from hypotez.observability.jsonlog import LOG_FORMATS

DEFAULT_METRICS_HOST = "127.0.0.1"


def port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port: give a number from 1 to 65535 "
                                         "(0: any free port, printed in the log)")
    return int(text)


def add_log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="text",
                        help="text (default) or json: one JSON object per line (time, level, logger, message, "
                             "server, command)")


def add_observability_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics-port", type=port, default=None, metavar="PORT",
                        help="serve Prometheus metrics on http://HOST:PORT/metrics and health on /healthz")
    parser.add_argument("--metrics-host", default=None, metavar="HOST",
                        help="the address --metrics-port listens on (default 127.0.0.1; 0.0.0.0: every interface)")
    add_log_options(parser)


def add_shard_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shards", type=shard_ids, default=None, metavar="IDS",
                        help="the shards this process runs, e.g. 0-3 or 0,2,5-7 (needs --shard-count)")
    parser.add_argument("--shard-count", type=shard_count, default=None, metavar="N",
                        help="how many shards the bot has across all its processes (alone: this process runs all)")


def shard_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of shards: give a whole number from 1, "
                                         "e.g. --shard-count 8")
    return int(text)


def shard_ids(text: str) -> list[int]:
    """'0-3' → [0, 1, 2, 3]; '0,2,5-7' → [0, 2, 5, 6, 7]."""
    found: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise argparse.ArgumentTypeError(
                f"{part.strip()!r} is not a shard or a range of shards: write shard numbers like 0-3 or 0,2,5-7")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise argparse.ArgumentTypeError(f"the range {part.strip()} runs backwards: write {high}-{low}")
        found.update(range(low, high + 1))
    return sorted(found)


def moment(text: str) -> float:
    """'2026-12-07T08:59:50Z' (ISO 8601; without a zone: UTC) → a Unix time."""
    import datetime

    try:
        when = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date and time: write it as 2026-12-07T08:59:50Z "
                                         "(ISO 8601; UTC when no zone is given)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schedules-from", type=moment, default=None, metavar="TIME",
                        help="run the schedules as if it were TIME now (e.g. 2026-12-07T08:59:50Z), the clock then "
                             "running on as usual: to rehearse a schedule on a test server without waiting for it")


def check(args: argparse.Namespace, error: Callable[[str], Any]) -> None:
    """Problems between options, reported through ``error`` (the parser's: a usage error)."""
    shards, count = getattr(args, "shards", None), getattr(args, "shard_count", None)
    if shards is not None and count is None:
        error("--shards needs --shard-count: how many shards the bot has in all (e.g. --shards 0-3 --shard-count 8)")
    if shards is not None and count is not None and shards[-1] >= count:
        beyond = [str(s) for s in shards if s >= count]
        what = f"shard {beyond[0]} is" if len(beyond) == 1 else f"shards {', '.join(beyond)} are"
        error(f"{what} beyond --shard-count {count}: shards are numbered 0 to {count - 1}")


def run_keywords(args: argparse.Namespace, app: Any) -> dict[str, Any]:
    """What :func:`~hypotez.adapters.discord_run.run_bot` takes for these options. When metrics are
    served (``--metrics-port``, or ``bot.metrics`` in the spec), the app reports to a :class:`Metrics`."""
    keywords: dict[str, Any] = {}
    settings = app.spec.settings.metrics
    port = args.metrics_port if args.metrics_port is not None else settings.get("port")
    if port is not None:
        from hypotez.observability.metrics import Metrics

        host = args.metrics_host or settings.get("host") or DEFAULT_METRICS_HOST
        keywords["metrics_address"] = (host, int(port))
        app.observe(Metrics())
    if getattr(args, "shard_count", None) is not None:
        keywords["shard_count"] = args.shard_count
        keywords["shard_ids"] = args.shards  # None: every shard in this process
    if getattr(args, "schedules_from", None) is not None:
        from hypotez.events.clock import ShiftedClock

        keywords["schedules_clock"] = ShiftedClock(args.schedules_from)
    return keywords
