"""Training and answering: !train, !test, !model, and replies to messages that are not commands."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from hypotez import Invocation, Response
from hypotez.errors import BadArgument
from hypotez.invocation import Attachment
from hypotez.progress import JobProgress, job_template_data, notify_target
from hypotez.reasons import Reason, json_problem
from hypotez.services.model import Example
from hypotez.services.model.datasets import MAX_FILE_BYTES, read_bytes, read_file, read_folder

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_TEST_CASES = 500


def _model(invocation: Invocation):
    model = invocation.services.model
    if model is None:
        raise BadArgument(None, Reason("training.no_model"))
    return model


async def _examples_from_sources(invocation: Invocation, data: Path | None, data_dir: Path | None,
                                 positive: bool, file: Attachment | None, corrections: bool) -> tuple[list[Example], str]:
    folder = invocation.services.data
    examples: list[Example] = []
    sources: list[str] = []
    if file is not None:
        if file.size > min(MAX_ATTACHMENT_BYTES, MAX_FILE_BYTES):
            raise BadArgument("file", Reason("training.attachment_too_big", size=file.size / 1024 / 1024,
                                             limit=MAX_ATTACHMENT_BYTES // 1024 // 1024))
        content = await file.read()
        examples += await asyncio.to_thread(read_bytes, content, file.filename, positive)
        sources.append(file.filename)
    if data is not None:
        examples += await asyncio.to_thread(read_file, data, folder.relative(data), positive)
        sources.append(folder.relative(data))
    if data_dir is not None:
        examples += await asyncio.to_thread(read_folder, data_dir, folder.relative(data_dir), positive)
        sources.append(folder.relative(data_dir) + "/")
    if not sources and not corrections:
        for kind, flag in (("positive", True), ("negative", False)):
            selected = await invocation.services.storage.get_setting(f"active_dataset.{kind}")
            if selected:
                path = folder.resolve(selected, kind="dir")
                examples += await asyncio.to_thread(read_folder, path, selected, flag)
                sources.append(f"{selected}/ ({kind})")
    if corrections:
        stored = await invocation.services.storage.corrections()
        for correction in stored:
            examples.append(Example(correction.prompt, correction.correction, True))
            examples.append(Example(correction.prompt, correction.answer, False))
        if stored:
            sources.append(f"{len(stored)} corrections")
    if not examples:
        raise BadArgument(None, Reason("training.nothing_to_train"))
    return examples, ", ".join(sources)


async def train(invocation: Invocation, data: Path | None = None, data_dir: Path | None = None,
                positive: bool = True, corrections: bool = False, file: Attachment | None = None) -> Response:
    model = _model(invocation)
    examples, source = await _examples_from_sources(invocation, data, data_dir, positive, file, corrections)
    progress = JobProgress(invocation) if invocation.outbox is not None and invocation.can_render else None
    job = await model.train(examples, description=source, listener=progress.update if progress else None,
                            notify=notify_target(invocation) if progress else None)
    summary = {**job.template_data(), "source": source, "total": len(examples)}
    if progress is None:
        return Response(data=summary, template="started")
    assert invocation.outbox is not None
    await invocation.outbox.send(invocation.render("started", summary))
    progress.ready.set()
    return Response(silent=True)


def _cases(value: Any) -> list[tuple[str, str | None]]:
    if not isinstance(value, list) or not value:
        raise BadArgument("test_data", Reason("training.cases_not_list"))
    if len(value) > MAX_TEST_CASES:
        raise BadArgument("test_data", Reason("training.too_many_cases", count=len(value), limit=MAX_TEST_CASES))
    cases = []
    for index, item in enumerate(value, 1):
        if isinstance(item, str) and item.strip():
            cases.append((item, None))
            continue
        if isinstance(item, dict):
            text = item.get("input", item.get("prompt", item.get("question")))
            expected = item.get("expected", item.get("output", item.get("completion", item.get("answer"))))
            if isinstance(text, str) and text.strip() and (expected is None or isinstance(expected, str)):
                cases.append((text, expected))
                continue
        raise BadArgument("test_data", Reason("training.bad_case", index=index))
    return cases


def _parse_json(text: str, file: str | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        reason = Reason("training.invalid_json", problem=json_problem(error.msg), line=error.lineno,
                        column=error.colno)
        raise BadArgument("test_data", Reason("training.in_file", file=file, reason=reason) if file else reason) \
            from None


async def test(invocation: Invocation, test_data: str) -> Response:
    """``test_data`` is a JSON list typed inline, or the path of a JSON file in the data folder."""
    model = _model(invocation)
    text = test_data.strip().strip("`").removeprefix("json").strip()
    if text.startswith(("[", "{", '"')):
        cases = _parse_json(text, None)
    else:
        path = invocation.services.data.resolve(text, kind="file")
        try:
            content = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except UnicodeDecodeError:
            raise BadArgument("test_data", Reason("training.not_utf8", file=text)) from None
        cases = _parse_json(content, text)
    report = await model.evaluate(_cases(cases))
    return Response(data={
        "predictions": [{"input": p.input, "output": p.output, "expected": p.expected, "correct": p.correct,
                         "similarity": round(p.similarity, 2)} for p in report["predictions"]],
        "scored": report["scored"], "correct": report["correct"],
        "accuracy": round(report["accuracy"] * 100) if report["accuracy"] is not None else None,
        "mismatches": [{"input": p.input, "output": p.output, "expected": p.expected}
                       for p in report["mismatches"]],
    })


async def model_status(invocation: Invocation) -> Response:
    status = await _model(invocation).status()
    if status.get("last_job"):
        status["last_job"] = job_template_data(invocation, status["last_job"])
    return Response(data=status)


async def chat_reply(invocation: Invocation) -> Response:
    """Answer a message that is not a command with the model (a transcript for voice messages)."""
    model = invocation.services.model
    text = invocation.content.strip()
    transcript = None
    voice = invocation.services.voice
    audio = next((a for a in invocation.attachments if (a.content_type or "").startswith(("audio/", "video/"))
                  or a.filename.lower().endswith((".ogg", ".mp3", ".wav", ".m4a", ".webm", ".oga"))), None)
    if audio is not None and voice is not None:
        transcript = (await voice.transcribe(audio)).text
        text = f"{text} {transcript}".strip()
    if not text:
        return Response(silent=True)
    answer = await model.reply(text) if model is not None else None
    spoken = None
    if answer is not None and voice is not None and invocation.voice is not None \
            and invocation.author.voice_channel_id and invocation.place.guild_id:
        spoken = await voice.speak(invocation.voice, invocation.place.guild_id, answer,
                                   invocation.author.voice_channel_id)
    data = {"answer": answer, "message": text, "transcript": transcript,
            "spoken": str(spoken) if spoken else None}
    if answer is None:
        return Response(data=data, template="fallback")
    return Response(data=data, remember_as_answer=True, prompt=text)
