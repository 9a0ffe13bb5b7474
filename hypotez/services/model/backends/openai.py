"""The ``openai`` backend: the official client against OpenAI or any compatible server (Azure OpenAI,
Ollama, vLLM, ...). Two training modes:

* ``examples`` — training indexes the examples locally (the same retrieval as the local backend) and a
  reply sends the nearest examples as few-shot messages to the chat model. Works with every provider.
* ``fine_tune`` — the data is checked as OpenAI's data-preparation guide says, uploaded, a fine-tuning
  job is created and polled and its events relayed; when it succeeds the bot answers
  with the fine-tuned model. OpenAI is winding self-serve fine-tuning down, so a refusal to create
  the job is reported clearly, suggesting the ``examples`` mode.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import time
from dataclasses import dataclass, fields
from typing import Any, Mapping

import openai
from openai import AsyncOpenAI

from hypotez.errors import ConfigError, HypotezError, UserInputError
from hypotez.reasons import Reason
from hypotez.services.datafolder import DataFolder
from hypotez.services.model.datasets import Example, read_file
from hypotez.services.model.finetune_check import check_chat_dataset
from hypotez.services.model.jobs import CANCELLED, FAILED, RUNNING, SUCCEEDED, VALIDATING, Job
from hypotez.services.model.retrieval import normalise
from hypotez.services.model.backends.local import LocalModelService
from hypotez.services.storage import Storage

log = logging.getLogger("hypotez.model.openai")

REMOTE_MODEL_SETTING = "model.openai.fine_tuned"
REMOTE_PROGRESS = {"validating_files": 0.1, "queued": 0.2, "running": 0.4}
REMOTE_DONE = {"succeeded": SUCCEEDED, "failed": FAILED, "cancelled": CANCELLED}
TRANSIENT = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError, openai.APITimeoutError)


class ModelUnavailable(UserInputError):
    kind = "bad_input"


@dataclass(frozen=True)
class OpenAISettings:
    """``bot.model`` for the openai backend, read once (:meth:`parse`)."""

    api_key: str
    base_url: str | None = None
    mode: str = "examples"
    chat_model: str = "gpt-4o-mini"
    base_model: str = "gpt-4o-mini-2024-07-18"
    system_prompt: str = ""
    few_shot: int = 4
    threshold: float = 0.2
    epochs: int | None = None
    context_limit: int = 65_536
    price_per_million: float = 3.0
    poll_interval: float = 5.0
    max_poll_interval: float = 60.0
    method: str = "supervised"
    # Polls in a row that fail (each after the client's own ``max_retries``) before the job is given up.
    max_poll_failures: int = 10
    max_retries: int = 3
    timeout: float = 60.0

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> "OpenAISettings":
        api_key = settings.get("api_key") or os.environ.get("OPENAI_API_KEY")
        base_url = settings.get("base_url") or os.environ.get("OPENAI_BASE_URL")
        if not api_key:
            if base_url:
                api_key = "not-needed"  # local servers (Ollama, vLLM) accept any key
            else:
                raise ConfigError("the openai model backend needs an API key",
                                  "set OPENAI_API_KEY in the environment (or bot.model.api_key), or use "
                                  "bot.model.backend: local")
        mode = settings.get("mode", "examples")
        if mode not in ("examples", "fine_tune"):
            raise ConfigError(f"unknown bot.model.mode {mode!r}", "use 'examples' or 'fine_tune'")
        known = {f.name for f in fields(cls)} - {"api_key", "base_url", "mode"}
        return cls(api_key=api_key, base_url=base_url, mode=mode,
                   **{name: settings[name] for name in known if name in settings})


class OpenAIModelService(LocalModelService):
    """Examples are indexed as the local backend does (``examples`` mode answers with them as few-shot
    messages); ``fine_tune`` mode trains at the provider instead."""

    backend_name = "openai"

    def __init__(self, data: DataFolder, storage: Storage, settings: OpenAISettings,
                 client: AsyncOpenAI | None = None):
        super().__init__(data, storage, threshold=settings.threshold)
        self.settings = settings
        # The client retries 429s, 5xx and lost connections itself, with backoff (``max_retries``).
        self.client = client or AsyncOpenAI(api_key=settings.api_key, base_url=settings.base_url,
                                            max_retries=settings.max_retries, timeout=settings.timeout)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], data: DataFolder, storage: Storage) -> "OpenAIModelService":
        return cls(data, storage, OpenAISettings.parse(settings))

    @property
    def mode(self) -> str:
        return self.settings.mode

    # -- lifecycle --------------------------------------------------------------------------

    async def _load(self, state, tenant: str) -> None:
        await super()._load(state, tenant)
        state.remote_model = await self.storage.get_setting(REMOTE_MODEL_SETTING, tenant=tenant)

    async def aclose(self) -> None:
        await super().aclose()
        await self.client.close()

    # -- training ---------------------------------------------------------------------------

    async def _train_job(self, job: Job, listener) -> None:
        if self.mode == "examples":
            await super()._train_job(job, listener)
            return
        if job.remote_id:  # resumed after a restart: the provider already has the job
            await self._poll(job, listener)
            return
        job.status = VALIDATING
        job.event(Reason("job.event.checking"), 0.05)
        await self._update(job, listener)
        examples = await asyncio.to_thread(read_file, self.jobs_dir / f"{job.id}.jsonl", job.id)
        rows, method = self._training_rows(examples)
        report, method = await asyncio.to_thread(self._check, examples)
        job.extra.update({"tokens": report.tokens, "epochs": report.epochs,
                          "estimated_cost": round(report.estimated_cost, 4), "method": method})
        if not report.ok:
            raise _DataRejected(Reason("job.data_not_ready", problems=report.problems()))
        job.event(Reason("job.event.checked", examples=len(rows), tokens=report.tokens, epochs=report.epochs,
                         cost=report.estimated_cost), 0.08)
        await self._update(job, listener)
        payload = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
        uploaded = await self.client.files.create(file=(f"{job.id}.jsonl", io.BytesIO(payload)),
                                                  purpose="fine-tune")
        job.event(Reason("job.event.uploaded", file=uploaded.id), 0.1)
        await self._update(job, listener)
        hyper = {"n_epochs": report.epochs}
        method_body: dict[str, Any] = {"type": method, method: {"hyperparameters": hyper}}
        try:
            remote = await self.client.fine_tuning.jobs.create(training_file=uploaded.id, model=self.settings.base_model,
                                                               method=method_body, suffix="hypotez")
        except (openai.PermissionDeniedError, openai.BadRequestError, openai.NotFoundError) as error:
            job.hint = Reason("job.hint_examples_mode")
            raise _Refused(Reason("job.provider_refused", detail=_api_message(error))) from None
        job.remote_id = remote.id
        job.status = RUNNING
        job.event(Reason("job.event.created", remote=remote.id), 0.15)
        await self._update(job, listener)
        await self._poll(job, listener)

    async def _summarise(self, job: Job, examples: list[Example]) -> None:
        """Fine-tuning: tokens, epochs and the cost estimate go into the answer to ``!train`` at once."""
        if self.mode != "fine_tune":
            return
        report, method = await asyncio.to_thread(self._check, examples)
        job.extra.update({"tokens": report.tokens, "epochs": report.epochs,
                          "estimated_cost": round(report.estimated_cost, 4), "method": method})

    def _check(self, examples: list[Example]):
        rows, method = self._training_rows(examples)
        report = check_chat_dataset([r if method == "supervised" else _pair_as_chat(r) for r in rows],
                                    context_limit=self.settings.context_limit, epochs=self.settings.epochs,
                                    price_per_million=self.settings.price_per_million)
        return report, method

    def _training_rows(self, examples: list[Example]) -> tuple[list[dict[str, Any]], str]:
        positives = [e for e in examples if e.positive]
        if self.settings.method == "dpo":
            by_prompt = {normalise(e.prompt): e for e in positives}
            pairs = [{"input": {"messages": self._system() + [{"role": "user", "content": n.prompt}]},
                      "preferred_output": [{"role": "assistant", "content": by_prompt[normalise(n.prompt)].completion}],
                      "non_preferred_output": [{"role": "assistant", "content": n.completion}]}
                     for n in examples if not n.positive and normalise(n.prompt) in by_prompt]
            if pairs:
                return pairs, "dpo"
        return [{"messages": self._system() + [{"role": "user", "content": e.prompt},
                                               {"role": "assistant", "content": e.completion}]}
                for e in positives], "supervised"

    def _system(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.settings.system_prompt}] if self.settings.system_prompt else []

    async def _poll(self, job: Job, listener) -> None:
        assert job.remote_id is not None
        interval, failures = self.settings.poll_interval, 0
        seen_events: set[str] = set(job.extra.get("seen_events", []))
        while True:
            try:
                remote = await self.client.fine_tuning.jobs.retrieve(job.remote_id)
                events = await self.client.fine_tuning.jobs.list_events(job.remote_id, limit=20)
                failures = 0
            except TRANSIENT as error:
                # The client has already retried this poll with its own backoff: wait the poll
                # interval, as after any poll, and give up after several such polls in a row.
                failures += 1
                if failures > self.settings.max_poll_failures:
                    raise _Refused(Reason("job.provider_kept_failing", detail=_api_message(error))) from None
                log.warning("polling %s failed (%s); polling again", job.remote_id, error)
                await asyncio.sleep(interval)
                continue
            for event in reversed(list(events.data)):
                if event.id not in seen_events:
                    seen_events.add(event.id)
                    job.event(event.message)
            job.extra["seen_events"] = sorted(seen_events)[-100:]
            job.extra["remote_status"] = remote.status
            if remote.status in REMOTE_DONE:
                job.status, job.finished = REMOTE_DONE[remote.status], time.time()
                if job.status == SUCCEEDED:
                    job.model_id = remote.fine_tuned_model
                    await self.storage.set_setting(REMOTE_MODEL_SETTING, remote.fine_tuned_model, tenant=job.tenant)
                    (await self.state(job.tenant)).remote_model = remote.fine_tuned_model
                    job.event(Reason("job.event.fine_tuned", model=remote.fine_tuned_model), 1.0)
                elif job.status == FAILED:
                    job.error = (Reason("job.provider_error", message=remote.error.message)
                                 if remote.error and remote.error.message else Reason("job.provider_failed"))
                    job.hint = Reason("job.hint_fix_data")
                else:
                    job.error = Reason("job.cancelled")
                await self._update(job, listener)
                return
            job.progress = max(job.progress, REMOTE_PROGRESS.get(remote.status, job.progress))
            await self._update(job, listener)
            await asyncio.sleep(interval)
            interval = min(interval * 1.5, self.settings.max_poll_interval)

    # -- answering --------------------------------------------------------------------------

    async def reply(self, text: str, *, tenant: str = "") -> str | None:
        if not text.strip():
            return None
        messages = list(self._system())
        model = self.settings.chat_model
        state = await self.state(tenant)
        if self.mode == "fine_tune" and state.remote_model:
            model = state.remote_model
        elif state.model is not None:
            matches = await asyncio.to_thread(state.model.matches, text, self.settings.few_shot, self.threshold)
            for match in reversed([m for m in matches if m.similarity >= self.threshold]):
                messages += [{"role": "user", "content": match.prompt},
                             {"role": "assistant", "content": match.answer}]
        messages.append({"role": "user", "content": text})
        try:
            completion = await self.client.chat.completions.create(model=model, messages=messages)
        except openai.AuthenticationError:
            raise ConfigError("the model provider refused the API key", "check OPENAI_API_KEY") from None
        except openai.APIError as error:
            log.warning("chat completion failed: %s", error)
            raise ModelUnavailable(Reason("model.provider_failed", detail=_api_message(error))) from None
        content = completion.choices[0].message.content if completion.choices else None
        return content.strip() if content else None

    async def status(self, *, tenant: str = "") -> dict[str, Any]:
        status = await super().status(tenant=tenant)
        state = await self.state(tenant)
        status.update({"mode": self.mode, "model_id": state.remote_model if self.mode == "fine_tune"
                       else (state.model_id and f"{self.settings.chat_model} + {state.model_id}"),
                       "chat_model": self.settings.chat_model})
        return status


class _DataRejected(HypotezError):
    pass


class _Refused(HypotezError):
    pass


def _pair_as_chat(pair: dict[str, Any]) -> dict[str, Any]:
    return {"messages": pair["input"]["messages"] + pair["preferred_output"]}


def _api_message(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        message = body.get("message") or (body.get("error") or {}).get("message")
        if message:
            return str(message)
    return str(getattr(error, "message", None) or error)
