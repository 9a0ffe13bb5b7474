"""The same bot in English: the spec's language picks the templates."""


import pytest
from support import ROOT, TEMPLATES, english_spec


@pytest.fixture
async def bot(hypotez_bot, tmp_path):
    async with hypotez_bot(spec=english_spec(tmp_path), templates_dir=TEMPLATES, model=False,
                           voice=False) as harness:
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


# --- the per-server language: !language, stored, with fallback and the missing-translation warning ---

import shutil  # noqa: E402

from hypotez.cli import main  # noqa: E402
from hypotez.services.storage import Storage  # noqa: E402

ADMIN = {"permissions": ["administrator"]}


@pytest.fixture
async def ru_bot(hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", model=False, voice=False) as harness:
        yield harness


async def test_admin_switches_the_servers_language_and_it_is_stored(ru_bot, tmp_path):
    assert (await ru_bot.send("!hi")).content.startswith("Привет, ann!")
    assert (await ru_bot.send("!language en", **ADMIN)).content == "Done: I now answer in English on this server."
    assert (await ru_bot.send("!hi")).content.startswith("Hi, ann! 👋")
    assert "There is no command `!hii`" in (await ru_bot.send("!hii")).content  # errors follow too
    current = (await ru_bot.send("!language", **ADMIN)).content
    assert current.startswith("Replies on this server are in **en**.")
    assert "`ru` (русский), `en` (English)" in current
    # In SQLite, committed: another connection to the same file sees it.
    other = Storage(tmp_path / "data" / ".hypotez" / "hypotez.sqlite3")
    try:
        assert other.guild_language_sync(str(ru_bot.guild.id)) == "en"
    finally:
        other.close()
    assert (await ru_bot.slash("language", language="ru", **ADMIN)).content == \
        "Готово: на этом сервере я теперь отвечаю по-русски."
    assert (await ru_bot.send("!hi")).content.startswith("Привет")


async def test_the_language_survives_a_restart(hypotez_bot):
    async with hypotez_bot(spec=ROOT / "commands.yaml", model=False, voice=False) as first:
        await first.send("!language en", **ADMIN)
    async with hypotez_bot(spec=ROOT / "commands.yaml", model=False, voice=False) as second:
        assert (await second.send("!hi")).content.startswith("Hi, ann!")
        assert (await second.send("!language default", **ADMIN)).content == \
            "Готово: на этом сервере я теперь отвечаю по-русски."
        assert (await second.send("!hi")).content.startswith("Привет")


async def test_only_admins_may_switch_and_only_to_known_languages(ru_bot):
    refused = await ru_bot.send("!language en", roles=["Trainer"])
    assert "Вам нельзя использовать `!language`" in refused.content
    assert (await ru_bot.send("!hi")).content.startswith("Привет")
    unknown = await ru_bot.send("!language de", **ADMIN)
    assert "«de» — не один из языков этого бота: ru, en (или «сброс»)" in unknown.content
    assert "only works in" not in (dm := (await ru_bot.send("!language en", dm=True)).content)
    assert "`!language`" in dm and "сервер" in dm


@pytest.fixture
def half_translated(tmp_path):
    """The shipped spec with its templates, except that 'hi' has no English translation."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "en" / "hi.j2").unlink()
    shutil.copy(ROOT / "commands.yaml", tmp_path / "commands.yaml")
    return tmp_path


async def test_a_missing_translation_falls_back_to_the_default_language(half_translated, hypotez_bot):
    async with hypotez_bot(spec=half_translated / "commands.yaml", data_dir=half_translated / "data", model=False,
                           voice=False) as bot:
        await bot.send("!language en", **ADMIN)
        assert (await bot.send("!hi")).content.startswith("Привет, ann!")  # ru: the default
        assert (await bot.send("!feedback")).content.startswith("No feedback yet")  # translated: en


def test_validate_warns_about_the_missing_translation(half_translated, capsys):
    assert main(["validate", str(half_translated / "commands.yaml")]) == 0
    out = capsys.readouterr().out
    line = next(n for n, text in enumerate((ROOT / "commands.yaml").read_text().splitlines(), 1)
                if text == "    reply: hi")
    assert (f"{half_translated / 'commands.yaml'}:{line}:12: warning: template 'hi' has no 'en' translation "
            f"(templates/en/hi.j2); the 'ru' one is used") in out
    assert out.rstrip().endswith("prefix '!', 1 warning")


# --- plain-text commands take a short cut (Dispatcher.static_reply); it must follow the language too ---

TWO_LANGUAGES = """
bot: {language: ru, languages: [ru, en], slash: false}
commands:
  ping: {description: Answers pong, reply: pong}
  hello:
    description: Greets
    text: {ru: Привет!, en: Hello!}
"""


async def test_plain_text_commands_answer_in_the_servers_language_after_a_restart_too(tmp_path, hypotez_bot):
    for language, text in (("ru", "понг"), ("en", "pong")):
        (tmp_path / "templates" / language).mkdir(parents=True)
        (tmp_path / "templates" / language / "pong.j2").write_text(text, encoding="utf-8")
    (tmp_path / "commands.yaml").write_text(TWO_LANGUAGES, encoding="utf-8")
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as first:
        assert [(await first.send(c)).content for c in ("!ping", "!hello")] == ["понг", "Привет!"]
        await first.app.services.storage.set_guild_language(str(first.guild.id), "en")
        assert [(await first.send(c)).content for c in ("!ping", "!hello")] == ["pong", "Hello!"]
        assert (await first.send("!ping", dm=True)).content == "понг"  # direct messages: the default
    # After a restart the server's language is only in the database: the first message must read it.
    async with hypotez_bot(spec=tmp_path / "commands.yaml", model=False, voice=False) as second:
        assert [(await second.send(c)).content for c in ("!ping", "!hello")] == ["pong", "Hello!"]
