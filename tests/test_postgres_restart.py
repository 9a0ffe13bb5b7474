"""A restart of the PostgreSQL server costs no call: the storage's pool checks each connection as it
hands it out (procrastinate's pool, the training queue's, does so itself), so the connections the
restart ended are replaced instead of failing the first call made on each. The server is this test's
own (the session's is shared by the other tests)."""

from __future__ import annotations

import statistics
import time

import pytest
from psycopg_pool import ConnectionPool

from hypotez.services.job_queue import QUEUE, TASK, ensure_queue_schema, open_queue, queue_depth
from hypotez.services.storage import Storage
from hypotez.testing.postgres import PostgresServer, PostgresUnavailable


@pytest.fixture
def own_server():
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as why:
        pytest.skip(f"PostgreSQL is not available: {why}")
    yield server
    server.stop()


def test_storage_calls_survive_a_restart_of_the_server(own_server):
    url = own_server.create_database()
    storage = Storage(url)
    try:
        # Fill the pool with several idle connections: each is ended by the restart.
        storage.save_job_sync("job-1", "running", {"id": "job-1"}, tenant="1")
        with storage.backend._pool.connection(), storage.backend._pool.connection():
            pass
        own_server.restart()
        for _ in range(5):  # every stale connection would fail one call without the check
            assert storage.get_job_sync("job-1", tenant="1") == {"id": "job-1"}
        storage.save_job_sync("job-1", "succeeded", {"id": "job-1", "status": "succeeded"}, tenant="1")
        assert storage.jobs_sync(("succeeded",), tenant="1")[0]["status"] == "succeeded"
    finally:
        storage.close()


async def test_the_queue_defers_after_a_restart_of_the_server(own_server):
    url = own_server.create_database()
    ensure_queue_schema(url)
    queue = open_queue(url)
    async with queue.open_async():
        await queue.configure_task(TASK, queue=QUEUE).defer_async(job_id="job-1", tenant="", lines=[])
        own_server.restart()
        await queue.configure_task(TASK, queue=QUEUE).defer_async(job_id="job-2", tenant="", lines=[])
    assert queue_depth(url) == {"todo": 2}


def test_what_the_check_costs_per_call(postgres_url, capsys):
    """The check is one more round trip per call: measured against the same pool without it."""
    def per_call(check) -> float:
        with ConnectionPool(postgres_url, min_size=1, max_size=1, check=check, kwargs={"autocommit": True}) as pool:
            times = []
            for _ in range(400):
                started = time.perf_counter()
                with pool.connection() as connection:
                    connection.execute("SELECT 1").fetchone()
                times.append(time.perf_counter() - started)
        return statistics.median(times[50:]) * 1000

    plain, checked = per_call(None), per_call(ConnectionPool.check_connection)
    with capsys.disabled():
        print(f"\nstorage call (SELECT 1): {plain:.3f} ms unchecked, {checked:.3f} ms checked "
              f"(+{checked - plain:.3f} ms per call)")
    assert checked - plain < 2.0  # one local round trip, not a reconnection
