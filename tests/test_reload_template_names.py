"""Hot reload rejects a template edit that reads a name or attribute its command is not given (the
shipped greeting, templates/ru/hi.j2), says where, and the bot keeps answering with the old template;
the fixed edit then goes in. Through discord.py (BotHarness)."""

import shutil

from support import ROOT

from hypotez.adapters.discord_reload import attach_reloader
from hypotez.reload import Reloader


async def test_an_edit_reading_a_missing_name_is_rejected_and_the_old_greeting_stays(tmp_path, hypotez_bot, caplog):
    folder = tmp_path / "bot"
    folder.mkdir()
    shutil.copy(ROOT / "commands.yaml", folder / "commands.yaml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    greeting = folder / "templates" / "ru" / "hi.j2"
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as bot:
        bot.reloader = Reloader(bot.app, folder / "commands.yaml", display_name="commands.yaml")
        attach_reloader(bot.bot, bot.reloader)
        assert (await bot.send("!hi")).content.startswith("Привет, ann! 👋")

        greeting.write_text("Здравствуйте, {{ caller.nmae }}! Нас {{ server.member_count }}.", encoding="utf-8")
        result = await bot.reloader.reload()
        assert not result.ok
        [problem] = result.problems
        assert (problem.file, problem.line, problem.column) == ("templates/ru/hi.j2", 1, 25)
        assert problem.message == "'caller' has no 'nmae' (template 'hi' of command 'hi')"
        assert "templates/ru/hi.j2:1:25: 'caller' has no 'nmae'" in caplog.text
        assert (await bot.send("!hi")).content.startswith("Привет, ann! 👋")  # the old template

        greeting.write_text("Здравствуйте, {{ caller.name }}! Нас {{ server.member_count }}.", encoding="utf-8")
        assert (await bot.reloader.reload()).ok
        assert (await bot.send("!hi")).content == "Здравствуйте, ann! Нас 2."
        assert "Traceback" not in caplog.text
