"""Helpers the test modules share (imported as ``from support import ...``; test modules never import
each other): where the project is, the shipped spec and its variants, attachments, role sets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypotez.testing.plugin import no_service

__all__ = ["ADMIN", "ALLOWED_LATIN", "DATA", "FAQ", "ROOT", "SHIPPED_SPEC", "TEMPLATES", "TRAINER", "attachment",
           "english_spec", "english_voice_spec", "latin_words", "no_service", "openai_factory", "spec_in"]

ROOT = Path(__file__).resolve().parent.parent  # the project
SHIPPED_SPEC = ROOT / "commands.yaml"
TEMPLATES = ROOT / "templates"
DATA = ROOT / "tests" / "data"
FAQ = DATA / "model" / "faq.jsonl"  # a small question-and-answer dataset
TRAINER = {"roles": ["Trainer"]}
ADMIN = {"permissions": ["administrator"]}


def english_spec(tmp_path: Path, source: Path = SHIPPED_SPEC) -> Path:
    """``source`` (the shipped commands.yaml) answering in English, written to ``tmp_path``."""
    spec = tmp_path / "commands.yaml"
    spec.write_text(source.read_text(encoding="utf-8").replace("language: ru", "language: en"), encoding="utf-8")
    return spec


def spec_in(language: str, tmp_path: Path) -> Path:
    """The shipped commands.yaml in ``language`` ("ru": as shipped, "en": its English variant)."""
    return SHIPPED_SPEC if language == "ru" else english_spec(tmp_path)


def english_voice_spec(tmp_path: Path) -> Path:
    """The shipped commands.yaml, recognising English (the only language pocketsphinx knows offline)."""
    text = SHIPPED_SPEC.read_text(encoding="utf-8")
    spec = tmp_path / "commands.yaml"
    spec.write_text(text.replace("  voice:\n", "  voice:\n    language: en-US\n", 1), encoding="utf-8")
    return spec


def attachment(name: str, data: bytes) -> list[tuple[str, bytes, str]]:
    """One attachment for ``BotHarness.send(attachments=...)``."""
    return [(name, data, "application/octet-stream")]


def openai_factory(fake: Any) -> Any:
    """A model factory for the OpenAI backend, talking to ``fake`` (a FakeOpenAI), fine-tuning."""
    from hypotez.services.model import create_model_service

    def make(spec: Any, data: Any, storage: Any) -> Any:
        return create_model_service({"backend": "openai", "api_key": "sk-test", "base_url": fake.url,
                                     "mode": "fine_tune", "poll_interval": 0.01, "max_poll_interval": 0.05,
                                     "max_retries": 1}, data, storage)
    return make


ALLOWED_LATIN = {"JSON", "CSV", "UTF", "NUL", "id", "ID", "Discord", "URL", "ogg", "mp3", "wav", "m4a", "webm",
                 "Trainer", "manage_guild", "administrator", "prompt", "completion", "jsonl", "json", "csv",
                 "ru", "en", "d6", "d20"}  # and values of the spec: language codes, choices


def latin_words(text: str) -> list[str]:
    """Latin words outside code spans, code blocks and quoted values (what the user typed)."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|«[^»\n]*»", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_0-9]+", text) if w not in ALLOWED_LATIN]
