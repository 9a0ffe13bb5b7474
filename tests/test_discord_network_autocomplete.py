"""Autocomplete over real sockets: ``hypotez run`` answers the local Discord test server's autocomplete
interactions with choices, from a list and from the server's data folder."""

from __future__ import annotations

from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord

SPEC = """\
bot: {language: en, prefix: "!"}
commands:
  color:
    description: Pick a colour
    arguments:
      shade: {type: text, autocomplete: [red, green, blue, light blue]}
    text: "colour {{ shade }}"
  tag:
    description: Tags
    subcommands:
      show:
        description: Show a file
        arguments:
          file: {type: path, kind: file, autocomplete: files, permissions: {users: [ANN]}}
        text: "file {{ file }}"
"""


async def test_autocomplete_interactions_get_choices(tmp_path):
    async with FakeDiscord() as server:
        (tmp_path / "commands.yaml").write_text(SPEC.replace("ANN", server.user("ann")["id"]), encoding="utf-8")
        files = tmp_path / "data" / "servers" / server.guild_id
        files.mkdir(parents=True)
        (files / "a.txt").write_text("x", encoding="utf-8")
        process = await BotProcess.start(server.env(), data_dir=tmp_path / "data", spec=tmp_path / "commands.yaml",
                                         cwd=tmp_path)
        try:
            await process.alongside(server.wait_until(lambda: server.ready.is_set() and server.command_syncs, 60,
                                                      "the bot to sync and join the gateway"))
            synced = {c["name"]: c for c in server.command_syncs[-1]}
            assert synced["color"]["options"][0]["autocomplete"] is True
            typed = await server.slash("color", focused="shade", shade="bl")
            await process.alongside(server.wait_until(lambda: typed.callbacks, 15, "the suggestions"))
            [callback] = typed.callbacks
            assert callback["type"] == 8
            assert callback["data"]["choices"] == [{"name": "blue", "value": "blue"},
                                                   {"name": "light blue", "value": "light blue"}]
            shown = await server.slash("tag show", focused="file", file="")
            await process.alongside(server.wait_until(lambda: shown.callbacks, 15, "the suggestions"))
            assert shown.callbacks[0]["data"]["choices"] == [{"name": "a.txt", "value": "a.txt"}]
            hidden = await server.slash("tag show", user="bob", focused="file", file="")
            await process.alongside(server.wait_until(lambda: hidden.callbacks, 15, "the suggestions"))
            assert hidden.callbacks[0]["data"]["choices"] == [], "bob may not give the path: nothing suggested"
            [answer] = await process.alongside(server.ask_slash("color", shade="blue"))
            assert answer.text == "colour blue"
        finally:
            code = await process.stop()
        assert code == 0, process.log
        assert "Traceback" not in process.log and " ERROR " not in process.log, process.log
