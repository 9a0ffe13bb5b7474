"""Versioned schema migrations: a new database gets every migration, an existing SQLite file — from
before servers were separated, or from before versions were recorded — is upgraded in place with its
rows kept, a failed migration leaves nothing half-done, and a newer schema is refused."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from hypotez.errors import ConfigError
from hypotez.services.storage import Storage
from hypotez.services.storage_migrations import LATEST, MIGRATIONS, Migration, migrate, schema_version
from hypotez.services.storage_open import open_backend

# The schema of the first releases: no tenant column, no schema_version table.
BEFORE_TENANCY = """
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL, user_id TEXT NOT NULL,
    user_name TEXT NOT NULL, guild_id TEXT, channel_id TEXT, text TEXT NOT NULL);
CREATE TABLE answers (message_id TEXT PRIMARY KEY, created REAL NOT NULL, channel_id TEXT, user_id TEXT,
    prompt TEXT NOT NULL, answer TEXT NOT NULL);
CREATE TABLE corrections (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL, message_id TEXT NOT NULL,
    user_id TEXT NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL, correction TEXT NOT NULL);
CREATE TABLE jobs (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL, status TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO feedback (created, user_id, user_name, guild_id, channel_id, text) VALUES (1.5, '1', 'ann', '10', '20', 'старый отзыв');
INSERT INTO answers VALUES ('77', 2.5, '20', '1', 'вопрос', 'ответ');
INSERT INTO corrections (created, message_id, user_id, prompt, answer, correction) VALUES (3.5, '77', '1', 'вопрос', 'ответ', 'лучше');
INSERT INTO jobs VALUES ('job-1', 4.5, 4.5, 'done', '{"id": "job-1", "status": "done"}');
INSERT INTO settings VALUES ('active', '"faq"');
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "db.sqlite3"
    return request.getfixturevalue("postgres_url")


def versions(database) -> list[tuple[int, str]]:
    backend = open_backend(database)
    try:
        return [tuple(row) for row in backend.all("SELECT version, description FROM schema_version ORDER BY version")]
    finally:
        backend.close()


def test_a_new_database_gets_every_migration_once(database):
    Storage(database).close()
    assert versions(database) == [(m.version, m.description) for m in MIGRATIONS]
    backend = open_backend(database)
    try:
        assert migrate(backend) == []  # opening again applies nothing
        assert schema_version(backend) == LATEST
    finally:
        backend.close()


def test_a_sqlite_file_from_before_servers_were_separated_is_upgraded_in_place(tmp_path):
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(BEFORE_TENANCY)
    storage = Storage(path)
    try:
        assert [f.text for f in storage.latest_feedback_sync(tenant="")] == ["старый отзыв"]
        assert storage.find_answer_sync("77").answer == "ответ"
        assert [c.correction for c in storage.corrections_sync()] == ["лучше"]
        assert storage.jobs_sync() == [{"id": "job-1", "status": "done", "tenant": ""}]
        assert storage.get_setting_sync("active") == "faq"
        assert storage.legacy_servers_sync() == {"10"}
        new_id = storage.add_feedback_sync("2", "bob", "новый", tenant="10")
        assert new_id == 2
        indexes = {row[0] for row in storage._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"feedback_by_tenant", "corrections_by_tenant", "jobs_by_tenant", "answers_by_tenant"} <= indexes
    finally:
        storage.close()
    assert [v for v, _ in versions(path)] == [m.version for m in MIGRATIONS]


def test_a_sqlite_file_with_tenants_but_no_recorded_version_is_upgraded_in_place(tmp_path):
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(BEFORE_TENANCY)
        for table in ("feedback", "answers", "corrections", "jobs"):
            old.execute(f"ALTER TABLE {table} ADD COLUMN tenant TEXT NOT NULL DEFAULT ''")
        old.execute("UPDATE feedback SET tenant = '10'")
    storage = Storage(path)
    try:
        assert [f.text for f in storage.latest_feedback_sync(tenant="10")] == ["старый отзыв"]
        assert storage.latest_feedback_sync(tenant="") == []
    finally:
        storage.close()
    assert [v for v, _ in versions(path)] == [m.version for m in MIGRATIONS]


def test_a_failed_migration_leaves_the_database_at_the_previous_version(database):
    Storage(database).close()

    def half_done(tx) -> None:
        tx.run("CREATE TABLE half_done (x TEXT)")
        raise RuntimeError("the disk is full")

    broken = (*MIGRATIONS, Migration(LATEST + 1, "breaks half-way", {"sqlite": half_done, "postgresql": half_done}))
    backend = open_backend(database)
    try:
        with pytest.raises(RuntimeError, match="the disk is full"):
            migrate(backend, broken)
        assert schema_version(backend) == LATEST
        with backend.transaction() as tx:  # the table of the failed migration was rolled back too
            tx.run("CREATE TABLE half_done (x TEXT)")
    finally:
        backend.close()


def test_a_database_of_a_newer_hypotez_is_refused_with_a_clear_message(database):
    Storage(database).close()
    backend = open_backend(database)
    try:
        backend.run("INSERT INTO schema_version (version, applied, description) VALUES (?, 0, 'future')",
                    (LATEST + 5,))
    finally:
        backend.close()
    with pytest.raises(ConfigError) as refused:
        Storage(database)
    assert f"schema version {LATEST + 5}, newer than this hypotez knows ({LATEST})" in refused.value.format_message()
    assert "upgrade hypotez" in refused.value.format_message()


def test_processes_opening_a_new_postgresql_database_at_once_migrate_it_once(postgres_url):
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            Storage(postgres_url).close()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=open_and_close) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [v for v, _ in versions(postgres_url)] == [m.version for m in MIGRATIONS]
