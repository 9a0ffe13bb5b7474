"""The gateway side of the local Discord test server: websocket connections (with zlib-stream or
zstd-stream compression), sessions, IDENTIFY / RESUME / RECONNECT / INVALID_SESSION, and dispatching
events (replayed in order after a resume)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web

from fakes.discord_model import MEMBERS_INTENT, MESSAGE_CONTENT_INTENT, RESUME_GATEWAY_URL, Op, json_response


class Compressor:
    """Transport compression the client asked for in the gateway URL (``compress=...``)."""

    def __init__(self, kind: str | None):
        self.kind = kind
        self._zstd: Any = None
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            self._zstd = zstd_compressor()
        elif kind is not None:
            raise ValueError(f"unknown compression {kind!r}")

    def pack(self, text: str) -> bytes | str:
        if self.kind is None:
            return text
        data = text.encode()
        if self.kind == "zlib-stream":
            return self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        return self._zstd(data)


def zstd_compressor() -> Callable[[bytes], bytes]:
    try:  # Python ≥ 3.14
        from compression import zstd  # type: ignore[import-not-found]

        compressor = zstd.ZstdCompressor()
        return lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
    except ImportError:
        import zstandard  # type: ignore[import-not-found]

        stream = zstandard.ZstdCompressor().compressobj()
        return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


class Connection:
    """One gateway websocket."""

    def __init__(self, request: web.Request, ws: web.WebSocketResponse, compressor: Compressor):
        self.request = request
        self.ws = ws
        self.compressor = compressor
        self.lock = asyncio.Lock()  # one writer at a time: the compression stream is stateful

    async def send(self, payload: dict[str, Any]) -> None:
        await self.send_text(json.dumps(payload))

    async def send_text(self, text: str) -> None:
        async with self.lock:
            packed = self.compressor.pack(text)
            if isinstance(packed, bytes):
                await self.ws.send_bytes(packed)
            else:
                await self.ws.send_str(packed)

    def drop(self) -> None:
        """Cut the connection without a close frame, as a network failure would."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass
class Session:
    id: str
    seq: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)  # every dispatched event, for RESUME
    connection: Connection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    shard: list[int] | None = None  # [id, count] when it identified as a shard


class GatewaySide:
    """The gateway routes of :class:`~fakes.discord_server.FakeDiscord` (a part of it)."""

    # -- gateway ---------------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any], *, only: Session | None = None) -> None:
        """Send an event to the bot's sessions that hear its server (its shard's; ``only``: to that session);
        a disconnected session gets it when it resumes."""
        for session in [only] if only is not None else list(self.sessions.values()):
            if only is None and not self.hears(session.shard, data):
                continue
            async with session.lock:
                session.seq += 1
                payload = {"op": Op.DISPATCH, "t": event, "s": session.seq, "d": data}
                session.log.append(payload)
                if session.connection is not None:
                    try:
                        await session.connection.send(payload)
                    except ConnectionError:  # it dropped: the event waits in the log for RESUME
                        session.connection = None

    def _live_session(self) -> Session | None:
        return next((s for s in self.sessions.values() if s.connection is not None), None)

    async def drop_gateway(self) -> None:
        """Cut the gateway connection abruptly (as a network failure would)."""
        session = self._live_session()
        if session is None:
            raise RuntimeError("no gateway connection to drop")
        async with session.lock:
            connection, session.connection = session.connection, None
            assert connection is not None
            connection.drop()

    async def send_reconnect(self) -> None:
        """op 7 RECONNECT: Discord asks the client to reconnect and resume."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("no gateway connection")
        await session.connection.send({"op": Op.RECONNECT, "d": None})

    async def invalidate_session(self) -> None:
        """op 9 INVALID_SESSION (not resumable): the client must identify again and gets a new session."""
        session = self._live_session()
        if session is None or session.connection is None:
            raise RuntimeError("no gateway connection")
        connection = session.connection
        del self.sessions[session.id]
        await connection.send({"op": Op.INVALID_SESSION, "d": False})

    def _log_gateway(self, entry: dict[str, Any]) -> None:
        self.gateway_log.append(entry)
        self._notify()

    def connections(self, kind: str) -> list[dict[str, Any]]:
        return [entry for entry in self.gateway_log if entry["kind"] == kind]

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        compress = request.query.get("compress")
        try:
            compressor = Compressor(compress)
        except (ValueError, ImportError):
            return json_response({"message": f"unsupported compression {compress!r}"}, status=400)
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = Connection(request, ws, compressor)
        session: Session | None = None
        info = {"host": request.host.split(":")[0], "query": dict(request.query)}
        try:
            await connection.send({"op": Op.HELLO, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}})
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(frame.data)
                op, data = payload.get("op"), payload.get("d")
                if op == Op.HEARTBEAT:
                    self.heartbeats.append(data)
                    await connection.send({"op": Op.HEARTBEAT_ACK})
                    self._notify()
                elif op == Op.IDENTIFY:
                    session = await self._identify(connection, data, info)
                    if session is None:
                        break
                elif op == Op.RESUME:
                    session = await self._resume(connection, data, info)
                    if session is None:
                        break
        except ConnectionError:  # the client went away mid-send: the session waits for a RESUME
            pass
        finally:
            if session is not None and session.connection is connection:
                session.connection = None
            self._log_gateway({"kind": "closed", **info, "code": ws.close_code})
        return ws

    async def _identify(self, connection: Connection, data: dict[str, Any], info: dict[str, Any]) -> Session | None:
        shard = data.get("shard")
        self._log_gateway({"kind": "identify", **info, "intents": data.get("intents"), "shard": shard,
                           "time": time.monotonic()})
        if data.get("token") != self.token:
            return await self._refuse(connection, 4004, "Authentication failed.", info)
        intents = data.get("intents", 0)
        if (intents & MESSAGE_CONTENT_INTENT and not self.message_content_allowed) or \
                (intents & MEMBERS_INTENT and not self.members_allowed):
            return await self._refuse(connection, 4014, "Disallowed intent(s).", info)
        if self.identify_gate is not None:
            await self.identify_gate.wait()
        session = Session(secrets.token_hex(16), shard=list(shard) if shard else None)
        self.sessions[session.id] = session
        async with session.lock:
            session.connection = connection
        guilds = self.guilds_on(session.shard)
        await self.dispatch("READY", {
            "v": 10, "user": self.bot_user, "guilds": [{"id": g, "unavailable": True} for g in guilds],
            **({"shard": session.shard} if session.shard else {}),
            "session_id": session.id, "session_type": "normal", "resume_gateway_url": RESUME_GATEWAY_URL,
            "application": {"id": self.application_id, "flags": 1 << 19 if self.message_content_allowed else 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "user_settings": {}}, only=session)
        for guild_id in guilds:
            await self.dispatch("GUILD_CREATE", self._guild(guild_id), only=session)
        self.ready.set()
        self._notify()
        return session

    async def _refuse(self, connection: Connection, code: int, reason: str, info: dict[str, Any]) -> None:
        self._log_gateway({"kind": "refused", **info, "code": code})
        await connection.ws.close(code=code, message=reason.encode())

    async def _resume(self, connection: Connection, data: dict[str, Any], info: dict[str, Any]) -> Session | None:
        self._log_gateway({"kind": "resume", **info, "seq": data.get("seq")})
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.token:
            await connection.send({"op": Op.INVALID_SESSION, "d": False})
            return None
        async with session.lock:
            seq = data.get("seq") or 0
            for payload in session.log:
                if payload["s"] > seq:
                    await connection.send(payload)
            session.connection = connection
            session.seq += 1
            resumed = {"op": Op.DISPATCH, "t": "RESUMED", "s": session.seq, "d": {}}
            session.log.append(resumed)
            await connection.send(resumed)
        self._notify()
        return session
