"""Training and answering: !train, !test, !model, and replies to messages that are not commands."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, TypedDict

from hypotez import Invocation, Response
from hypotez.errors import BadArgument
from hypotez.invocation import Attachment
from hypotez.progress import JobProgress, job_template_data, notify_target
from hypotez.reasons import Reason, json_problem
from hypotez.services.model import Example
from hypotez.services.model.datasets import MAX_FILE_BYTES, read_bytes, read_file, read_folder

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_TEST_CASES = 500
# A file of test cases is read whole: at most this much (500 cases of a few KB each fit easily).
MAX_TEST_FILE_BYTES = 5 * 1024 * 1024


class JobData(TypedDict):
    """A training job, as its progress, finished and failed templates see it (Job.template_data)."""

    id: str
    status: str
    progress: int
    examples: int
    negatives: int
    error: str | None
    hint: str | None
    model_id: str | None
    backend: str
    description: str
    last_event: str | None
    seconds: float
    tokens: int | None
    epochs: int | None
    estimated_cost: float | None


class TrainStarted(JobData):
    source: str
    total: int


class Prediction(TypedDict):
    input: str
    output: str | None
    expected: str | None
    correct: bool | None
    similarity: float


class Mismatch(TypedDict):
    input: str
    output: str | None
    expected: str | None


class EvaluationReport(TypedDict):
    predictions: list[Prediction]
    scored: int
    correct: int
    accuracy: int | None
    mismatches: list[Mismatch]


class ModelStatus(TypedDict):
    backend: str
    model_id: str | None
    answers: int
    negatives: int
    last_job: JobData | None


class ChatAnswer(TypedDict):
    answer: str | None
    message: str
    transcript: str | None
    spoken: str | None


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
        examples += await asyncio.to_thread(read_file, data, folder.relative(data), positive, data=folder)
        sources.append(folder.relative(data))
    if data_dir is not None:
        examples += await asyncio.to_thread(read_folder, data_dir, folder.relative(data_dir), positive, data=folder)
        sources.append(folder.relative(data_dir) + "/")
    if not sources and not corrections:
        for kind, flag in (("positive", True), ("negative", False)):
            selected = await invocation.services.storage.get_setting(f"active_dataset.{kind}")
            if selected:
                path = folder.resolve(selected, kind="dir")
                examples += await asyncio.to_thread(read_folder, path, selected, flag, data=folder)
                sources.append(f"{selected}/ ({kind})")
    if corrections:
        stored = await invocation.services.storage.corrections()
        for correction in stored:
            examples.append(Example(correction.prompt, correction.correction, True))
            if correction.answer:  # a question taught without a wrong answer ("Train on this") has none
                examples.append(Example(correction.prompt, correction.answer, False))
        if stored:
            sources.append(f"{len(stored)} corrections")
    if not examples:
        raise BadArgument(None, Reason("training.nothing_to_train"))
    return examples, ", ".join(sources)


async def train(invocation: Invocation, data: Path | None = None, data_dir: Path | None = None,
                positive: bool = True, corrections: bool = False,
                file: Attachment | None = None) -> Response[TrainStarted | JobData]:
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
    """The cases typed inline (``file`` None: the test_data argument) or read from a file."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        reason = Reason("training.invalid_json", problem=json_problem(error.msg), line=error.lineno,
                        column=error.colno)
    except RecursionError:  # nested deeper than the decoder follows
        reason = Reason("training.json_too_deep")
    if file is None:
        raise BadArgument("test_data", reason)
    raise BadArgument("file", Reason("training.in_file", file=file, reason=reason))


def _read_cases_file(invocation: Invocation, file: Path) -> Any:
    """The cases of a data-folder file, opened without following links and refused before reading
    when it is larger than the cap."""
    data = invocation.services.data
    name = data.relative(file)
    with data.open_file(file, max_bytes=MAX_TEST_FILE_BYTES) as stream:
        content = stream.read(MAX_TEST_FILE_BYTES + 1)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadArgument("file", Reason("training.not_utf8", file=name)) from None
    return _parse_json(text, name)


def _looks_like_a_path(text: str) -> bool:
    return 0 < len(text) <= 200 and not any(ch.isspace() for ch in text)


async def test(invocation: Invocation, test_data: str | None = None,
               file: Path | None = None) -> Response[EvaluationReport]:
    """``test_data`` is a JSON list typed inline (anyone may); ``file`` a JSON file in the data folder
    (only who the spec lets give that argument: reading the data folder is not for everyone)."""
    model = _model(invocation)
    command = f"{invocation.spec.settings.prefix if invocation.spec else '!'}{invocation.command.name}"
    text = (test_data or "").strip().strip("`").removeprefix("json").strip()
    if text and file is not None:
        raise BadArgument(None, Reason("training.test_data_and_file"))
    if file is not None:
        cases = await asyncio.to_thread(_read_cases_file, invocation, file)
    elif text.startswith(("[", "{", '"')):
        cases = _parse_json(text, None)
    elif text and _looks_like_a_path(text):
        raise BadArgument("test_data", Reason("training.test_data_not_json", text=text, command=command))
    elif text:
        raise BadArgument("test_data", Reason("training.cases_not_list"))
    else:
        raise BadArgument(None, Reason("training.test_nothing", command=command))
    report = await model.evaluate(_cases(cases))
    return Response(data={
        "predictions": [{"input": p.input, "output": p.output, "expected": p.expected, "correct": p.correct,
                         "similarity": round(p.similarity, 2)} for p in report["predictions"]],
        "scored": report["scored"], "correct": report["correct"],
        "accuracy": round(report["accuracy"] * 100) if report["accuracy"] is not None else None,
        "mismatches": [{"input": p.input, "output": p.output, "expected": p.expected}
                       for p in report["mismatches"]],
    })


async def model_status(invocation: Invocation) -> Response[ModelStatus]:
    status = await _model(invocation).status()
    if status.get("last_job"):
        status["last_job"] = job_template_data(invocation, status["last_job"])
    return Response(data=status)


async def chat_reply(invocation: Invocation) -> Response[ChatAnswer]:
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
