"""A process writing to PostgreSQL is killed with SIGKILL while it writes: every write it acknowledged
(the call returned) is in the database afterwards, and the database serves the next process at once."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from hypotez.services.storage import Storage

WRITER = """
import sys
from hypotez.services.storage import Storage
storage = Storage(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    feedback = storage.add_feedback_sync("1", "ann", f"{sys.argv[2]}-{n}", tenant="10")
    storage.save_job_sync(f"{sys.argv[2]}-{n}", "running", {"id": f"{sys.argv[2]}-{n}"}, tenant="10")
    print(feedback, f"{sys.argv[2]}-{n}", flush=True)  # acknowledged: both calls returned
"""


def test_acknowledged_writes_survive_a_kill_of_the_writer(postgres_url):
    rng = random.Random(17)
    acknowledged: dict[int, str] = {}
    for run in range(3):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, postgres_url, f"run{run}"],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.2, 0.6))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        lines = [line.split() for line in out.split("\n")[:-1]]  # only whole lines: the last may be cut off
        acknowledged.update({int(number): text for number, text in lines})
        assert lines, "the writer acknowledged nothing before it was killed"
    storage = Storage(postgres_url)
    try:
        stored = {f.id: f.text for f in storage.latest_feedback_sync(1_000_000, tenant="10")}
        assert acknowledged.items() <= stored.items()
        jobs = {job["id"] for job in storage.jobs_sync(limit=1_000_000, tenant="10")}
        assert set(acknowledged.values()) <= jobs
        # The server dropped the killed sessions by itself: a new writer is served, numbered after them.
        assert storage.add_feedback_sync("2", "bob", "после", tenant="10") > max(stored)
    finally:
        storage.close()
