"""`hypotez storage migrate --to postgresql://…` copies a bot's SQLite database into an empty database on
a real PostgreSQL server: every table, every tenant, ids kept; a second copy, or one into a database
that holds rows, is refused; a row PostgreSQL refuses leaves the target empty."""

from __future__ import annotations

import sqlite3

import pytest
from support import SHIPPED_SPEC

from hypotez.cli import main
from hypotez.services.storage import Storage
from hypotez.services.storage_copy import COPIED_TABLES, row_counts

TABLE_ORDER = {"feedback": "id", "answers": "message_id", "corrections": "id", "jobs": "id", "settings": "key",
               "models": "tenant, backend, version"}


def filled(path) -> Storage:
    storage = Storage(path)
    for tenant in ("", "10", "11"):
        for n in range(3):
            storage.add_feedback_sync(str(n), f"user{n}", f"отзыв {tenant}-{n}", tenant or None, "20", tenant=tenant)
        storage.record_answer_sync(f"{tenant}77", "вопрос", f"ответ {tenant}", "20", "1", tenant=tenant)
        storage.add_correction_sync(f"{tenant}77", "1", "вопрос", "ответ", f"лучше {tenant}", tenant=tenant)
        storage.save_job_sync(f"job-{tenant}", "done", {"id": f"job-{tenant}", "status": "done"}, tenant=tenant)
        storage.set_setting_sync("active", {"dataset": f"faq-{tenant}"}, tenant=tenant)
        storage.models.save_sync("local", "v1", bytes(range(256)) * 40 + tenant.encode(), tenant=tenant)
    storage.set_guild_language_sync("10", "en")
    return storage


def contents(storage: Storage) -> dict[str, list[tuple]]:
    return {table: [tuple(row) for row in storage.backend.all(f"SELECT * FROM {table} ORDER BY {order}")]
            for table, order in TABLE_ORDER.items()}


def test_every_table_of_a_sqlite_database_is_copied(tmp_path):
    storage = Storage(tmp_path / "db.sqlite3")
    try:
        tables = {row[0] for row in storage.backend.all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        storage.close()
    assert tables - {"schema_version", "sqlite_sequence"} == set(COPIED_TABLES)


def test_the_copy_holds_every_row_of_every_tenant_and_numbers_new_rows_after_them(tmp_path, postgres_url, capsys):
    source = filled(tmp_path / "db.sqlite3")
    expected = contents(source)
    source.close()
    assert main(["storage", "migrate", "--to", postgres_url, "--from", str(tmp_path / "db.sqlite3")]) == 0
    out = capsys.readouterr().out
    assert "feedback 9, answers 3, corrections 3, jobs 3, settings 4, models 3 rows" in out
    assert "hypotez-test" not in out  # the password is not printed

    target = Storage(postgres_url)
    try:
        assert contents(target) == expected
        assert [f.text for f in target.latest_feedback_sync(3, tenant="11")] == ["отзыв 11-2", "отзыв 11-1", "отзыв 11-0"]
        assert target.guild_language_sync("10") == "en"
        assert target.models.archive_sync("local", "v1", tenant="11") == bytes(range(256)) * 40 + b"11"
        assert target.add_feedback_sync("5", "new", "после копии", tenant="10") == 10
        assert target.add_correction_sync("1", "1", "q", "a", "c", tenant="10") == 4
    finally:
        target.close()


def test_a_second_copy_is_refused_and_changes_nothing(tmp_path, postgres_url, capsys):
    filled(tmp_path / "db.sqlite3").close()
    argv = ["storage", "migrate", "--to", postgres_url, "--from", str(tmp_path / "db.sqlite3")]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("hypotez: the PostgreSQL database postgresql://postgres@127.0.0.1:")
    assert "is not empty (feedback 9, answers 3, corrections 3, jobs 3, settings 4, models 3 rows) — it looks " \
           "like this copy was made already" in err
    assert "copies into an empty database only" in err and "Traceback" not in err
    target = Storage(postgres_url)
    assert row_counts(target)["feedback"] == 9
    target.close()


def test_a_database_holding_other_rows_is_refused(tmp_path, postgres_url, capsys):
    filled(tmp_path / "db.sqlite3").close()
    other = Storage(postgres_url)
    other.add_feedback_sync("1", "someone", "чужая база")
    other.close()
    assert main(["storage", "migrate", "--to", postgres_url, "--from", str(tmp_path / "db.sqlite3")]) == 1
    err = capsys.readouterr().err
    assert "is not empty (feedback 1 rows)" in err and "made already" not in err


def test_a_row_postgresql_refuses_leaves_the_target_empty(tmp_path, postgres_url, capsys):
    filled(tmp_path / "db.sqlite3").close()
    with sqlite3.connect(tmp_path / "db.sqlite3") as raw:  # SQLite keeps text in a REAL column
        raw.execute("UPDATE jobs SET created = 'вчера' WHERE id = 'job-10'")
    assert main(["storage", "migrate", "--to", postgres_url, "--from", str(tmp_path / "db.sqlite3")]) == 1
    err = capsys.readouterr().err
    assert "a row of jobs cannot be stored in the PostgreSQL database" in err
    assert "nothing was copied" in err and "Traceback" not in err
    target = Storage(postgres_url)
    assert set(row_counts(target).values()) == {0}
    target.close()


def test_the_source_is_the_database_of_the_spec_and_data_folder(tmp_path, postgres_url, capsys, monkeypatch):
    filled(tmp_path / "data" / ".hypotez" / "hypotez.sqlite3").close()
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    assert main(["storage", "migrate", "--spec", str(SHIPPED_SPEC), "--data", str(tmp_path / "data")]) == 0
    assert "feedback 9" in capsys.readouterr().out


@pytest.mark.parametrize("argv, said", [
    (["--to", "mysql://x/y"], "--to: 'mysql://x/y' is not a PostgreSQL URL"),
    ([], "needs the PostgreSQL database to copy to"),
])
def test_a_missing_or_wrong_target_is_named(argv, said, capsys, monkeypatch):
    monkeypatch.delenv("HYPOTEZ_DATABASE_URL", raising=False)
    assert main(["storage", "migrate", *argv]) == 1
    assert said in capsys.readouterr().err


def test_a_missing_source_is_named_and_not_created(tmp_path, postgres_url, capsys):
    missing = tmp_path / "none.sqlite3"
    assert main(["storage", "migrate", "--to", postgres_url, "--from", str(missing)]) == 1
    assert f"there is no SQLite database at {missing}: nothing to copy" in capsys.readouterr().err
    assert not missing.exists()


CRON_SPEC = '''
bot:
  name: cronbot
  language: en
commands:
  hi:
    description: Hi
    text: hi
state:
  posts: {scope: server, type: counter}
  word: {scope: channel}
triggers:
  remember:
    starts_with: "remember "
    actions: [{set: {key: word, value: "{{ match.rest }}"}}]
    text: "remembered {{ state.channel.word }}"
  recall:
    exact: recall
    text: "#{{ state.server.posts }}, {{ state.channel.word }}"
schedules:
  hourly:
    every: 3600
    channel: general
    actions: [{increment: posts}]
    text: "hourly #{{ state.server.posts }}"
'''
START = 1_796_000_000.0


async def test_the_state_file_is_copied_with_it_and_the_bot_goes_on_from_there(hypotez_bot, tmp_path, postgres_url,
                                                                                 capsys, monkeypatch):
    monkeypatch.delenv("HYPOTEZ_DATABASE_URL", raising=False)
    async with hypotez_bot(spec=CRON_SPEC, model=False, voice=False, data_dir=tmp_path / "sqlite") as bot:
        bot.clock.now = START
        await bot.advance(0)
        assert [m.text for m in await bot.advance(2 * 3600)] == ["hourly #1", "hourly #2"]
        await bot.send("remember чай")
    database = tmp_path / "sqlite" / ".hypotez" / "hypotez.sqlite3"
    assert main(["storage", "migrate", "--to", postgres_url, "--from", str(database)]) == 0
    out = capsys.readouterr().out
    assert "state.sqlite3 (state: and schedules' runs) with it: state_values 2, state_applied 2, " \
           "schedule_runs 1 rows" in out, out

    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)  # a new process, data folder empty: all in the database
    async with hypotez_bot(spec=CRON_SPEC, model=False, voice=False, data_dir=tmp_path / "postgresql") as bot:
        bot.clock.now = START + 2 * 3600 + 10
        assert await bot.advance(0) == [], "the runs posted before the copy are not posted again"
        assert (await bot.send("recall")).content == "#2, чай"
        assert [m.text for m in await bot.advance(3600)] == ["hourly #3"]

    assert main(["storage", "migrate", "--to", postgres_url, "--from", str(database)]) == 1
    assert "state_values 2" in capsys.readouterr().err, "a second copy is refused, the state's rows named"
