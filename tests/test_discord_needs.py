"""``hypotez invite``: the gateway intents and bot permissions a spec needs, with the commands that
need them, as an invite URL; and the one clear start-up message when Discord refuses an intent or a
server did not give the bot a permission (``hypotez run`` against the local Discord test server)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from fakes.bot_process import BotProcess
from fakes.discord_server import FakeDiscord

from hypotez.declaration.needs import spec_needs
from hypotez.registry import load_spec, load_spec_text

SPEC = """\
bot:
  name: t
  prefix: "!"
  language: en
commands:
  rules:
    description: Rules
    embed: {title: Rules, description: Be kind}
  roles:
    description: Roles
    bot_permissions: [manage_roles]
    subcommands:
      give:
        description: Give a role
        text: given
"""


def _spec(text: str):
    return load_spec_text(text, path=Path("/tmp/commands.yaml"), check_handlers=False)


def test_needs_follow_the_spec():
    needs = spec_needs(_spec(SPEC))
    assert needs.intents["message_content"] == ["!rules", "!roles give", "!help"]
    assert needs.permissions["embed_links"] == ["!rules"]
    assert needs.permissions["manage_roles"] == ["!roles give"]  # handed down from the group
    assert "voice_states" not in needs.intents and "connect" not in needs.permissions
    voiced = spec_needs(_spec(SPEC.replace("  language: en\n", "  language: en\n  voice: {tts: espeak}\n")))
    assert "voice_states" in voiced.intents and "speak" in voiced.permissions


BUTTONS = SPEC + """\
  panel:
    description: Buttons
    text: Press
    components:
      - {id: gamer, label: Gamer, action: {toggle_role: Gamer}}
      - {id: count, label: Count, action: {actions: [{react: "👍"}, {delete_message: true}, {add_role: Member}],
         permissions: [add_reactions, manage_roles]}}
"""


def test_needs_include_what_buttons_do():
    needs = spec_needs(_spec(BUTTONS))
    assert needs.permissions["manage_roles"] == ["!roles give", "button gamer of !panel", "button count of !panel"]
    assert needs.permissions["add_reactions"] == ["button count of !panel"]
    assert needs.permissions["read_message_history"] == ["button count of !panel"]
    assert "manage_messages" not in needs.permissions  # a button deletes the bot's own message: no permission


EVENTS = SPEC + """\
triggers:
  spam:
    contains: free nitro
    actions: [{delete_message: true}, {react: "🚫"}]
    permissions: [manage_messages, add_reactions]
  thanks:
    contains: thank
    dm: true
    text: You are welcome
events:
  member_join:
    channel: welcome
    actions: [{add_role: Newcomer}]
    permissions: [manage_roles]
    text: Welcome!
  role_added:
    - {role: Gamer, dm: true, text: Have fun}
reactions:
  verify:
    emoji: "✅"
    channel: rules
    role: Verified
    permissions: [manage_roles]
schedules:
  weekly:
    every: 604800
    channel: general
    text: A new week
  daily_help:
    every: 86400
    channel: general
    command: "!help"
"""


def test_needs_include_what_events_do():
    needs = spec_needs(_spec(EVENTS))
    assert needs.intents["members"] == ["events.member_join", "events.role_added Gamer"]
    assert needs.intents["message_content"] == ["!rules", "!roles give", "!help", "trigger spam", "trigger thanks"]
    assert needs.intents["guild_reactions"] == ["reaction verify"]
    assert needs.permissions["manage_roles"] == ["!roles give", "events.member_join", "reaction verify"]
    assert needs.permissions["manage_messages"] == ["trigger spam"]
    assert needs.permissions["add_reactions"] == ["trigger spam"]
    # adding a reaction and hearing of one both need the channel's history
    assert needs.permissions["read_message_history"] == ["trigger spam", "reaction verify"]
    # where they post: a welcome, the schedules' channel (a command's reply too); not the DMs
    assert needs.permissions["send_messages"] == ["every command", "events.member_join", "schedule weekly",
                                                  "schedule daily_help"]
    assert needs.affected(["manage_roles", "members"]) == ["!roles give", "events.member_join", "reaction verify",
                                                           "events.role_added Gamer"]
    plain = spec_needs(_spec(SPEC))
    assert "members" not in plain.intents and "guild_reactions" not in plain.intents


def test_the_shipped_specs_needs():
    here = Path(__file__).parent.parent
    shipped = spec_needs(load_spec(here / "commands.yaml", check_handlers=False))
    # no events: neither the privileged members intent nor a moderator's permission is asked for
    assert list(shipped.intents) == ["guilds", "guild_messages", "dm_messages", "message_content", "voice_states"]
    assert list(shipped.permissions) == ["view_channel", "send_messages", "attach_files", "connect", "speak"]
    example = spec_needs(load_spec(here / "commands.example.yaml", check_handlers=False))
    assert example.intents["members"] == ["events.member_join", "events.member_leave"]
    assert example.intents["message_content"][-5:] == ["trigger dice_words", "trigger thanks", "trigger leaderboard",
                                                       "trigger motto", "trigger spam"]  # by priority
    assert example.intents["guild_reactions"] == ["reaction rules_accepted"]
    assert example.permissions["manage_roles"] == ["button voter of !vote", "events.member_join",
                                                   "reaction rules_accepted"]
    assert example.permissions["manage_messages"] == ["trigger spam"]
    assert example.permissions["add_reactions"] == ["trigger thanks"]
    assert example.permissions["read_message_history"] == ["trigger thanks", "reaction rules_accepted"]
    # the spam trigger only deletes and DMs, the leaving member is told by DM, the reaction answers by DM
    assert example.permissions["send_messages"] == ["every command", "trigger dice_words", "trigger thanks",
                                                    "trigger leaderboard", "trigger motto", "events.member_join",
                                                    "schedule weekly", "schedule daily_help"]


async def _hypotez(env: dict[str, str], folder: Path, *args: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hypotez", *args, "--spec", str(folder / "commands.yaml"), env={**environment, **env},
        cwd=str(folder), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


async def test_invite_prints_intents_permissions_and_the_url(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    async with FakeDiscord() as server:
        code, out = await _hypotez(server.env(), tmp_path, "invite")
    assert code == 0, out
    assert "  message_content (privileged: turn it on at https://discord.com/developers/applications" in out
    assert "— !rules, !roles give, !help" in out
    assert "  manage_roles — !roles give" in out and "  embed_links — !rules" in out
    url = out.split("invite URL: ")[1].split()[0]
    query = parse_qs(urlparse(url).query)
    assert query["client_id"] == [server.application_id]  # asked from Discord with the token
    assert query["scope"] == ["bot applications.commands"]
    assert int(query["permissions"][0]) == (1 << 10) | (1 << 11) | (1 << 14) | (1 << 28)
    code, out = await _hypotez({}, tmp_path, "invite", "--client-id", "42")
    assert code == 0 and "client_id=42" in out
    code, out = await _hypotez({}, tmp_path, "invite", "--client-id", "abc")
    assert code == 1 and "'abc' is not an application id" in out and "Traceback" not in out


async def test_start_up_names_the_commands_a_missing_permission_stops(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    async with FakeDiscord() as server:
        process = await BotProcess.start(server.env(), data_dir=tmp_path / "data", spec=tmp_path / "commands.yaml",
                                         cwd=tmp_path)
        try:
            await process.alongside(server.wait_until(lambda: server.ready.is_set(), 60, "the bot to join"))
            for _ in range(100):
                if "lacks the permissions" in process.log:
                    break
                await asyncio.sleep(0.1)
        finally:
            await process.stop()
    [line] = [line for line in process.lines if "lacks the permissions" in line]
    assert "WARNING" in line and "on server Test Server" in line
    assert "lacks the permissions manage_roles, so these cannot work there: !roles give." in line
    assert "invite it again: https://discord.com/oauth2/authorize?client_id=" in line


async def test_a_refused_intent_names_the_commands_that_need_it(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    async with FakeDiscord(message_content_allowed=False) as server:
        process = await BotProcess.start(server.env(), data_dir=tmp_path / "data", spec=tmp_path / "commands.yaml",
                                         cwd=tmp_path)
        try:
            code = await process.wait(timeout=60)
        finally:
            await process.stop()
    assert code == 1
    assert "Discord refused the Message Content intent, which these need: !rules, !roles give, !help." in process.log
    assert "Privileged Gateway Intents" in process.log and "Traceback" not in process.log


async def test_invite_lists_what_events_need(tmp_path):
    (tmp_path / "commands.yaml").write_text(EVENTS, encoding="utf-8")
    code, out = await _hypotez({}, tmp_path, "invite", "--client-id", "42")
    assert code == 0, out
    assert "  members (privileged: turn it on at https://discord.com/developers/applications" in out
    assert "— events.member_join, events.role_added Gamer" in out
    assert "  guild_reactions — reaction verify" in out
    assert "  manage_roles — !roles give, events.member_join, reaction verify" in out
    assert "  manage_messages — trigger spam" in out and "  add_reactions — trigger spam" in out
    assert "  send_messages — every command, events.member_join, schedule weekly, schedule daily_help" in out
    url = out.split("invite URL: ")[1].split()[0]
    assert "  read_message_history — trigger spam, reaction verify" in out
    bits = (1 << 6) | (1 << 10) | (1 << 11) | (1 << 13) | (1 << 14) | (1 << 16) | (1 << 28)  # reactions, messages, roles
    assert int(parse_qs(urlparse(url).query)["permissions"][0]) == bits
    assert f"bot permissions (value {bits}):" in out


async def _start_up_log(server: FakeDiscord, folder: Path, until: str | None) -> tuple[int | None, str]:
    """Run the bot on ``folder``'s spec against ``server``: until ``until`` is logged, or until it exits."""
    process = await BotProcess.start(server.env(), data_dir=folder / "data", spec=folder / "commands.yaml", cwd=folder)
    code = None
    try:
        if until is None:
            code = await process.wait(timeout=60)
        else:
            await process.alongside(server.wait_until(lambda: server.ready.is_set(), 60, "the bot to join"))
            for _ in range(100):
                if until in process.log:
                    break
                await asyncio.sleep(0.1)
    finally:
        await process.stop()
    return code, process.log


async def test_start_up_names_the_events_a_missing_permission_stops(tmp_path):
    (tmp_path / "commands.yaml").write_text(EVENTS, encoding="utf-8")
    async with FakeDiscord() as server:  # the bot's role: no manage_roles, manage_messages, add_reactions
        _, log = await _start_up_log(server, tmp_path, "lacks the permissions")
    [line] = [line for line in log.splitlines() if "lacks the permissions" in line]
    assert ("lacks the permissions manage_roles, manage_messages, add_reactions, so these cannot work there: "
            "!roles give, events.member_join, reaction verify, trigger spam.") in line


async def test_a_refused_members_intent_names_the_events_that_need_it(tmp_path):
    (tmp_path / "commands.yaml").write_text(EVENTS, encoding="utf-8")
    async with FakeDiscord(members_allowed=False) as server:
        code, log = await _start_up_log(server, tmp_path, None)
    assert code == 1
    assert ("Discord refused a privileged intent the bot asks for: Message Content, which these need: !rules, "
            "!roles give, !help, trigger spam, trigger thanks; Server Members, which these need: events.member_join, "
            "events.role_added Gamer.") in log
    assert "Privileged Gateway Intents → Message Content Intent and Server Members Intent" in log
    assert "Traceback" not in log
