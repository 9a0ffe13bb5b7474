"""The REST side of the local Discord test server: injected faults and rate-limit headers, and the
routes discord.py calls (users, application commands, messages, interactions, follow-ups, the CDN)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any

from aiohttp import web

from fakes.discord_model import GATEWAY_URL, Fault, File, Interaction, Message, Request, json_response


class RestSide:
    """The REST routes of :class:`~fakes.discord_server.FakeDiscord` (a part of it)."""

    # -- faults ----------------------------------------------------------------------------------------

    def fail(self, route: str, *, status: int = 429, retry_after: float = 0.5, times: int = 1,
             channel: str | None = None) -> Fault:
        """Answer the next ``times`` requests to ``route`` (``"POST /channels/{channel_id}/messages"``) with
        ``status``; a 429 carries ``retry_after`` like Discord's."""
        fault = Fault(route, status, retry_after, times, self.channel(channel) if channel else None)
        self.faults.append(fault)
        return fault

    def _fault_for(self, route: str, request: web.Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.route == route and \
                    (fault.channel_id is None or request.match_info.get("channel_id") == fault.channel_id):
                fault.times -= 1
                fault.hits.append(time.perf_counter())
                return fault
        return None

    def _over_global_limit(self) -> float | None:
        """Seconds to wait when the global limit is reached, else None (and the request is counted)."""
        if self.global_limit is None:
            return None
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.global_limit:
            return max(0.001, 1.0 - (now - self._recent[0]))
        self._recent.append(now)
        return None

    def _rate_limit_headers(self, route: str, request: web.Request) -> dict[str, str]:
        major = request.match_info.get("channel_id") or request.match_info.get("token") or ""
        bucket = hashlib.sha1(f"{route}:{major}".encode()).hexdigest()[:16]
        return {"X-RateLimit-Limit": str(self.bucket_limit), "X-RateLimit-Remaining": str(self.bucket_limit - 1),
                "X-RateLimit-Reset": f"{time.time() + 1:.3f}", "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": bucket}

    @staticmethod
    def _too_many(retry_after: float, scope: str) -> web.Response:
        # Discord's 429 body and headers; discord.py only trusts a 429 that came through Discord's proxy
        # (a ``Via`` header), anything else it takes for a Cloudflare ban.
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": scope == "global"}
        headers = {"Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Scope": scope, "Via": "1.1 google"}
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update({"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}"})
        return json_response(body, status=429, headers=headers)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        info = request.match_info
        canonical = info.route.resource.canonical if info.route.resource is not None else request.path
        route = f"{request.method} {canonical.removeprefix('/api/v{version}')}"
        response = await self._answer(request, handler, route)
        self.requests.append(Request(request.method, route, request.path, response.status, time.perf_counter()))
        return response

    async def _answer(self, request: web.Request, handler: Any, route: str) -> web.StreamResponse:
        api = request.path.startswith("/api/")
        # Interactions and webhooks are authorised by their token in the URL, like on Discord.
        authorised = "/interactions/" in request.path or "/webhooks/" in request.path
        if api and not authorised and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        if api:
            wait = self._over_global_limit()
            if wait is not None:
                return self._too_many(wait, "global")
            fault = self._fault_for(route, request)
            if fault is not None:
                if fault.status == 429:
                    return self._too_many(fault.retry_after, "user")
                return json_response({"message": f"injected {fault.status}", "code": 0}, status=fault.status)
        response = await handler(request)
        if api:
            response.headers.update(self._rate_limit_headers(route, request))
        return response

    # -- REST ------------------------------------------------------------------------------------------

    async def me(self, request: web.Request) -> web.Response:
        return json_response(self.bot_user)

    async def application_info(self, request: web.Request) -> web.Response:
        return json_response({
            "id": self.application_id, "name": "hypotez", "description": "", "icon": None, "bot_public": True,
            "bot_require_code_grant": False, "owner": self.owner, "team": None, "verify_key": "0" * 64,
            "flags": 1 << 19 if self.message_content_allowed else 0, "bot": self.bot_user})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return json_response({"url": GATEWAY_URL, "shards": self.shard_count_hint, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": self.max_concurrency}})

    async def bulk_overwrite(self, request: web.Request) -> web.Response:
        body = await request.json()
        guild_id = request.match_info.get("guild_id")
        if guild_id is not None:  # a server's own commands
            self.guild_command_syncs.setdefault(guild_id, []).append(body)
            self.guild_commands[guild_id] = {command["name"]: self._stored_command(command, guild_id)
                                             for command in body}
            self._notify()
            return json_response(list(self.guild_commands[guild_id].values()))
        self.command_syncs.append(body)
        self.commands = {}
        for command in body:
            self.commands[command["name"]] = self._stored_command(command, None)
        self._notify()
        if self.syncs_without_ids > 0:
            self.syncs_without_ids -= 1
            return json_response([{key: value for key, value in command.items() if key != "id"}
                          for command in self.commands.values()])
        return json_response(list(self.commands.values()))

    def _stored_command(self, command: dict[str, Any], guild_id: str | None) -> dict[str, Any]:
        """A command as Discord keeps it: ids and a version added, and Discord's defaults filled in."""
        stored = {**command, "id": self.next_id(), "application_id": self.application_id,
                  "version": self.next_id(), "type": command.get("type", 1)}
        stored.setdefault("default_member_permissions", None)
        stored.setdefault("nsfw", False)
        if guild_id is not None:
            stored["guild_id"] = guild_id
        return stored

    async def list_commands(self, request: web.Request) -> web.Response:
        return json_response(list(self.commands.values()))

    async def list_guild_commands(self, request: web.Request) -> web.Response:
        return json_response(list(self.guild_commands.get(request.match_info["guild_id"], {}).values()))

    async def _read_body(self, request: web.Request) -> tuple[dict[str, Any], list[File]]:
        if not request.content_type.startswith("multipart/"):
            return await request.json(), []
        body: dict[str, Any] = {}
        files: list[File] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                body = json.loads(await part.text())
            elif part.name and part.name.startswith("files["):
                files.append(File(part.filename or part.name, bytes(await part.read()),
                                  part.headers.get("Content-Type")))
        return body, files

    def _bot_message(self, channel_id: str, body: dict[str, Any], files: list[File], kind: str,
                     interaction: Interaction | None = None) -> Message:
        return Message(self.next_id(), channel_id, self.bot_user, body.get("content") or "", kind, files,
                       self._store_files(channel_id, files), body.get("allowed_mentions"),
                       interaction.id if interaction else None, int(body.get("flags") or 0),
                       components=list(body.get("components") or []))

    async def _echo(self, event: str, message: Message) -> None:
        if self.echo_bot_messages:
            await self.dispatch(event, self._message_payload(message))

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel_id"]
        if channel_id not in self.channels.values():
            return json_response({"message": "Unknown Channel", "code": 10003}, status=404)
        body, files = await self._read_body(request)
        if not body.get("content") and not files:
            return json_response({"message": "Cannot send an empty message", "code": 50006}, status=400)
        if len(body.get("content") or "") > 2000:
            return json_response({"message": "Invalid Form Body", "code": 50035, "errors": {"content": {
                "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}},
                status=400)
        nonce = (channel_id, str(body["nonce"])) if body.get("enforce_nonce") and body.get("nonce") is not None else None
        if nonce in self.nonces:
            return json_response(self._message_payload(self.nonces[nonce]))
        message = self._add(self._bot_message(channel_id, body, files, "bot"))
        if nonce is not None:
            self.nonces[nonce] = message
        await self._echo("MESSAGE_CREATE", message)
        if channel_id in self.slow_posts:
            await asyncio.sleep(self.slow_posts[channel_id])
        return json_response(self._message_payload(message))

    def _find(self, message_id: str, channel_id: str | None = None) -> Message | None:
        message = self.messages.get(message_id)
        if message is None or (channel_id is not None and message.channel_id != channel_id):
            return None
        return message

    async def get_message(self, request: web.Request) -> web.Response:
        message = self._find(request.match_info["message_id"], request.match_info["channel_id"])
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        return json_response(self._message_payload(message))

    def _edit(self, message: Message, body: dict[str, Any]) -> None:
        message.edits.append(body.get("content") if body.get("content") is not None else message.text)
        if "components" in body:
            message.components = list(body["components"] or [])
        message.edited_at.append(time.perf_counter())
        self._notify(message.channel_id)

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._find(request.match_info["message_id"], request.match_info["channel_id"])
        if message is None or message.kind == "user":
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        body, _files = await self._read_body(request)
        self._edit(message, body)
        await self._echo("MESSAGE_UPDATE", message)
        return json_response(self._message_payload(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._find(request.match_info["message_id"], request.match_info["channel_id"])
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        message.edits.append("")
        self._notify(message.channel_id)
        return web.Response(status=204)

    async def typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    def _interaction(self, request: web.Request) -> Interaction | None:
        token = request.match_info["token"]
        return next((i for i in self.interactions.values() if i.token == token), None)

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(request.match_info["interaction_id"])
        if interaction is None or interaction.token != request.match_info["token"]:
            return json_response({"message": "Unknown interaction", "code": 10062}, status=404)
        if interaction.callbacks:
            return json_response({"message": "Interaction has already been acknowledged.", "code": 40060},
                                     status=400)
        body, files = await self._read_body(request)
        kind = body.get("type")
        if self.immediate_responses_only and kind != 4:
            interaction.refused.append(body)
            self._notify()
            return json_response({"message": f"Interaction response type {kind} is not supported", "code": 50035,
                          "errors": {"type": {"_errors": [{"code": "BASE_TYPE_CHOICES",
                                                            "message": "Value must be one of (4,)."}]}}},
                         status=400)
        interaction.callbacks.append(body)
        if kind == 7 and interaction.message_id in self.messages:  # update the message the component is on
            self._edit(self.messages[interaction.message_id], body.get("data") or {})
        elif kind == 9:  # open a form
            interaction.modal = body.get("data") or {}
        if kind in (4, 5):  # a message (4), or "thinking…" to be filled in by the first follow-up (5)
            interaction.original = self._bot_message(interaction.channel_id, body.get("data") or {}, files,
                                                     "original", interaction)
            self._add(interaction.original)
        self._notify()
        resource: dict[str, Any] = {"type": kind}
        if interaction.original is not None:
            resource["message"] = self._message_payload(interaction.original)
        return json_response({
            "interaction": {"id": interaction.id, "type": 2, "response_message_id": interaction.original.id
                            if interaction.original else None, "response_message_loading": kind == 5,
                            "response_message_ephemeral": bool(interaction.original and interaction.original.ephemeral),
                            "activity_instance_id": None},
            "resource": resource})

    async def followup(self, request: web.Request) -> web.StreamResponse:
        interaction = self._interaction(request)
        if interaction is None:
            return json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        body, files = await self._read_body(request)
        original = interaction.original
        deferred = interaction.callbacks and interaction.callbacks[0].get("type") == 5
        if deferred and original is not None and not original.deleted and not original.text and not original.files \
                and not original.edits:
            # Discord: the first follow-up after a deferred response fills in the "thinking…" message.
            original.content, original.files = body.get("content") or "", files
            original.attachments = self._store_files(interaction.channel_id, files)
            message = original
            self._notify(interaction.channel_id)
        else:
            message = self._bot_message(interaction.channel_id, body, files, "followup", interaction)
            interaction.followups.append(message)
            self._add(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(self._message_payload(message))
        return web.Response(status=204)

    async def get_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message_id = request.match_info["message_id"]
        message = (interaction.original if interaction and message_id == "@original"
                   else self._find(message_id))
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        return json_response(self._message_payload(message))

    async def edit_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message_id = request.match_info["message_id"]
        message = (interaction.original if interaction and message_id == "@original"
                   else self._find(message_id))
        if interaction is None or message is None or message.interaction_id != interaction.id:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        body, _files = await self._read_body(request)
        self._edit(message, body)
        return json_response(self._message_payload(message))

    async def delete_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message_id = request.match_info["message_id"]
        message = (interaction.original if interaction and message_id == "@original"
                   else self._find(message_id))
        if interaction is None or message is None or message.interaction_id != interaction.id or message.deleted:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        message.deleted = True
        self._notify(message.channel_id)
        return web.Response(status=204)

    async def cdn_file(self, request: web.Request) -> web.Response:
        file = self.cdn.get(request.path)
        if file is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=file.data, content_type=file.content_type or "application/octet-stream")
