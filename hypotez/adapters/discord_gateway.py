"""What a server sends never stops the bot: a gateway event discord.py cannot read, a frame that breaks
the connection, a slash-command sync that fails in any way.

discord.py hands each gateway event to a parser of the client's ``ConnectionState`` (``state.parsers``,
one dict per client, looked up by the websocket on every event). A parser that raises, e.g. on a
MESSAGE_UPDATE carrying role objects where Discord sends role ids, raises out of ``Client.connect``
and ``Client.start``: the process ends. :func:`guard_parsers` wraps this one bot's parsers so such an
event is logged and skipped while the connection stays up; :func:`keep_connected` re-establishes a
connection that failed on anything else discord.py does not handle itself. Nothing of discord.py is
patched: only the bot's own state is touched.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from pathlib import Path
from typing import Any, Awaitable, Callable, MutableMapping

import aiohttp
import discord
from discord.backoff import ExponentialBackoff

log = logging.getLogger("hypotez.discord")

Parser = Callable[[Any], None]

# What discord.py raises out of ``Client.connect`` on purpose (a refused token or intent, a close code
# it will not reconnect on, a network failure with reconnect=False): those decisions stay its own.
DISCORD_DECISIONS = (discord.ClientException, discord.ConnectionClosed, discord.GatewayNotFound,
                     discord.HTTPException, OSError, aiohttp.ClientError, asyncio.TimeoutError)


def describe(error: BaseException) -> str:
    """``KeyError: 'id' (models.py:212 in __init__)``: what went wrong and where, on one line."""
    text = f"{type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        text += f" ({Path(last.filename).name}:{last.lineno} in {last.name})"
    return text


def guard_parsers(parsers: MutableMapping[str, Parser]) -> None:
    """Wrap every parser of one client's ``ConnectionState.parsers`` (in place: the websocket reads
    this very dict) so an event it cannot read is logged and skipped."""
    for event, parse in list(parsers.items()):
        normalise = NORMALISERS.get(event)
        parsers[event] = _guarded(event, parse, normalise)


def _guarded(event: str, parse: Parser, normalise: Callable[[Any], Any] | None) -> Parser:
    @functools.wraps(parse)
    def parse_or_skip(data: Any) -> None:
        try:
            parse(normalise(data) if normalise is not None else data)
        except Exception as error:
            # The event's content is not logged: it is users' messages. Its name and the error say
            # enough to recognise the payload; the traceback is there at debug level.
            log.warning("skipped a %s event that discord.py could not read: %s; the connection stays up",
                        event, describe(error))
            log.debug("the %s event that could not be read", event, exc_info=True)

    return parse_or_skip


def _interaction_channel(data: Any) -> Any:
    """INTERACTION_CREATE without a ``channel`` object (some servers send only ``channel_id``, the
    field Discord kept from before): give discord.py the channel's id, so it finds the channel in its
    cache as it would with the object (``Interaction.channel_id`` comes from ``channel`` only)."""
    if isinstance(data, dict) and not data.get("channel") and data.get("channel_id"):
        return {**data, "channel": {"id": data["channel_id"]}}
    return data


NORMALISERS: dict[str, Callable[[Any], Any]] = {"INTERACTION_CREATE": _interaction_channel}


async def keep_connected(client: discord.Client, connect: Callable[[], Awaitable[None]]) -> None:
    """Run ``connect`` (the client's own ``Client.connect``) and start it again, with backoff, when it
    fails on something discord.py does not handle: e.g. a frame that is not JSON. discord.py's own
    decisions (:data:`DISCORD_DECISIONS`) and cancellation pass through unchanged."""
    backoff = ExponentialBackoff()
    while True:
        try:
            await connect()
            return
        except DISCORD_DECISIONS:
            raise
        except Exception as error:
            if client.is_closed():
                raise
            delay = backoff.delay()
            log.error("the gateway connection failed on something the server sent: %s; connecting again "
                      "in %.1f s", describe(error), delay)
            log.debug("the gateway connection failure", exc_info=True)
            await _close_socket(client)
            await asyncio.sleep(delay)


async def _close_socket(client: discord.Client) -> None:
    """Close the websocket the failure left open (and its heartbeat thread) before connecting again."""
    ws = getattr(client, "ws", None)
    if ws is None:
        return
    try:
        await ws.close(code=4000)  # not 1000: Discord would end the session, and nothing else needs it
    except Exception as error:  # already broken: nothing left to close
        log.debug("closing the failed gateway connection: %s", error)


class SlashSync:
    """Syncs the slash commands in the background, so start-up never waits on it, and retries a failed
    sync (any failure: an HTTP error, or a reply discord.py cannot read) with a growing delay, a bounded
    number of times. Prefix commands work throughout."""

    def __init__(self, sync: Callable[[], Awaitable[Any]], *, first_delay: float = 2.0, max_delay: float = 600.0,
                 attempts: int = 10):
        self.sync = sync
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.attempts = attempts
        self.task: asyncio.Task[bool] | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run(), name="hypotez-slash-sync")

    async def run(self) -> bool:
        """True once a sync succeeded; False after the last attempt failed."""
        delay = self.first_delay
        for attempt in range(1, self.attempts + 1):
            try:
                await self.sync()
                return True
            except Exception as error:
                if attempt == self.attempts:
                    log.error("could not sync slash commands after %d attempts (prefix commands still work): %s; "
                              "restart the bot to try again", attempt, describe(error))
                    return False
                log.warning("could not sync slash commands (attempt %d of %d; prefix commands still work): %s; "
                            "trying again in %.0f s", attempt, self.attempts, describe(error), delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)
        return False

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.wait({self.task})
