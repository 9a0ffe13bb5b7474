"""Attachments are downloaded only from Discord's file servers (the hosts in `bot.attachments`), within a
size limit, and never from a URL a user typed. A refused attachment gets a clear reply, and nothing is
fetched: the fake Discord HTTP API records every download."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support import ROOT, TEMPLATES

from hypotez.attachments import AttachmentPolicy, AttachmentRefused
from hypotez.registry import load_spec_text
from hypotez.errors import SpecError
from hypotez.testing import CDN

TRAINER = {"roles": ["Trainer"]}
DATASET = (json.dumps({"prompt": "как дела", "completion": "хорошо"}, ensure_ascii=False) + "\n").encode()

OFF_CDN = [
    "https://evil.example/attachments/1/2/t.jsonl",
    "http://cdn.discordapp.com/attachments/1/2/t.jsonl",  # not https
    "https://cdn.discordapp.com.evil.example/attachments/t.jsonl",
    "https://cdn.discordapp.com@evil.example/t.jsonl",  # the host is evil.example
    "https://someone@cdn.discordapp.com/t.jsonl",  # credentials in the URL
    "https://cdn.discordapp.com:8443/t.jsonl",
    "https://169.254.169.254/latest/meta-data/t.jsonl",
    "file:///etc/passwd",
    "https://[::1/t.jsonl",  # malformed
]


def spec_with(tmp_path: Path, attachments: dict) -> Path:
    """The shipped spec with other attachment settings."""
    data = yaml.safe_load((ROOT / "commands.yaml").read_text(encoding="utf-8"))
    data["bot"]["attachments"] = attachments
    path = tmp_path / "commands.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def test_an_attachment_on_discords_cdn_is_downloaded(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        reply = await bot.send("!train", attachments=[("t.jsonl", DATASET, None)], **TRAINER)
        await bot.settle()
    assert "Обучение начато" in reply.content
    assert len(bot.http.fetched) == 1 and bot.http.fetched[0].startswith(f"{CDN}/")


@pytest.mark.parametrize("url", OFF_CDN)
async def test_an_attachment_elsewhere_is_refused_and_never_fetched(tmp_path, url, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        by_message = await bot.send("!train", attachments=[("t.jsonl", DATASET, None, url)], **TRAINER)
        by_slash = await bot.slash("train", attachments={"file": ("t.jsonl", DATASET, None, url)}, **TRAINER)
    for reply in (by_message.content, by_slash.content):
        assert reply.startswith("⚠️ Не могу взять вложение 't.jsonl': "), reply
        assert "не на файловых серверах Discord (cdn.discordapp.com, media.discordapp.net)" in reply \
            or "не файловые серверы Discord (cdn.discordapp.com, media.discordapp.net)" in reply, reply
    assert bot.http.fetched == []


async def test_a_voice_message_elsewhere_is_refused_before_any_audio_work(tmp_path, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES) as bot:
        reply = await bot.send("", attachments=[("voice-message.ogg", b"OggS" + bytes(400), "audio/ogg",
                                                 "https://evil.example/voice-message.ogg")])
    assert "Не могу взять вложение 'voice-message.ogg': оно лежит на evil.example" in reply.content
    assert bot.http.fetched == []


async def test_an_attachment_over_the_size_limit_is_refused_before_downloading(tmp_path, hypotez_bot):
    spec = spec_with(tmp_path, {"max_bytes": 1000})
    big = DATASET * 40
    async with hypotez_bot(spec=spec, templates_dir=TEMPLATES, voice=False) as bot:
        reply = await bot.send("!train", attachments=[("big.jsonl", big, None)], **TRAINER)
        small = await bot.send("!train", attachments=[("small.jsonl", DATASET, None)], **TRAINER)
        await bot.settle()
    shown = f"{len(big) / 1024:.1f}".replace(".", ",")  # as Russian writes numbers (CLDR)
    assert reply.content.startswith(f"⚠️ Не могу взять вложение 'big.jsonl': его размер {shown} кБ; "
                                    "я принимаю файлы до 1\xa0000 байт"), reply.content
    assert "Обучение начато" in small.content
    assert len(bot.http.fetched) == 1 and bot.http.fetched[0].endswith("/small.jsonl")


async def test_the_host_list_comes_from_the_settings(tmp_path, hypotez_bot):
    spec = spec_with(tmp_path, {"hosts": ["files.example.org"]})
    async with hypotez_bot(spec=spec, templates_dir=TEMPLATES, voice=False) as bot:
        ours = await bot.send("!train", attachments=[("t.jsonl", DATASET, None, "https://files.example.org/t.jsonl")],
                              **TRAINER)
        cdn = await bot.send("!train", attachments=[("t.jsonl", DATASET, None)], **TRAINER)
        await bot.settle()
    assert "Обучение начато" in ours.content
    assert "оно лежит на cdn.discordapp.com, а не на файловых серверах Discord (files.example.org)" in cdn.content
    assert bot.http.fetched == ["https://files.example.org/t.jsonl"]


@pytest.mark.parametrize("text", [
    "!train data=https://cdn.discordapp.com/attachments/1/2/t.jsonl",
    "!train data_dir=https://evil.example/",
    "!test https://cdn.discordapp.com/attachments/1/2/cases.json",
    "!getfile https://evil.example/secret",
    "посмотри https://cdn.discordapp.com/attachments/1/2/t.jsonl",
])
async def test_a_url_a_user_types_is_never_fetched(tmp_path, text, hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", templates_dir=TEMPLATES, voice=False) as bot:
        reply = await bot.send(text, **TRAINER)
    assert reply.messages and "💥" not in reply.content
    assert bot.http.fetched == []


async def test_the_real_size_is_checked_after_downloading():
    policy = AttachmentPolicy(max_bytes=10)

    async def fetch() -> bytes:
        return b"x" * 11  # more than Discord said

    read = policy.guard("t.txt", f"{CDN}/1/2/t.txt", 5, fetch)
    with pytest.raises(AttachmentRefused, match="it is 11 bytes; I accept files up to 10 bytes"):
        await read()


@pytest.mark.parametrize("settings, message", [
    ({"hosts": "cdn.discordapp.com"}, "hosts"),
    ({"hosts": []}, "hosts"),
    ({"max_bytes": 0}, "max_bytes"),
    ({"host": ["x"]}, "host"),
])
def test_bad_attachment_settings_are_located_problems(tmp_path, settings, message):
    text = yaml.safe_dump({"bot": {"attachments": settings}, "commands": {}})
    with pytest.raises(SpecError) as error:
        load_spec_text(text, path=tmp_path / "c.yaml", check_handlers=False)
    problem = error.value.problems[0]
    assert problem.line == 3 and message in problem.message, problem


# --- self-hosted file servers: an explicit scheme://host:port entry ----------------------------


async def test_an_explicit_scheme_host_and_port_entry_admits_exactly_that_server(tmp_path, hypotez_bot):
    spec = spec_with(tmp_path, {"hosts": ["cdn.discordapp.com", "http://files.internal:8080"]})
    admitted = "http://files.internal:8080/attachments/t.jsonl"
    async with hypotez_bot(spec=spec, templates_dir=TEMPLATES, voice=False) as bot:
        ours = await bot.send("!train", attachments=[("t.jsonl", DATASET, None, admitted)], **TRAINER)
        other_port = await bot.send("!train", attachments=[("t.jsonl", DATASET, None, "http://files.internal/t")],
                                    **TRAINER)
        await bot.settle()
    assert "Обучение начато" in ours.content, ours.content
    assert "оно лежит на http://files.internal:80, а не на файловых серверах Discord (cdn.discordapp.com, " \
           "http://files.internal:8080)" in other_port.content, other_port.content
    assert bot.http.fetched == [admitted]


@pytest.mark.parametrize("url", [
    "http://files.internal/t.jsonl", "http://files.internal:8081/t.jsonl", "https://files.internal:8080/t.jsonl",
    "https://files.internal/t.jsonl", "http://cdn.discordapp.com:8080/t.jsonl",
    "http://user@files.internal:8080/t.jsonl", "ftp://files.internal:8080/t.jsonl",
])
def test_an_explicit_entry_admits_no_other_scheme_host_or_port(url):
    policy = AttachmentPolicy.from_settings({"hosts": ["cdn.discordapp.com", "http://files.internal:8080"]})
    policy.check_url("t", "http://files.internal:8080/t.jsonl")
    policy.check_url("t", f"{CDN}/1/2/t.jsonl")
    with pytest.raises(AttachmentRefused, match="http://files.internal:8080"):
        policy.check_url("t", url)


def test_a_plain_host_entry_still_means_https_on_port_443():
    policy = AttachmentPolicy.from_settings({"hosts": ["files.example.org"]})
    policy.check_url("t", "https://files.example.org/t")
    policy.check_url("t", "https://files.example.org:443/t")
    for url in ("http://files.example.org/t", "https://files.example.org:8443/t", "http://files.example.org:443/t"):
        with pytest.raises(AttachmentRefused):
            policy.check_url("t", url)


@pytest.mark.parametrize("entry, message", [
    ("ftp://files.internal:21", "'ftp://files.internal:21' in 'bot.attachments' is not a host"),
    ("http://files.internal", "'http://files.internal' in 'bot.attachments' is not a host"),
    ("http://files.internal:99999", "'http://files.internal:99999' in 'bot.attachments' is not a host"),
    ("http://files.internal:8080/path", "'http://files.internal:8080/path' in 'bot.attachments' is not a host"),
    ("files.internal:8080", "'files.internal:8080' in 'bot.attachments' is not a host"),
])
def test_a_bad_host_entry_is_a_located_problem_that_says_how_to_write_it(tmp_path, entry, message):
    text = yaml.safe_dump({"bot": {"attachments": {"hosts": [entry]}}, "commands": {}})
    with pytest.raises(SpecError) as error:
        load_spec_text(text, path=tmp_path / "c.yaml", check_handlers=False)
    problem = error.value.problems[0]
    assert problem.line == 4 and message in problem.message, problem
    assert "cdn.discordapp.com" in problem.hint and "http://files.example.org:8080" in problem.hint, problem
