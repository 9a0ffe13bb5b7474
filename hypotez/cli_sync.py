"""``hypotez sync`` (``--plan`` to only show it): the spec's slash commands compared with what Discord has
and, unless only planned, sent — through discord.py's own HTTP client, to Discord or to the test server
the environment names (tests)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any, Callable

from hypotez.errors import ConfigError

EXIT_OK = 0

NO_TOKEN = ConfigError(
    "no Discord token: set DISCORD_TOKEN in the environment or in a .env file (DISCORD_TOKEN=...)",
    "Get a token at https://discord.com/developers/applications → your application → Bot → Reset Token")


def add_sync_commands(sub: Any, read_token: Callable[[], str | None]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add ``sync`` to the command line's sub-commands; the handlers by name."""
    sync = sub.add_parser("sync", help="sync the slash commands with Discord (--plan: only show what would change)")
    sync.add_argument("--spec", default="commands.yaml")
    sync.add_argument("--plan", action="store_true", help="show what would be created, changed or deleted; "
                                                          "change nothing")
    sync.add_argument("--server", action="append", default=[], metavar="ID",
                      help="also look at this server's commands (repeatable)")

    def cmd_sync(args: argparse.Namespace) -> int:
        token = read_token()
        if not token:
            raise NO_TOKEN
        return asyncio.run(_sync(args, token))

    invite = sub.add_parser("invite", help="the intents and bot permissions the spec needs, and an invite URL")
    invite.add_argument("--spec", default="commands.yaml")
    invite.add_argument("--client-id", default=None, metavar="ID",
                        help="the application's id (Developer Portal → General Information); without it, "
                             "asked from Discord with DISCORD_TOKEN")

    def cmd_invite(args: argparse.Namespace) -> int:
        return asyncio.run(_invite(args, read_token()))

    return {"sync": cmd_sync, "invite": cmd_invite}


async def _sync(args: argparse.Namespace, token: str) -> int:
    import discord
    from discord.http import HTTPClient

    from hypotez.adapters.discord_endpoint import TestServer
    from hypotez.adapters.discord_spec_tree import offline_bot, tree_payloads
    from hypotez.adapters.discord_sync_plan import apply_plans, describe, fetch_plans
    from hypotez.registry import load_spec

    for server in args.server:
        if not server.isdigit():
            raise ConfigError(f"--server {server!r} is not a server id",
                              "give the number Discord shows with 'Copy Server ID' (Developer Mode on)")
    # Checked as validate does, but without importing handlers: what Discord is sent does not need them.
    spec = load_spec(Path(args.spec), display_name=args.spec, check_handlers=False)
    desired = await tree_payloads((await offline_bot(spec)).tree)
    test_server = TestServer.from_env()  # tests only; None means Discord itself
    http = HTTPClient(asyncio.get_running_loop(), connector=test_server.connector() if test_server else None)
    try:
        try:
            await http.static_login(token)
        except discord.LoginFailure:
            raise ConfigError("Discord refused the token (DISCORD_TOKEN)",
                              "get a new one at https://discord.com/developers/applications → Bot → Reset Token")
        application_id = int((await http.application_info())["id"])
        plans = await fetch_plans(http, application_id, desired, spec.settings.slash_servers, args.server)
        for line in describe(plans):
            print(line)
        if args.plan:
            return EXIT_OK
        applied = await apply_plans(http, application_id, plans)
        print(f"synced: {', '.join(p.where for p in applied)}" if applied else "nothing to sync")
        return EXIT_OK
    except discord.HTTPException as error:
        raise ConfigError(f"Discord answered {error.status}: {error.text or error}",
                          "try again later; nothing more was changed") from None
    finally:
        await http.close()


async def _invite(args: argparse.Namespace, token: str | None) -> int:
    from hypotez.adapters.discord_needs import describe_needs, invite_url
    from hypotez.declaration.needs import spec_needs
    from hypotez.registry import load_spec

    needs = spec_needs(load_spec(Path(args.spec), display_name=args.spec, check_handlers=False))
    for line in describe_needs(needs):
        print(line)
    client_id = args.client_id
    if client_id is not None and not str(client_id).isdigit():
        raise ConfigError(f"--client-id {client_id!r} is not an application id",
                          "copy it from the Developer Portal → your application → General Information")
    if client_id is None and token:
        client_id = await _application_id(token)
    if client_id is None:
        print("invite URL: give --client-id ID (Developer Portal → your application → General Information → "
              "Application ID), or set DISCORD_TOKEN")
        return EXIT_OK
    print(f"invite URL: {invite_url(needs, client_id)}")
    return EXIT_OK


async def _application_id(token: str) -> int:
    import discord
    from discord.http import HTTPClient

    from hypotez.adapters.discord_endpoint import TestServer

    test_server = TestServer.from_env()
    http = HTTPClient(asyncio.get_running_loop(), connector=test_server.connector() if test_server else None)
    try:
        await http.static_login(token)
        return int((await http.application_info())["id"])
    except discord.LoginFailure:
        raise ConfigError("Discord refused the token (DISCORD_TOKEN)",
                          "get a new one at https://discord.com/developers/applications → Bot → Reset Token, "
                          "or give --client-id") from None
    finally:
        await http.close()
