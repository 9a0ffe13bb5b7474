"""The storage API behaves the same on SQLite and on a real PostgreSQL server: every test here runs
against both backends (the ``store`` fixture is parametrized)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from hypotez.services.storage import Storage


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Where a test's database lives: a SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return tmp_path / "db.sqlite3"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(database):
    storage = Storage(database)
    yield storage
    storage.close()


def test_feedback_is_numbered_in_order_and_kept_per_tenant(store):
    first = store.add_feedback_sync("1", "ann", "привет", "10", "20", tenant="10")
    second = store.add_feedback_sync("2", "bob", "второй", "10", "20", tenant="10")
    store.add_feedback_sync("3", "eve", "чужой", "11", "21", tenant="11")
    assert second == first + 1
    latest = store.latest_feedback_sync(5, tenant="10")
    assert [(f.id, f.user_name, f.text) for f in latest] == [(second, "bob", "второй"), (first, "ann", "привет")]
    assert [f.text for f in store.latest_feedback_sync(5, tenant="11")] == ["чужой"]
    assert store.latest_feedback_sync(5, tenant="") == []
    assert isinstance(latest[0].created, float)


def test_time_stamps_keep_their_fraction_of_a_second(store):
    before = time.time()
    store.add_feedback_sync("1", "ann", "x")
    after = time.time()
    # A 4-byte float (PostgreSQL's REAL) would round today's time stamps by about a minute.
    assert before <= store.latest_feedback_sync()[0].created <= after


def test_an_answer_is_replaced_by_a_later_one_with_the_same_message_id(store):
    store.record_answer_sync("77", "вопрос", "ответ", "20", "1", tenant="10")
    store.record_answer_sync("77", "вопрос", "новый ответ", "20", "1", tenant="10")
    found = store.find_answer_sync("77", tenant="10")
    assert (found.prompt, found.answer, found.channel_id, found.user_id) == ("вопрос", "новый ответ", "20", "1")
    assert store.find_answer_sync("77", tenant="11") is None
    assert store.find_answer_sync("78", tenant="10") is None


def test_the_console_numbering_ignores_discord_ids_and_other_text(store):
    assert store.last_console_answer_number_sync() == 0
    for message_id in ("3", "12", "1234567890123456789", "12a", "", "x9"):
        store.record_answer_sync(message_id, "q", "a")
    assert store.last_console_answer_number_sync() == 12


def test_corrections_are_listed_in_order_per_tenant(store):
    store.add_correction_sync("77", "1", "q", "a", "лучше", tenant="10")
    store.add_correction_sync("78", "1", "q2", "a2", "ещё лучше", tenant="10")
    store.add_correction_sync("79", "1", "q3", "a3", "чужое", tenant="11")
    assert [c.correction for c in store.corrections_sync(tenant="10")] == ["лучше", "ещё лучше"]
    assert [c.message_id for c in store.corrections_sync(tenant="11")] == ["79"]


def test_jobs_are_updated_in_place_and_filtered_by_status_and_tenant(store):
    store.save_job_sync("a", "queued", {"id": "a", "status": "queued", "name": "модель"}, tenant="10")
    store.save_job_sync("b", "running", {"id": "b", "status": "running"}, tenant="11")
    store.save_job_sync("a", "done", {"id": "a", "status": "done", "name": "модель"}, tenant="10")
    assert store.get_job_sync("a") == {"id": "a", "status": "done", "name": "модель"}
    assert store.get_job_sync("a", tenant="11") is None
    assert store.get_job_sync("missing") is None
    assert [j["id"] for j in store.jobs_sync(("running", "queued"))] == ["b"]
    assert [(j["id"], j["tenant"]) for j in store.jobs_sync(tenant="10")] == [("a", "10")]
    assert {j["id"] for j in store.jobs_sync()} == {"a", "b"}


def test_settings_hold_json_values_per_tenant(store):
    assert store.get_setting_sync("active", "none") == "none"
    store.set_setting_sync("active", {"name": "faq", "rows": [1, 2]}, tenant="10")
    store.set_setting_sync("active", "другой", tenant="11")
    store.set_setting_sync("active", "новый", tenant="11")
    assert store.get_setting_sync("active", tenant="10") == {"name": "faq", "rows": [1, 2]}
    assert store.get_setting_sync("active", tenant="11") == "новый"
    assert store.get_setting_sync("active") is None


def test_a_server_language_is_kept_read_back_and_reset(store, database):
    store.set_guild_language_sync("10", "en")
    assert store.cached_guild_language("10") == "en"
    reopened = Storage(database)
    try:
        assert not reopened.knows_guild_language("10")
        assert reopened.guild_language_sync("10") == "en"
        reopened.set_guild_language_sync("10", None)
    finally:
        reopened.close()
    third = Storage(database)
    assert third.guild_language_sync("10") is None
    third.close()


def test_legacy_rows_are_found_and_adopted_by_one_server_all_at_once(store):
    store.add_feedback_sync("1", "ann", "старый", "10", "20")
    store.record_answer_sync("77", "q", "a")
    store.set_setting_sync("active", "старый набор")
    store.set_setting_sync("active", "набор сервера", tenant="10")
    store.set_setting_sync("slash_hash", "abc")
    store.set_guild_language_sync("12", "en")
    assert store.has_legacy_rows_sync()
    assert store.legacy_servers_sync() == {"10", "12"}
    store.adopt_legacy_sync("10")
    assert not store.has_legacy_rows_sync()
    assert [f.text for f in store.latest_feedback_sync(tenant="10")] == ["старый"]
    assert store.find_answer_sync("77", tenant="10") is not None
    assert store.get_setting_sync("active", tenant="10") == "старый набор"  # the legacy value wins, as before
    assert store.get_setting_sync("slash_hash") == "abc"  # the bot's own settings stay the bot's
    with pytest.raises(ValueError):
        store.adopt_legacy_sync("")


def test_acknowledged_writes_are_seen_by_another_connection_at_once(store, database):
    store.add_feedback_sync("1", "ann", "видно сразу", tenant="10")
    store.save_job_sync("j", "running", {"id": "j"}, tenant="10")
    other = Storage(database)
    try:
        assert [f.text for f in other.latest_feedback_sync(tenant="10")] == ["видно сразу"]
        assert other.get_job_sync("j", tenant="10") == {"id": "j"}
    finally:
        other.close()


def test_writes_from_many_threads_at_once_all_land_with_distinct_ids(store):
    ids: list[int] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        for k in range(10):
            new = store.add_feedback_sync(str(n), f"user{n}", f"{n}-{k}", tenant="10")
            with lock:
                ids.append(new)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 80
    assert len(store.latest_feedback_sync(100, tenant="10")) == 80


async def test_the_async_api_runs_the_same_calls_concurrently(store):
    await asyncio.gather(*(store.add_feedback(str(n), "ann", f"отзыв {n}", tenant="10") for n in range(20)))
    await store.record_answer("5", "q", "a", tenant="10")
    await store.set_setting("k", [1], tenant="10")
    assert len(await store.latest_feedback(50, tenant="10")) == 20
    assert (await store.find_answer("5", tenant="10")).answer == "a"
    assert await store.get_setting("k", tenant="10") == [1]
    assert await store.last_console_answer_number() == 5
    await store.set_guild_language("10", "ru")
    assert await store.guild_language("10") == "ru"


def test_model_versions_are_kept_once_per_tenant_and_backend(store):
    store.models.save_sync("local", "v1", b"\x00first", tenant="10")
    store.models.save_sync("local", "v1", b"changed", tenant="10")  # a trained version never changes
    store.models.save_sync("local", "v2", b"second", tenant="10")
    store.models.save_sync("openai", "v1", b"other backend", tenant="10")
    store.models.save_sync("local", "v1", b"other server", tenant="11")
    assert store.models.archive_sync("local", "v1", tenant="10") == b"\x00first"
    assert store.models.versions_sync("local", tenant="10") == ["v1", "v2"]
    assert store.models.has_sync("openai", "v1", tenant="10") and not store.models.has_sync("openai", "v2", tenant="10")
    assert store.models.archive_sync("local", "v2", tenant="11") is None


def test_legacy_model_versions_move_to_the_server_unless_it_has_that_version(store):
    store.models.save_sync("local", "v1", b"legacy v1", tenant="")
    store.models.save_sync("local", "v2", b"legacy v2", tenant="")
    store.models.save_sync("local", "v1", b"own v1", tenant="10")
    store.adopt_legacy_sync("10")
    assert store.models.archive_sync("local", "v1", tenant="10") == b"own v1"
    assert store.models.archive_sync("local", "v2", tenant="10") == b"legacy v2"
