"""Schedules through the harness's clock: interval and cron in a time zone, a text or a command posted
on every server with the channel, the next run kept across restarts, and the declared policy for runs
missed while the bot was down. The tests with a bot run on both state stores (SQLite's file, the bot's
PostgreSQL database: the ``bot_database`` fixture)."""

import datetime
import zoneinfo

import pytest

from hypotez.declaration.events_model import ScheduleSpec, ResponseSpec
from hypotez.events.scheduler import following

SPEC = '''
bot:
  name: cronbot
  language: en
commands:
  stats:
    description: Stats
    text: "stats for {{ server }}"
state:
  posts: {scope: server, type: counter}
schedules:
  hourly:
    every: 3600
    channel: general
    actions: [{increment: posts}]
    text: "hourly #{{ state.server.posts }} at {{ run.strftime('%H:%M') }}"
    missed: once
  monday:
    cron: "0 9 * * 1"
    timezone: Europe/Moscow
    channel: general
    command: "!stats"
'''


def test_cron_in_a_time_zone():
    monday = ScheduleSpec("m", ResponseSpec(), cron="0 9 * * 1", timezone="Europe/Moscow")
    start = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.timezone.utc).timestamp()  # a Wednesday
    run = datetime.datetime.fromtimestamp(following(monday, start), zoneinfo.ZoneInfo("Europe/Moscow"))
    assert (run.isoformat(), run.strftime("%A")) == ("2026-12-07T09:00:00+03:00", "Monday")
    assert following(ScheduleSpec("e", ResponseSpec(), every=600), start) == start + 600


@pytest.fixture
def on_each_backend(bot_database):
    return bot_database


@pytest.mark.usefixtures("on_each_backend")
async def test_interval_and_cron_post_on_time(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as bot:
        bot.clock.now = datetime.datetime(2026, 12, 2, 12, 30, tzinfo=datetime.timezone.utc).timestamp()
        await bot.advance(0)  # the schedules are seen: their first runs are stored
        sent = await bot.advance(7 * 86400)
        texts = [m.text for m in sent]
        hourly = [t for t in texts if t.startswith("hourly")]
        assert len(hourly) == 7 * 24
        assert hourly[:2] == ["hourly #1 at 13:30", "hourly #2 at 14:30"]
        assert texts.count("stats for Test Server") == 1


@pytest.mark.usefixtures("on_each_backend")
async def test_the_next_run_survives_a_restart_and_missed_runs_follow_the_policy(hypotez_bot, tmp_path):
    data = tmp_path / "data"
    start = datetime.datetime(2026, 12, 2, 12, 30, tzinfo=datetime.timezone.utc).timestamp()
    async with hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data) as bot:
        bot.clock.now = start
        await bot.advance(0)
        assert [m.text for m in await bot.advance(3600)] == ["hourly #1 at 13:30"]
    # down for five hours: 'missed: once' posts one run for all of them; the next is on time again
    async with hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data) as bot:
        bot.clock.now = start + 3600 + 5 * 3600 + 60
        assert [m.text for m in await bot.advance(0)] == ["hourly #2 at 18:30"]
        assert [m.text for m in await bot.advance(3600)] == ["hourly #3 at 19:30"]
    skip = SPEC.replace("missed: once", "missed: skip")
    async with hypotez_bot(spec=skip, model=False, voice=False, data_dir=data) as bot:
        bot.clock.now = start + 10 * 3600 + 600
        assert [m.text for m in await bot.advance(0)] == [], "missed: skip posts none of the missed runs"
        assert [m.text for m in await bot.advance(3600)] == ["hourly #4 at 23:30"]


def _nonces(bot):
    return [(r.json or {}).get("nonce") for r in bot.http.requests if r.method == "POST" and r.path.endswith("/messages")
            and (r.json or {}).get("content", "").startswith("hourly")]


@pytest.mark.usefixtures("on_each_backend")
async def test_a_claimed_run_is_posted_after_a_crash_once(hypotez_bot, tmp_path):
    from hypotez.services.state_store import ScheduleRow

    data = tmp_path / "data"
    async with hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data) as bot:
        now = bot.clock.now
        await bot.advance(0)
        [first] = [m.text for m in await bot.advance(3600)]
        [nonce] = _nonces(bot)
        tenant = str(bot.guild.id)
        row = await bot.app.services.state.schedule(tenant, "hourly")
        # what a crash after posting the run and before marking it posted leaves behind
        await bot.app.services.state.set_schedule(tenant, "hourly", ScheduleRow(row.next_run, now + 3600,
                                                                                 row.fingerprint, acted=False))
        remembered = dict(bot.http.events.nonces)  # what Discord remembers of the first post
    again = hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data)
    async with again as bot:
        bot.clock.now = now + 3700
        assert [m.text for m in await bot.advance(0)] == [first], "the same run, its counter not counted again"
    again = hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data)
    await again.app.services.state.set_schedule(tenant, "hourly", ScheduleRow(row.next_run, now + 3600,
                                                                               row.fingerprint))
    again.http.events.nonces.update(remembered)
    async with again as bot:  # on Discord, which remembers the nonce: the repeat makes no new message
        bot.clock.now = now + 3700
        assert await bot.advance(0) == []
        request = next(r for r in bot.http.requests if r.method == "POST" and r.path.endswith("/messages"))
        assert _nonces(bot) == [nonce] and request.json["enforce_nonce"] is True, \
            "the same nonce: Discord answers the repeat with the first message"
        row = await bot.app.services.state.schedule(tenant, "hourly")
        assert row.pending is None and row.next_run == now + 7200


async def test_a_next_run_stored_by_a_clock_ahead_is_computed_again(hypotez_bot, tmp_path):
    """A rehearsal (hypotez run --schedules-from) a year ahead stored its next run then; run on the real
    clock afterwards, the schedule posts in an hour, not a year."""
    data = tmp_path / "data"
    start = datetime.datetime(2026, 12, 2, 12, 30, tzinfo=datetime.timezone.utc).timestamp()
    async with hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data) as bot:
        bot.clock.now = start + 365 * 86400
        await bot.advance(0)
    async with hypotez_bot(spec=SPEC, model=False, voice=False, data_dir=data) as bot:
        bot.clock.now = start
        assert await bot.advance(0) == []
        assert [m.text for m in await bot.advance(3600)] == ["hourly #1 at 13:30"]


def test_schedules_from_must_be_a_date_and_time(capsys):
    from hypotez.cli import main

    assert main(["run", "--schedules-from", "monday"]) == 2
    _, err = capsys.readouterr()
    assert "argument --schedules-from: 'monday' is not a date and time: write it as 2026-12-07T08:59:50Z" in err


@pytest.mark.usefixtures("on_each_backend")
async def test_a_shared_tenancy_bot_posts_a_due_run_on_every_server_once(hypotez_bot):
    """One tenant for all servers (bot.tenancy: shared), yet a schedule's runs are each server's: a due
    run is posted on both servers, once each, and each server's counter counts its own posts."""
    from hypotez.testing.payloads import GUILD_ID, channel_of

    shared = SPEC.replace("  language: en\n", "  language: en\n  tenancy: shared\n")
    other = GUILD_ID + 100
    async with hypotez_bot(spec=shared, model=False, voice=False) as bot:
        bot.server(other)
        bot.clock.now = datetime.datetime(2026, 12, 2, 12, 30, tzinfo=datetime.timezone.utc).timestamp()
        await bot.advance(0)
        sent = await bot.advance(3600)
        posted = sorted((m.channel_id, m.text) for m in sent if m.text.startswith("hourly"))
        assert posted == sorted([(str(channel_of(GUILD_ID)), "hourly #1 at 13:30"),
                                 (str(channel_of(other)), "hourly #1 at 13:30")])
        assert [m.text for m in await bot.advance(60)] == [], "each server's run is posted once"
        rows = [await bot.app.services.state.schedule(str(g), "hourly") for g in (GUILD_ID, other)]
        assert [row.pending for row in rows] == [None, None]
        assert await bot.app.services.state.schedule("", "hourly") is None, "no row for the shared tenant"


@pytest.mark.usefixtures("on_each_backend")
async def test_a_shared_tenancy_bots_old_row_is_left_and_each_server_starts_from_now(hypotez_bot, tmp_path):
    """Before runs were per server, a shared-tenancy bot kept one row under the tenant "": it is no
    server's, so each server starts again from now: nothing is posted at once, each posts on time."""
    from hypotez.services.state_store import ScheduleRow
    from hypotez.testing.payloads import GUILD_ID

    shared = SPEC.replace("  language: en\n", "  language: en\n  tenancy: shared\n")
    async with hypotez_bot(spec=shared, model=False, voice=False, data_dir=tmp_path / "data") as bot:
        bot.server(GUILD_ID + 100)
        start = datetime.datetime(2026, 12, 2, 12, 30, tzinfo=datetime.timezone.utc).timestamp()
        bot.clock.now = start
        hourly = next(s for s in bot.app.spec.events.schedules if s.name == "hourly")
        await bot.app.services.state.set_schedule("", "hourly", ScheduleRow(start - 600, None, hourly.fingerprint))
        assert await bot.advance(0) == [], "the old row's due run is not posted again"
        assert [m.text for m in await bot.advance(3600)] == ["hourly #1 at 13:30"] * 2
