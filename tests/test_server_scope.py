"""What `server`, `channel` and `caller` hold in templates (member count, owner, icon, creation date...),
from discord.py's Guild through the harness (prefix and slash commands, direct messages) and from the
console in a real subprocess; and the `date` filter, in the reply's language through Babel."""

import datetime
import subprocess
import sys

import discord
import pytest

from hypotez.adapters.discord_inbound import server_facts
from hypotez.i18n import format_date
from hypotez.testing.payloads import GUILD_ID, OWNER_ID, guild_payload

SPEC = '''
bot: {language: ru, languages: [ru, en]}
commands:
  server:
    description: about the server
    text: "{{ server }}|{{ server.id }}|{{ server.member_count }}|{{ server.owner }}|{{ server.owner.mention }}|{{ server.created | date }}|{{ server.created | date('long') }}|{{ server.icon }}|{{ server.boosts }}"
  where:
    description: about the channel and the caller
    text: "{{ channel }}|{{ channel.id }}|{{ channel.mention }}|{{ caller }}|{{ caller.mention }}|{{ caller.roles | join(',') }}|{{ server == '' }}"
'''

CREATED = discord.utils.snowflake_time(GUILD_ID)


async def test_the_server_as_discord_describes_it(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as bot:
        answer = (await bot.send("!server")).content
        by_owner = (await bot.send("!server", author="olga", user_id=OWNER_ID)).content
        slash = (await bot.slash("server")).content
    day = CREATED.strftime("%d.%m.%Y")
    # The owner is not among the members discord.py knows until they write: then their name is known.
    assert answer == f"Test Server|{GUILD_ID}|2||<@{OWNER_ID}>|{day}|{format_date(CREATED, 'ru', format='long')}||0"
    assert by_owner == f"Test Server|{GUILD_ID}|2|olga|<@{OWNER_ID}>|{day}|" \
                       f"{format_date(CREATED, 'ru', format='long')}||0"
    assert slash == by_owner  # the owner has written by now


async def test_channel_and_caller_are_names_with_attributes_and_a_dm_has_an_empty_server(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as bot:
        here = (await bot.send("!where", roles=["Mod", "Art"])).content
        dm = (await bot.send("!server", dm=True)).content
    channel = bot.channel_of(GUILD_ID)
    assert here == f"general|{channel}|<#{channel}>|ann|<@4000000000000001>|Art,Mod|False"
    assert dm == "||0||||||0"  # no server: empty texts and no members


async def test_the_icon_boosts_and_description_are_what_discord_gives(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as bot:
        state = bot.bot._connection
        payload = guild_payload(GUILD_ID, bot.http.bot_user)
        guild = discord.Guild(data={**payload, "icon": "a" * 32, "premium_subscription_count": 3,
                                    "premium_tier": 1, "description": "Про модели"}, state=state)
        facts = server_facts(guild)
    assert facts.icon == f"https://cdn.discordapp.com/icons/{GUILD_ID}/{'a' * 32}.png?size=1024"
    assert (facts.boosts, facts.boost_level, facts.description, facts.member_count) == (3, 1, "Про модели", 2)
    assert facts.owner.id == str(OWNER_ID) and facts.created == CREATED


def test_the_console_server_is_yours(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC.replace("language: ru", "language: en"))
    result = subprocess.run([sys.executable, "-m", "hypotez", "console", "--data", str(tmp_path / "data")],
                            input="!server\n!where\n", capture_output=True, text=True, cwd=tmp_path, timeout=120)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert result.stdout.splitlines() == [
        f"console|console|1|you|@you|{format_date(today, 'en')}|{format_date(today, 'en', format='long')}||0",
        "console|console|#console|you|@you||False",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("language, format, expected", [
    ("ru", "short", "01.12.2026"), ("ru", "medium", "1 дек. 2026 г."), ("ru", "long", "1 декабря 2026 г."),
    ("ru", "full", "вторник, 1 декабря 2026 г."), ("en", "short", "12/1/26"), ("en", "medium", "Dec 1, 2026"),
    ("en", "long", "December 1, 2026"), ("ru", "dd MMMM", "01 декабря"), ("en", "EEEE", "Tuesday"),
])
async def test_the_date_filter_writes_dates_as_the_reply_language_does(hypotez_bot, language, format, expected):
    spec = f'''
bot: {{language: {language}}}
commands:
  day:
    description: a date
    arguments:
      when: {{type: text}}
    text: "{{{{ when | date('{format}') }}}}|{{{{ when | date }}}}"
'''
    expected = expected.replace(" г.", "\u202fг.")  # CLDR keeps the year and its word together
    async with hypotez_bot(spec=spec, model=False, voice=False) as bot:
        assert (await bot.send("!day 2026-12-01")).content == f"{expected}|{format_date('2026-12-01', language)}"
        assert (await bot.send("!day 2026-12-01T23:30:00")).content.startswith(expected)
        refused = (await bot.send("!day soon")).content
    # not a date: the bad_reply answer (the log says where), not an internal error
    assert ("в его шаблоне ошибка" if language == "ru" else "its template has a mistake") in refused


def test_format_date_reads_dates_datetimes_iso_texts_and_nothing():
    assert format_date(datetime.date(2026, 12, 1), "ru") == "01.12.2026"
    assert format_date(datetime.datetime(2026, 12, 1, 5, tzinfo=datetime.timezone.utc), "ru") == "01.12.2026"
    assert format_date(" 2026-12-01 ", "ru") == "01.12.2026"
    assert format_date(None, "ru") == "" and format_date("", "en") == ""
    with pytest.raises(ValueError):
        format_date("tomorrow", "en")
