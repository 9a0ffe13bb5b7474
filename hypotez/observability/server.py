"""The operator's HTTP endpoint: ``/metrics`` (Prometheus' text format) and ``/healthz``.

It runs on the bot's own event loop (aiohttp, already a dependency of discord.py), so what the health
checks read — the gateway's state, the storage — is read where the bot uses it. ``/metrics`` is written
in a worker thread: the shared training queue's depth is a database query that must not hold up the
bot's loop, and what else it reads of the bot (gateway latencies) are plain numbers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from hypotez.observability.metrics import Metrics

log = logging.getLogger("hypotez.observability")

# Each check says what is wrong (a short sentence for the operator), or None when all is well.
Check = Callable[[], Awaitable[str | None]]
CHECK_TIMEOUT = 5.0


@dataclass(slots=True)
class HealthCheck:
    """The bot is healthy when each named check passes within ``timeout`` seconds."""

    checks: dict[str, Check]
    timeout: float = CHECK_TIMEOUT

    async def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for name, check in self.checks.items():
            try:
                problem = await asyncio.wait_for(check(), self.timeout)
            except asyncio.TimeoutError:
                problem = f"no answer within {self.timeout:g} s"
            except Exception as error:  # the check itself failed: that is the answer
                problem = f"{type(error).__name__}: {error}"
            if problem:
                found[name] = problem
        return found


class ObservabilityServer:
    """``async with ObservabilityServer(metrics, health, port=9108):`` serves both endpoints."""

    def __init__(self, metrics: Metrics | None, health: HealthCheck, *, host: str = "0.0.0.0", port: int = 0):
        self.metrics = metrics
        self.health = health
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        if self.port == 0 and server is not None and server.sockets:  # a free port was picked
            self.port = server.sockets[0].getsockname()[1]
        log.info("metrics on http://%s:%d/metrics, health on /healthz", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "ObservabilityServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _metrics(self, request: web.Request) -> web.Response:
        if self.metrics is None:
            return web.Response(status=404, text="metrics are off\n")
        return web.Response(body=await asyncio.to_thread(self.metrics.text), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        problems = await self.health.problems()
        if problems:
            reason = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
            return web.json_response({"status": "unhealthy", "reason": reason, "problems": problems}, status=503)
        return web.json_response({"status": "ok", "checks": sorted(self.health.checks)})
