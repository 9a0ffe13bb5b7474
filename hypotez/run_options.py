"""The options of ``hypotez run`` for running at scale: metrics and health (``--metrics-port``), the log
format (``--log-format``), and shards. :func:`run_keywords` turns them into what :func:`run_bot` takes."""

from __future__ import annotations

import argparse
from typing import Any

from hypotez.observability.jsonlog import LOG_FORMATS


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
    parser.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST",
                        help="the address --metrics-port listens on (default 127.0.0.1; 0.0.0.0: every interface)")
    add_log_options(parser)


def observer_for(args: argparse.Namespace) -> Any:
    """The app's observer: metrics when asked for, else None (the plain observer, which costs nothing)."""
    if getattr(args, "metrics_port", None) is None:
        return None
    from hypotez.observability.metrics import Metrics

    return Metrics()


def run_keywords(args: argparse.Namespace) -> dict[str, Any]:
    keywords: dict[str, Any] = {}
    if getattr(args, "metrics_port", None) is not None:
        keywords["metrics_address"] = (args.metrics_host, args.metrics_port)
    return keywords
