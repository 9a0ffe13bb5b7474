"""Local fakes of Google's web speech recogniser and of the Google Translate TTS endpoint gTTS uses."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class FakeGoogle:
    transcript: str = "привет как дела"
    mp3: bytes = b""
    # Faults per route ("stt", "tts"): HTTP statuses, or "hang" to never answer in time.
    faults: dict[str, list] = field(default_factory=dict)
    stt_requests: list[dict] = field(default_factory=list)
    tts_requests: list[str] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_post("/speech-api/v2/recognize", self.recognize)
        app.router.add_post("/tts", self.tts)
        return app

    async def _fault(self, route: str) -> web.Response | None:
        pending = self.faults.get(route)
        if pending:
            fault = pending.pop(0)
            if fault == "hang":  # answer only when the test is over (or after 30 s)
                try:
                    await asyncio.wait_for(self.released.wait(), 30)
                except asyncio.TimeoutError:
                    pass
                fault = 504
            return web.Response(status=fault, text="injected failure")
        return None

    async def recognize(self, request: web.Request) -> web.Response:
        if (fault := await self._fault("stt")) is not None:
            return fault
        body = await request.read()
        self.stt_requests.append({"lang": request.query.get("lang"), "content_type": request.content_type,
                                  "bytes": len(body)})
        if not self.transcript:
            return web.Response(text='{"result":[]}\n')
        result = {"result": [{"alternative": [{"transcript": self.transcript, "confidence": 0.93}], "final": True}],
                  "result_index": 0}
        return web.Response(text='{"result":[]}\n' + json.dumps(result, ensure_ascii=False) + "\n")

    async def tts(self, request: web.Request) -> web.Response:
        if (fault := await self._fault("tts")) is not None:
            return fault
        self.tts_requests.append((await request.post()).get("f.req", ""))
        encoded = base64.b64encode(self.mp3).decode()
        line = '[["wrb.fr","jQ1olc","[\\"' + encoded + '\\"]",null,null,null,"generic"]]'
        return web.Response(text=")]}'\n\n" + str(len(line)) + "\n" + line + "\n")


async def start(app: web.Application) -> tuple[TestServer, str]:
    """Serve ``app`` on 127.0.0.1; the server (to close) and its address."""
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server, f"http://{server.host}:{server.port}"
