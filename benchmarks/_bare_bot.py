"""The baseline of bench_network_bare.py: a hand-written discord.py bot answering ``!hi`` with the same
text the shipped bot sends (mentions disabled, as every hypotez reply is). It reaches the local Discord
test server through the same two test settings ``hypotez run`` reads (HYPOTEZ_DISCORD_TEST_SERVER/_CA):
the transport is the same, the bot is bare."""

import asyncio
import os

import discord
from discord.ext import commands

from hypotez.adapters.discord_endpoint import TestServer


async def main() -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = False
    bot = commands.Bot(command_prefix="!", intents=intents, help_command=None,
                       allowed_mentions=discord.AllowedMentions.none(), connector=TestServer.from_env().connector())

    @bot.command()
    async def hi(ctx: commands.Context) -> None:
        await ctx.send(f"Привет, {ctx.author.display_name}! 👋 Я hypotez. Напишите `!help`, чтобы увидеть команды, "
                       "или `!instruction` — как мной пользоваться.", allowed_mentions=discord.AllowedMentions.none())

    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
