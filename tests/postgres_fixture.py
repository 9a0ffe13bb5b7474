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
