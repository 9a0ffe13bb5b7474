"""Hot reload says which file changed, prints a rejected change once, and applies a template fix
saved together with a mistake in commands.yaml (with the last good commands.yaml) instead of serving
the old template. Through discord.py (BotHarness) and the console in a real subprocess."""

import asyncio
import sys
from pathlib import Path

import pytest

from hypotez.adapters.discord_reload import attach_reloader
from hypotez.reload import Reloader
import test_reload
from test_reload import Console, edit, handlers_of

TEMPLATE = Path("templates") / "en" / "slow.j2"


@pytest.fixture
def folder(tmp_path):
    """The bot folder of test_reload: commands.yaml (hello, slow), a handler module, slow.j2."""
    module = f"reload_handlers_words_{next(test_reload._modules)}"
    root = tmp_path / "bot"
    (root / "templates" / "en").mkdir(parents=True)
    (root / f"{module}.py").write_text(test_reload.HANDLERS)
    (root / "templates" / "en" / "slow.j2").write_text("slow answer, old template, n={{ n }}")
    (root / "commands.yaml").write_text(test_reload.SPEC.replace("{module}", module))
    return root


@pytest.fixture
async def bot(folder, hypotez_bot):
    async with hypotez_bot(spec=folder / "commands.yaml", model=False, voice=False) as harness:
        harness.reloader = Reloader(harness.app, folder / "commands.yaml", display_name="commands.yaml")
        attach_reloader(harness.bot, harness.reloader)
        yield harness


async def _slow(bot, folder):
    task = asyncio.ensure_future(bot.send("!slow"))
    await asyncio.sleep(0)
    handlers_of(folder).gate.set()
    return (await task).content


async def test_a_template_fix_saved_with_a_yaml_mistake_is_applied(bot, folder):
    (folder / TEMPLATE).write_text("slow answer, fixed template, n={{ n }}")
    edit(folder, '{{ user }}"', '{{ user }}')  # the closing quote lost
    result = await bot.reloader.reload([folder / TEMPLATE, folder / "commands.yaml"])
    assert not result.ok
    assert result.templates_applied == ["templates/en/slow.j2"]
    assert result.report().startswith(
        "commands.yaml was changed but NOT applied (1 problem); the change to templates/en/slow.j2 was applied, "
        "with the previous commands.yaml. Fix:\ncommands.yaml:7:11: the quote (\") opened here is not closed")
    assert await _slow(bot, folder) == "slow answer, fixed template, n=1"
    assert (await bot.send("!hello")).content == "Hello from version one, ann"  # the last good spec


async def test_a_broken_template_with_a_yaml_mistake_is_rejected_with_both_problems(bot, folder):
    (folder / TEMPLATE).write_text("slow answer {{ n }")
    edit(folder, "    description: Say hello\n", "    descripton: Say hello\n")
    result = await bot.reloader.reload([folder / TEMPLATE, folder / "commands.yaml"])
    assert not result.ok and result.templates_applied == []
    report = result.report()
    assert report.startswith("commands.yaml and templates/en/slow.j2 were changed but NOT applied (2 problems); "
                             "the previous version keeps running. Fix:\n")
    assert "unknown key 'descripton'" in report and "template 'slow' does not compile" in report
    assert await _slow(bot, folder) == "slow answer, old template, n=1"


async def test_reload_by_hand_finds_the_changed_template_itself(bot, folder):
    (folder / TEMPLATE).write_text("slow answer, by hand, n={{ n }}")
    edit(folder, "    description: Say hello\n", "    descripton: Say hello\n")
    result = await bot.reloader.reload()  # :reload does not say what changed
    assert result.templates_applied == ["templates/en/slow.j2"]
    assert await _slow(bot, folder) == "slow answer, by hand, n=1"


def test_console_names_the_changed_template_and_prints_the_rejection_once(folder, tmp_path):
    console = Console(folder, tmp_path / "data", "--watch", "--interval", "0.1")
    try:
        console.say("!hello")
        console.expect("Hello from version one, you")
        (folder / TEMPLATE).write_text("slow answer {{ n }")
        lines = console.expect("(console)")
        assert lines[-1] == ("(console) templates/en/slow.j2 was changed but NOT applied (1 problem); the previous "
                             "version keeps running. Fix:")
        console.say("!hello")
        after = console.expect("Hello from version one, you")
    finally:
        code, stderr = console.close()
    assert code == 0 and "Traceback" not in stderr
    shown = lines + after
    assert sum("does not compile" in line for line in shown) == 1
    assert "does not compile" not in stderr
    assert sys.executable  # the console ran in its own process


async def test_one_command_is_counted_in_words(bot, folder):
    (folder / "commands.yaml").write_text('bot:\n  language: en\ncommands:\n  hello:\n    description: Say hello\n'
                                          '    text: "Hello again"\n')
    result = await bot.reloader.reload([folder / "commands.yaml"])
    assert result.report() == "commands.yaml reloaded: 1 command"
