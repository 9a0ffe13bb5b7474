"""``hypotez sync --plan`` and ``hypotez sync`` against the local Discord test server (discord.py's real
HTTP client, over TLS), and command groups served by ``hypotez run`` over the gateway."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord

SPEC = """\
bot:
  name: t
  prefix: "!"
  language: en
commands:
  hi:
    description: Say hi
    text: "hi {{ user }}"
  tag:
    description: Tags
    default_permissions: [manage_messages]
    contexts: [guild]
    subcommands:
      add:
        description: Add a tag
        arguments:
          label: {type: text, maxLength: 20}
        text: "added {{ label }}"
  config:
    description: Settings
    subcommands:
      role:
        description: Roles
        subcommands:
          set:
            description: Set the role
            arguments:
              role: {type: text}
            text: "role set to {{ role }}"
"""


async def hypotez(server: FakeDiscord, folder: Path, *args: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hypotez", *args, "--spec", str(folder / "commands.yaml"),
        env={**environment, **server.env()}, cwd=str(folder), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


async def test_plan_then_sync_then_plan_again(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    async with FakeDiscord() as server:
        code, out = await hypotez(server, tmp_path, "sync", "--plan")
        assert code == 0, out
        assert "global: 4 to create, 0 to change, 0 to delete, 0 unchanged" in out
        assert "  + /tag" in out and "  + /config" in out and "  + /hi" in out and "  + /help" in out
        assert "uses 4 of Discord's 200 command creations a day for this scope" in out
        assert server.command_syncs == [], "a plan changes nothing"

        code, out = await hypotez(server, tmp_path, "sync")
        assert code == 0, out
        assert "synced: global" in out
        [synced] = server.command_syncs
        tag = next(c for c in synced if c["name"] == "tag")
        assert int(tag["default_member_permissions"]) == 1 << 13 and tag["contexts"] == [0]
        assert tag["options"][0]["options"][0]["max_length"] == 20

        code, out = await hypotez(server, tmp_path, "sync", "--plan")
        assert "global: nothing to change (4 commands as they are)" in out

        changed = SPEC.replace("description: Say hi", "description: Say hello").replace(
            "  tag:\n", "  ping:\n    description: Ping\n    text: pong\n  tag:\n").replace(
            "          set:", "          put:")
        changed = changed[:changed.index("  config:")]  # config removed
        (tmp_path / "commands.yaml").write_text(changed, encoding="utf-8")
        code, out = await hypotez(server, tmp_path, "sync", "--plan", "--server", server.guild_id)
        assert "global: 1 to create, 1 to change, 1 to delete, 2 unchanged" in out, out
        assert "  + /ping" in out and "  ~ /hi: description" in out and "  - /config" in out
        assert "uses 1 of Discord's 200" in out
        assert f"server {server.guild_id}: nothing to change (0 commands as they are)" in out
        assert len(server.command_syncs) == 1


async def test_slash_servers_move_the_commands_to_a_server(tmp_path):
    async with FakeDiscord() as server:
        (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
        assert (await hypotez(server, tmp_path, "sync"))[0] == 0
        spec = SPEC.replace("  language: en\n", f"  language: en\n  slash_servers: [{server.guild_id}]\n")
        (tmp_path / "commands.yaml").write_text(spec, encoding="utf-8")
        code, out = await hypotez(server, tmp_path, "sync", "--plan")
        assert "global: 0 to create, 0 to change, 4 to delete, 0 unchanged" in out, out
        assert f"server {server.guild_id}: 4 to create" in out
        code, out = await hypotez(server, tmp_path, "sync")
        assert code == 0, out
        assert server.command_syncs[-1] == [] and len(server.guild_command_syncs[server.guild_id]) == 1
        assert sorted(server.guild_commands[server.guild_id]) == ["config", "help", "hi", "tag"]


async def test_sync_without_a_token_says_how_to_get_one(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hypotez", "sync", "--plan", env=environment, cwd=str(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await asyncio.wait_for(process.communicate(), 60))[0].decode()
    assert process.returncode == 1 and "no Discord token" in out and "Traceback" not in out


async def test_groups_over_the_gateway(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    async with FakeDiscord() as server:
        process = await BotProcess.start(server.env(), data_dir=tmp_path / "data", spec=tmp_path / "commands.yaml",
                                         cwd=tmp_path)
        try:
            await process.alongside(server.wait_until(lambda: server.ready.is_set() and server.command_syncs, 60,
                                                      "the bot to sync and join the gateway"))
            [answer] = await process.alongside(server.ask_slash("tag add", label="news"))
            assert answer.text == "added news"
            [answer] = await process.alongside(server.ask_slash("config role set", role="Mod"))
            assert answer.text == "role set to Mod"
            [reply] = await process.alongside(server.ask("!tag add old"))
            assert reply.text == "added old"
            [reply] = await process.alongside(server.ask("!config role"))
            assert "`!config role set <role>`" in reply.text and "— Roles" in reply.text
        finally:
            code = await process.stop()
        assert code == 0, process.log
        assert "Traceback" not in process.log and " ERROR " not in process.log, process.log
