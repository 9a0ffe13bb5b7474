"""Which database a bot uses (bot.storage.database, HYPOTEZ_DATABASE_URL) and how a bad one is
reported: one clear message at start-up naming the setting, never a traceback, never the password."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import ROOT, SHIPPED_SPEC

from hypotez.errors import ConfigError
from hypotez.registry import load_spec
from hypotez.services.storage import open_storage
from hypotez.testing.postgres import PASSWORD, free_port


def test_a_file_name_is_a_sqlite_file_in_the_data_folder(tmp_path):
    storage = open_storage({"database": "bot.sqlite3"}, tmp_path, env={})
    try:
        assert storage.path == tmp_path / "bot.sqlite3" and storage.backend.dialect.name == "sqlite"
    finally:
        storage.close()
    default = open_storage({}, tmp_path, env={})
    assert default.path == tmp_path / "hypotez.sqlite3"
    default.close()


def test_a_postgresql_url_in_the_spec_or_the_environment_chooses_postgresql(tmp_path, postgres_url):
    by_spec = open_storage({"database": postgres_url}, tmp_path, env={})
    by_spec.add_feedback_sync("1", "ann", "в PostgreSQL", tenant="10")
    by_spec.close()
    # The environment wins over the spec's file name.
    by_env = open_storage({"database": "bot.sqlite3"}, tmp_path, env={"HYPOTEZ_DATABASE_URL": postgres_url})
    try:
        assert by_env.path is None and by_env.backend.dialect.name == "postgresql"
        assert [f.text for f in by_env.latest_feedback_sync(tenant="10")] == ["в PostgreSQL"]
        assert "postgres@127.0.0.1" in by_env.describe() and PASSWORD not in by_env.describe()
    finally:
        by_env.close()
    assert not (tmp_path / "bot.sqlite3").exists()


def refusal(tmp_path, database: str, *, env: bool = False) -> str:
    settings, environment = ({}, {"HYPOTEZ_DATABASE_URL": database}) if env else ({"database": database}, {})
    with pytest.raises(ConfigError) as refused:
        open_storage(settings, tmp_path, env=environment)
    return refused.value.format_message()


def test_an_unreachable_server_is_one_message_naming_the_setting(tmp_path):
    message = refusal(tmp_path, f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/bot")
    assert message.startswith("bot.storage.database: cannot use the PostgreSQL database "
                              "postgresql://bot@127.0.0.1:")
    assert "Connection refused" in message or "connection refused" in message.lower()
    assert "s3cret" not in message and "check the host, port" in message


def test_a_wrong_password_names_the_environment_variable_it_came_from(tmp_path, postgres_server):
    message = refusal(tmp_path, postgres_server.url(password="wrong"), env=True)
    assert message.startswith("the environment variable HYPOTEZ_DATABASE_URL: cannot use the PostgreSQL database")
    assert 'password authentication failed for user "postgres"' in message
    assert "wrong" not in message


def test_a_database_that_does_not_exist_is_named(tmp_path, postgres_server):
    message = refusal(tmp_path, postgres_server.url("no_such_database"))
    assert 'database "no_such_database" does not exist' in message


def test_a_malformed_url_or_file_name_is_refused_with_what_to_write(tmp_path):
    assert refusal(tmp_path, "postgresql://bot:s3cret@localhost:notaport/bot").startswith(
        "bot.storage.database: the port 'notaport' in postgresql://bot@localhost:notaport/bot is not a number\n"
        "write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    message = refusal(tmp_path, "../elsewhere.sqlite3", env=True)
    assert "'../elsewhere.sqlite3' is neither a SQLite file name nor a PostgreSQL URL" in message
    assert "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in message


def test_the_spec_accepts_a_postgresql_url_and_still_refuses_a_path(tmp_path):
    text = SHIPPED_SPEC.read_text(encoding="utf-8")
    spec = tmp_path / "commands.yaml"
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    spec.write_text(text.replace("bot:\n", "bot:\n  storage:\n    database: postgresql://bot@db:5432/bot\n", 1))
    assert load_spec(spec).settings.storage["database"] == "postgresql://bot@db:5432/bot"
    spec.write_text(text.replace("bot:\n", "bot:\n  storage:\n    database: ../x.sqlite3\n", 1))
    with pytest.raises(Exception, match="storage"):
        load_spec(spec)


def test_the_console_with_an_unreachable_database_prints_one_message_and_no_traceback(tmp_path):
    env = {**os.environ, "HYPOTEZ_DATABASE_URL": f"postgresql://bot:s3cret@127.0.0.1:{free_port()}/bot",
           "HYPOTEZ_DATA": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "hypotez", "console", "--spec", str(SHIPPED_SPEC)], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr
    assert done.stderr.startswith("hypotez: the environment variable HYPOTEZ_DATABASE_URL: cannot use the "
                                  "PostgreSQL database postgresql://bot@127.0.0.1:"), done.stderr


async def test_the_shipped_bot_keeps_feedback_in_postgresql(hypotez_bot, postgres_url, monkeypatch):
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", postgres_url)
    async with hypotez_bot(spec=SHIPPED_SPEC, voice=False) as bot:
        saved = await bot.send("!feedback отзыв в общей базе")
        assert "💥" not in saved.content
        listed = await bot.send("!feedback")
        assert "отзыв в общей базе" in listed.content
        assert bot.app.services.storage.path is None
    other = open_storage({}, bot.data_folder().parent, env={"HYPOTEZ_DATABASE_URL": postgres_url})
    try:
        tenants = other.backend.all("SELECT tenant, text FROM feedback")
        assert [text for _, text in tenants] == ["отзыв в общей базе"] and tenants[0][0] != ""
    finally:
        other.close()
