"""A local fake of OpenAI's HTTP API (files, fine-tuning jobs with events, chat completions), for the
real ``openai`` client pointed at it through ``base_url``. Scenarios and faults are set per test."""

from __future__ import annotations

import contextlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class FakeOpenAI:
    # The statuses a fine-tuning job goes through, one per retrieve call; the last one sticks.
    job_statuses: list[str] = field(default_factory=lambda: ["validating_files", "queued", "running", "succeeded"])
    refuse_jobs: str | None = None  # an error message: jobs.create answers 403 with it
    job_error: str = "Training file has invalid examples"
    # Faults: route name → list of HTTP statuses to answer before behaving normally.
    faults: dict[str, list[int]] = field(default_factory=dict)
    chat_answer: str | None = None
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    chats: list[dict[str, Any]] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _step: dict[str, int] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/v1/files", self.create_file)
        app.router.add_post("/v1/fine_tuning/jobs", self.create_job)
        app.router.add_get("/v1/fine_tuning/jobs/{id}", self.retrieve_job)
        app.router.add_get("/v1/fine_tuning/jobs/{id}/events", self.list_events)
        app.router.add_post("/v1/fine_tuning/jobs/{id}/cancel", self.cancel_job)
        app.router.add_post("/v1/chat/completions", self.chat)
        return app

    def _fault(self, route: str) -> web.Response | None:
        pending = self.faults.get(route)
        if pending:
            status = pending.pop(0)
            headers = {"retry-after-ms": "10"} if status == 429 else {}
            return web.json_response({"error": {"message": f"injected {status}", "type": "fault"}},
                                     status=status, headers=headers)
        return None

    async def create_file(self, request: web.Request) -> web.Response:
        if (fault := self._fault("files")) is not None:
            return fault
        reader = await request.multipart()
        purpose, content, filename = None, b"", "file"
        async for part in reader:
            if part.name == "purpose":
                purpose = (await part.read()).decode()
            elif part.name == "file":
                filename = part.filename or filename
                content = await part.read()
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = content
        self.requests.append(("POST", "/v1/files", {"purpose": purpose, "filename": filename}))
        return web.json_response({"id": file_id, "object": "file", "bytes": len(content), "created_at": int(time.time()),
                                  "filename": filename, "purpose": purpose, "status": "processed"})

    def _job(self, job_id: str) -> dict[str, Any]:
        return self.jobs[job_id]

    async def create_job(self, request: web.Request) -> web.Response:
        if (fault := self._fault("jobs.create")) is not None:
            return fault
        body = await request.json()
        self.requests.append(("POST", "/v1/fine_tuning/jobs", body))
        if self.refuse_jobs:
            return web.json_response({"error": {"message": self.refuse_jobs, "type": "invalid_request_error",
                                                "code": "fine_tuning_unavailable"}}, status=403)
        if body.get("training_file") not in self.files:
            return web.json_response({"error": {"message": "no such file", "type": "invalid_request_error"}},
                                     status=400)
        job_id = f"ftjob-{next(self._ids)}"
        self.jobs[job_id] = {
            "id": job_id, "object": "fine_tuning.job", "model": body["model"], "created_at": int(time.time()),
            "finished_at": None, "fine_tuned_model": None, "organization_id": "org-fake", "result_files": [],
            "status": "validating_files", "validation_file": None, "training_file": body["training_file"],
            "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.0},
            "trained_tokens": None, "error": None, "seed": 1, "method": body.get("method"),
            "events": [{"id": f"ev-{job_id}-0", "object": "fine_tuning.job.event", "created_at": int(time.time()),
                        "level": "info", "message": f"Created fine-tuning job: {job_id}", "type": "message"}],
        }
        self._step[job_id] = 0
        return web.json_response(self._public(job_id))

    def _public(self, job_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.jobs[job_id].items() if k != "events"}

    def _advance(self, job_id: str) -> None:
        job = self.jobs[job_id]
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return
        step = min(self._step[job_id], len(self.job_statuses) - 1)
        self._step[job_id] += 1
        status = self.job_statuses[step]
        if status != job["status"]:
            job["status"] = status
            message = {"running": "Fine-tuning job started", "succeeded": "The job has successfully completed",
                       "failed": f"Job failed: {self.job_error}", "cancelled": "Job was cancelled"}.get(
                status, f"Job is {status}")
            job["events"].append({"id": f"ev-{job_id}-{len(job['events'])}", "object": "fine_tuning.job.event",
                                  "created_at": int(time.time()), "level": "info", "message": message,
                                  "type": "message"})
        if status == "succeeded":
            job["fine_tuned_model"] = f"ft:{job['model']}:org-fake:hypotez:{job_id[-3:]}"
            job["finished_at"] = int(time.time())
            job["trained_tokens"] = 1234
        if status == "failed":
            job["error"] = {"code": "invalid_training_file", "message": self.job_error, "param": "training_file"}

    async def retrieve_job(self, request: web.Request) -> web.Response:
        if (fault := self._fault("jobs.retrieve")) is not None:
            return fault
        job_id = request.match_info["id"]
        if job_id not in self.jobs:
            return web.json_response({"error": {"message": "not found"}}, status=404)
        self._advance(job_id)
        return web.json_response(self._public(job_id))

    async def list_events(self, request: web.Request) -> web.Response:
        job_id = request.match_info["id"]
        events = list(reversed(self.jobs[job_id]["events"]))  # newest first, like OpenAI
        return web.json_response({"object": "list", "data": events, "has_more": False})

    async def cancel_job(self, request: web.Request) -> web.Response:
        job_id = request.match_info["id"]
        self.jobs[job_id]["status"] = "cancelled"
        return web.json_response(self._public(job_id))

    async def chat(self, request: web.Request) -> web.Response:
        if (fault := self._fault("chat")) is not None:
            return fault
        body = await request.json()
        self.chats.append(body)
        messages = body["messages"]
        answer = self.chat_answer
        if answer is None:  # echo the last few-shot answer when there is one: shows they were sent
            shots = [m["content"] for m in messages[:-1] if m["role"] == "assistant"]
            answer = f"[{body['model']}] " + (shots[-1] if shots else f"you said: {messages[-1]['content']}")
        return web.json_response({
            "id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": answer, "refusal": None}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        })


@contextlib.asynccontextmanager
async def running_fake() -> AsyncIterator[FakeOpenAI]:
    """A FakeOpenAI serving on 127.0.0.1 (its ``url`` set) for the duration of the block."""
    server = FakeOpenAI()
    async with TestServer(server.app(), host="127.0.0.1") as http:
        server.url = f"http://{http.host}:{http.port}/v1"
        yield server
