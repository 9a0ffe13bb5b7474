"""Fixtures of a real PostgreSQL server (hypotez.testing.postgres), for the tests that run against both
storage backends. One server per test session, a new database per test.

Without PostgreSQL binaries the tests that need them are skipped, saying why; in CI (CI=true) that is a
failure instead, so a missing install step cannot hide behind skips.
"""

from __future__ import annotations

import os

import pytest

from hypotez.testing.postgres import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres_server():
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {why}")
        pytest.skip(f"PostgreSQL is not available: {why}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """The URL of a new, empty database on the session's server, dropped after the test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def bot_database(request, monkeypatch):
    """Each backend in turn for the bots a test builds (and the processes it starts, which inherit the
    environment): "sqlite", the default, or a new PostgreSQL database through HYPOTEZ_DATABASE_URL. The
    value is None for SQLite, else the URL."""
    if request.param == "sqlite":
        monkeypatch.delenv("HYPOTEZ_DATABASE_URL", raising=False)
        return None
    url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("HYPOTEZ_DATABASE_URL", url)
    return url
