"""Components and a hot reload: a button sent before the change does what the new spec says, one the
new spec no longer has is answered (not obeyed), and context menus are put on the bot again."""

from hypotez.adapters.discord_reload import attach_reloader
from hypotez.reload import Reloader

SPEC = '''
bot: {name: rbot, language: en}
context_menus:
  Quote this:
    target: message
    action: {reply: "> {{ target.content }}"}
commands:
  ask:
    description: Ask
    text: "Question?"
    components:
      - {id: "yes", label: "Yes", action: {reply: "yes, first version"}}
      - {id: "no", label: "No", action: {reply: "no"}}
'''


async def test_buttons_follow_the_spec_that_serves_when_pressed(tmp_path, hypotez_bot):
    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    async with hypotez_bot(spec=spec, model=False, voice=False) as bot:
        reloader = Reloader(bot.app, spec, display_name="commands.yaml")
        attach_reloader(bot.bot, reloader)
        asked = await bot.send("!ask")
        spec.write_text(SPEC.replace("yes, first version", "yes, second version")
                        .replace('      - {id: "no", label: "No", action: {reply: "no"}}\n', "")
                        .replace("Quote this", "Cite this"), encoding="utf-8")
        assert (await reloader.reload()).ok
        assert (await bot.press(asked, "Yes")).content == "yes, second version"
        gone = await bot.press(asked, "No")
        assert gone.messages[0].ephemeral and "no longer does anything" in gone.content
        menus = {c.name for c in bot.bot.tree.get_commands() if c.name[0].isupper()}
        assert menus == {"Cite this"}
        assert (await bot.context_menu("Cite this", text="hi")).content == "> hi"
