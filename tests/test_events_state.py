"""The bot's memory: per-user, per-member, per-channel, per-server and global values and counters,
written by actions and read by texts, kept per server, with limits; leaderboards. Every test runs on
both stores: SQLite's own file and the bot's PostgreSQL database (the ``bot_database`` fixture)."""

import pytest

from hypotez.services.state_store import Owner, StateFull
from hypotez.services.state_store_sqlite import SQLiteStateStore
from hypotez.services.state_store_postgres import PostgresStateStore
from hypotez.services.storage import Storage

SPEC = '''
bot:
  name: statebot
  language: en
  admin_channel: general
commands:
  hi:
    description: Say hi
    text: hi
state:
  points: {scope: member, type: counter, leaderboard: 3}
  karma: {scope: user, type: counter}
  last_word: {scope: channel, max_length: 12}
  messages: {scope: server, type: counter}
  total: {scope: global, type: counter}
state_limits: {max_rows: 3}
triggers:
  thanks:
    contains: thanks
    actions:
      - increment: points
      - increment: {key: karma, by: 2}
      - increment: messages
      - increment: total
    text: >-
      {{ user }}: {{ state.member.points }} points, karma {{ state.user.karma }},
      server {{ state.server.messages }}, all {{ state.global.total }}
  remember:
    starts_with: "remember "
    actions:
      - set: {key: last_word, value: "{{ match.rest }}"}
    text: "#{{ channel }} remembers {{ state.channel.last_word }}"
  top:
    exact: top
    text: "{% for r in state.top.points %}{{ r.rank }}. {{ r.name }} {{ r.value }}; {% endfor %}"
'''


@pytest.fixture(autouse=True)
def on_each_backend(bot_database):
    return bot_database


@pytest.fixture
def store(bot_database, tmp_path):
    """The state store the bot would use on this backend."""
    if bot_database is None:
        store = SQLiteStateStore(tmp_path / "state.sqlite3")
        yield store
        store.close()
        return
    storage = Storage(bot_database)
    yield PostgresStateStore(storage.backend)
    storage.close()


@pytest.fixture
async def bot(hypotez_bot):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as harness:
        yield harness


ANN, BOB, CY, DI = (4_000_000_000_000_001 + i for i in range(4))


async def test_counters_in_every_scope(bot):
    assert (await bot.send("thanks")).content == "ann: 1 points, karma 2, server 1, all 1"
    assert (await bot.send("thanks!", author="bob", user_id=BOB)).content == "bob: 1 points, karma 2, server 2, all 2"
    assert (await bot.send("thanks again")).content == "ann: 2 points, karma 4, server 3, all 3"
    other = 1_000_000_000_000_500
    # another server: its own members' and server's values; the user's and the global ones follow them
    assert (await bot.send("thanks", guild=other)).content == "ann: 1 points, karma 6, server 1, all 4"


async def test_values_are_rendered_and_limited(bot, caplog):
    assert (await bot.send("remember tea")).content == "#general remembers tea"
    reply = await bot.send("remember a very long sentence indeed")
    assert reply.content.splitlines()[-1] == "#general remembers tea", "the old value stays"
    assert "longer than 12 characters" in caplog.text
    assert any("set last_word was not done" in m.text and "longer than 12" in m.text for m in bot.sent)
    # max_length: 12 takes twelve letters (the quotes of the stored JSON do not count)
    assert (await bot.send("remember twelve chars")).content == "#general remembers twelve chars"


async def test_leaderboard_and_row_limit(bot):
    for user_id, name, times in ((ANN, "ann", 3), (BOB, "bob", 1), (CY, "cy", 2)):
        for _ in range(times):
            await bot.send("thanks", author=name, user_id=user_id)
    assert (await bot.send("top")).content == "1. ann 3; 2. cy 2; 3. bob 1;"
    # state_limits.max_rows: 3 members have points on this server; a fourth is refused, visibly
    reply = await bot.send("thanks", author="di", user_id=DI)
    assert "di: 0 points" in reply.content
    assert any("already has 3 values" in m.text for m in bot.sent)


def test_store_limits_and_atomic_increments(store):
    owner = Owner("member", "1")
    assert [store.increment_sync("g", owner, "n", 5, start=10) for _ in range(2)] == [15, 20]
    with pytest.raises(StateFull):
        store.write_sync("g", owner, "v", "x" * 50, max_length=10)
    store.write_sync("g", Owner("member", "2"), "v", "ok", max_rows=2)
    store.write_sync("g", Owner("member", "3"), "v", "ok", max_rows=2)
    with pytest.raises(StateFull):
        store.write_sync("g", Owner("member", "4"), "v", "ok", max_rows=2)
    store.write_sync("g", Owner("member", "3"), "v", "changed", max_rows=2)  # an existing row may change
    assert store.read_sync("g", [Owner("member", "3")], ["v"]) == {("member", "v"): "changed"}
    assert store.read_sync("other", [Owner("member", "3")], ["v"]) == {}, "another server sees nothing of it"


def test_a_text_may_be_as_long_as_max_length_its_quotes_do_not_count(store):
    owner = Owner("channel", "1")
    assert store.write_sync("g", owner, "w", "x" * 12, max_length=12) == "x" * 12
    assert store.write_sync("g", owner, "q", 'say "hi"', max_length=8) == 'say "hi"', "nor the escapes of its quotes"
    with pytest.raises(StateFull) as refused:
        store.write_sync("g", owner, "w", "x" * 13, max_length=12)
    assert (refused.value.what, refused.value.limit) == ("value_too_long", 12)
    with pytest.raises(StateFull):  # another value is measured as the JSON it is stored as
        store.write_sync("g", owner, "l", [1, 2, 3], max_length=6)
    assert store.read_sync("g", [owner], ["w", "q", "l"]) == {("channel", "w"): "x" * 12, ("channel", "q"): 'say "hi"'}


async def test_the_bot_uses_the_store_of_its_backend(bot_database, bot):
    expected = SQLiteStateStore if bot_database is None else PostgresStateStore
    assert type(bot.app.services.state) is expected


async def test_a_command_reads_state_and_its_keys_are_checked(hypotez_bot, tmp_path):
    spec = SPEC.replace('''    text: hi
state:''', '''    text: hi
  points:
    description: Your points, and the best
    text: "{{ user }}: {{ state.member.points }}; best: {{ state.top.points[0].name if state.top.points else '-' }}"
state:''')
    async with hypotez_bot(spec=spec, model=False, voice=False) as bot:
        assert (await bot.send("!points")).content == "ann: 0; best: -"
        await bot.send("thanks", author="bob", user_id=BOB)
        assert (await bot.send("!points")).content == "ann: 0; best: bob"
    from hypotez.errors import SpecError
    from hypotez.registry import load_spec_text

    with pytest.raises(SpecError) as error:
        load_spec_text(spec.replace("state.member.points }};", "state.member.pionts }};"), path=tmp_path / "x.yaml")
    assert "unknown state key 'pionts'" in str(error.value) and "did you mean 'points'?" in str(error.value)
