"""The same bot in English: the spec's language picks the templates."""

from pathlib import Path

import pytest

from hypotez.testing import BotHarness

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def bot(tmp_path):
    spec = tmp_path / "commands.yaml"
    spec.write_text((ROOT / "commands.yaml").read_text(encoding="utf-8").replace("language: ru", "language: en"),
                    encoding="utf-8")
    async with BotHarness.from_spec(spec, data_dir=tmp_path / "data", templates_dir=ROOT / "templates",
                                    model_factory=lambda *a: None, voice_factory=lambda *a: None) as harness:
        yield harness


async def test_english_greeting(bot):
    assert (await bot.send("!hi")).content.startswith("Hi, ann! 👋 I'm hypotez.")


async def test_english_feedback_and_errors(bot):
    assert "Saved as #1" in (await bot.send("!feedback nice")).content
    assert "No feedback yet" not in (await bot.send("!feedback")).content
    assert "There is no command `!hii`" in (await bot.send("!hii")).content
    assert "`!archive` needs `directory`" in (await bot.send("!archive", roles=["Trainer"])).content
    assert "You may not use `!getfile`" in (await bot.send("!getfile x")).content


async def test_english_help(bot):
    out = (await bot.send("!help")).content
    assert "Type `!help <command>` for details." in out
    assert "Usage: `!archive <directory>`" in (await bot.send("!help archive")).content
