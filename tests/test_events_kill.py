"""Crash safety of the bot's memory and its schedules: ``hypotez console`` in a subprocess is killed
with SIGKILL at random moments while members earn points and the clock moves on. Every counter value
it printed is in the database afterwards; every scheduled run is posted — none lost — and its state
written once. A run is posted twice only when the bot was killed between posting it and marking it
posted: then it is the last run before the kill and the first after the restart, carrying the same
nonce (on Discord the repeat is answered with the first message: see test_events_schedules). The
schedule of commands and kills comes from a seeded random generator. It runs on both state stores:
SQLite's file, and the bot's PostgreSQL database (a killed process's connections, and its schedule's
turn with them, go with it)."""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

SEED = 11
KILLED_RUNS = 5
SPEC = '''
bot:
  name: killbot
  language: en
commands:
  hi:
    description: Say hi
    text: hi
state:
  points: {scope: member, type: counter}
  runs: {scope: server, type: counter}
triggers:
  point:
    exact: point
    actions: [{increment: points}]
    text: "points={{ state.member.points }}"
schedules:
  tick:
    every: 60
    channel: general
    actions: [{increment: runs}]
    text: "run {{ run.timestamp() | int }} #{{ state.server.runs }}"
'''
POINTS = re.compile(r"^points=(\d+)$")
RUN = re.compile(r"^\[#general\] run (\d+) #(\d+)$")


def console(spec: Path, data: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hypotez", "console", "--spec", str(spec), "--data", str(data)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            encoding="utf-8", cwd=spec.parent)


def stored(data: Path, url: str | None) -> tuple[list[tuple], list[tuple]]:
    """The points stored, and the schedule's (next run, pending) rows, from the backend the bot used."""
    if url is not None:
        import psycopg

        with psycopg.connect(url) as database:
            return (database.execute("SELECT value FROM state_values WHERE key = 'points'").fetchall(),
                    database.execute("SELECT next_run, pending FROM schedule_runs").fetchall())
    database = sqlite3.connect(data / ".hypotez" / "state.sqlite3")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return (database.execute("SELECT value FROM state WHERE key = 'points'").fetchall(),
                database.execute("SELECT next_run, pending FROM schedule_runs").fetchall())
    finally:
        database.close()


def test_state_and_schedules_survive_kill_9(tmp_path, bot_database):
    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    data = tmp_path / "data"
    rng = random.Random(SEED)
    output: list[str] = []
    boundaries: list[int] = []  # where in the output each restart begins
    for _ in range(KILLED_RUNS):
        process = console(spec, data)
        seen: list[str] = []
        reader = threading.Thread(target=lambda: seen.extend(line.rstrip("\n") for line in process.stdout))
        reader.start()
        lines = [rng.choice(["point", ":clock +60", ":clock +150"]) for _ in range(rng.randint(5, 25))]
        process.stdin.write("".join(line + "\n" for line in lines))
        process.stdin.flush()
        # killed after a random number of replies (however long start-up takes), a moment after one
        wanted, deadline = rng.randint(1, len(lines)), time.monotonic() + 60
        while len(seen) < wanted and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.02))
        process.kill()
        process.wait(timeout=30)
        reader.join(timeout=30)
        output += seen
        boundaries.append(len(output))
    final = console(spec, data)
    out, _ = final.communicate(":clock +60\npoint\n", timeout=60)
    assert final.returncode == 0, out
    output += out.splitlines()

    points = [int(m[1]) for line in output if (m := POINTS.match(line))]
    runs = [(int(m[1]), int(m[2])) for line in output if (m := RUN.match(line))]
    assert len(points) >= 2 and len(runs) >= 3, output
    assert points == sorted(set(points)), "each printed value is a new one: no acknowledged increment lost"
    # A run repeated across a restart (the last before it, the first after it) is the one allowed repeat.
    per_process = [[(int(m[1]), int(m[2])) for line in output[a:b] if (m := RUN.match(line))]
                   for a, b in zip([0, *boundaries], [*boundaries, len(output)])]
    runs = []
    for process_runs in per_process:
        if runs and process_runs and process_runs[0] == runs[-1]:
            process_runs = process_runs[1:]
        runs += process_runs
    times = [t for t, _ in runs]
    assert len(times) == len(set(times)), f"a run was posted twice: {times}"
    assert all(b - a == 60 for a, b in zip(times, times[1:])), f"a run was lost: {times}"
    numbers = [n for _, n in runs]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "each run's actions ran once"

    [(stored_points,)], [(next_run, pending)] = stored(data, bot_database)
    assert int(stored_points) >= points[-1]
    assert pending is None and int(next_run) == times[-1] + 60, "the next run is the one after the last posted"
