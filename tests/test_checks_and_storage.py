"""Checks (place, permissions, cooldowns) and SQLite storage."""

import sqlite3
import threading

import pytest

from hypotez.checks import Cooldowns, check_permissions, check_place
from hypotez.errors import NotAllowed, OnCooldown, WrongPlace
from hypotez.invocation import Author, Place
from hypotez.services.storage import Storage
from hypotez.declaration.model import CommandSpec, CooldownSpec, PermissionSpec

SERVER = Place(channel_id="1", guild_id="9")
OTHER_CHANNEL = Place(channel_id="2", guild_id="9")
DM = Place(channel_id="3")


def restricted(**kw):
    return CommandSpec(name="x", description="d", permissions=PermissionSpec(**kw))


def who(roles=(), permissions=(), user_id="u1"):
    return Author(id=user_id, name="n", roles=frozenset(roles), permissions=frozenset(permissions))


def test_any_listed_role_is_enough():
    check_permissions(restricted(roles=("Trainer", "Admin")), who(roles=["Admin"]), SERVER)


def test_discord_permissions_are_all_required():
    spec = restricted(discord=("manage_guild", "kick_members"))
    check_permissions(spec, who(permissions=["manage_guild", "kick_members"]), SERVER)
    with pytest.raises(NotAllowed) as error:
        check_permissions(spec, who(permissions=["manage_guild"]), SERVER)
    assert error.value.permissions == ["manage_guild", "kick_members"]


def test_listed_users_and_administrators_pass():
    check_permissions(restricted(roles=("Trainer",), users=("42",)), who(user_id="42"), SERVER)
    check_permissions(restricted(roles=("Trainer",)), who(permissions=["administrator"]), SERVER)


def test_roles_cannot_be_checked_in_direct_messages():
    with pytest.raises(NotAllowed, match="only exist in a server"):
        check_permissions(restricted(roles=("Trainer",)), who(roles=["Trainer"]), DM)


def test_places():
    check_place(CommandSpec(name="x", description="d", where="guild"), SERVER)
    with pytest.raises(WrongPlace):
        check_place(CommandSpec(name="x", description="d", where="guild"), DM)
    with pytest.raises(WrongPlace):
        check_place(CommandSpec(name="x", description="d", where="dm"), SERVER)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("scope, same, different", [
    ("user", (who(), OTHER_CHANNEL), (who(user_id="u2"), SERVER)),
    ("channel", (who(user_id="u2"), SERVER), (who(), OTHER_CHANNEL)),
    ("guild", (who(user_id="u2"), OTHER_CHANNEL), (who(), DM)),
])
def test_cooldown_window_and_scopes(scope, same, different):
    clock = Clock()
    cooldowns = Cooldowns(clock)
    spec = CommandSpec(name="x", description="d", cooldown=CooldownSpec(rate=2, per=10, scope=scope))
    cooldowns.record(spec, who(), SERVER)
    cooldowns.record(spec, *same)
    with pytest.raises(OnCooldown) as error:
        cooldowns.check(spec, who(), SERVER)
    assert error.value.retry_after == pytest.approx(10)
    cooldowns.check(spec, *different)
    clock.now += 10
    cooldowns.check(spec, who(), SERVER)


def test_looking_does_not_use_a_turn():
    cooldowns = Cooldowns(Clock())
    spec = CommandSpec(name="x", description="d", cooldown=CooldownSpec(rate=1, per=10))
    for _ in range(5):
        cooldowns.check(spec, who(), SERVER)
    cooldowns.record(spec, who(), SERVER)
    with pytest.raises(OnCooldown):
        cooldowns.record(spec, who(), SERVER)


@pytest.fixture
def storage(tmp_path):
    store = Storage(tmp_path / "db.sqlite3")
    yield store
    store.close()


def test_wal_mode_and_acknowledged_writes_are_visible_to_a_new_connection(storage, tmp_path):
    assert storage._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    storage.add_feedback_sync("u", "ann", "hello")
    storage.record_answer_sync("77", "q", "a")
    other = sqlite3.connect(tmp_path / "db.sqlite3")
    assert other.execute("SELECT text FROM feedback").fetchall() == [("hello",)]
    assert other.execute("SELECT answer FROM answers WHERE message_id='77'").fetchall() == [("a",)]
    other.close()


async def test_corrections_keep_the_original_exchange(storage):
    await storage.record_answer("5", "what is 2+2?", "5", channel_id="c", user_id="u")
    answer = await storage.find_answer("5")
    await storage.add_correction("5", "trainer", answer.prompt, answer.answer, "4")
    [correction] = await storage.corrections()
    assert (correction.prompt, correction.answer, correction.correction) == ("what is 2+2?", "5", "4")


def test_concurrent_writers(storage):
    def write(n):
        for i in range(50):
            storage.add_feedback_sync(str(n), "x", f"{n}-{i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(storage.latest_feedback_sync(1000)) == 200


async def test_settings_and_jobs_round_trip(storage):
    await storage.set_setting("active_dataset.positive", "sets/a")
    assert await storage.get_setting("active_dataset.positive") == "sets/a"
    assert await storage.get_setting("missing", "default") == "default"
    await storage.save_job("j1", "running", {"id": "j1", "progress": 0.5})
    await storage.save_job("j1", "succeeded", {"id": "j1", "progress": 1.0})
    assert await storage.get_job("j1") == {"id": "j1", "progress": 1.0}
    assert [j["id"] for j in await storage.jobs(("succeeded",))] == ["j1"]
