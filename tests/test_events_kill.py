"""Crash safety of the bot's memory and its schedules: ``hypotez console`` in a subprocess is killed
with SIGKILL at random moments while members earn points and the clock moves on. Every counter value
it printed is in the database afterwards; every scheduled run is posted once — none lost, none twice.
The schedule of commands and kills comes from a seeded random generator."""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
import sys
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


def test_state_and_schedules_survive_kill_9(tmp_path):
    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    data = tmp_path / "data"
    rng = random.Random(SEED)
    output: list[str] = []
    for _ in range(KILLED_RUNS):
        process = console(spec, data)
        lines = [rng.choice(["point", ":clock +60", ":clock +150"]) for _ in range(rng.randint(5, 25))]
        process.stdin.write("".join(line + "\n" for line in lines))
        process.stdin.flush()
        time.sleep(rng.uniform(1.0, 3.5))  # start-up takes about a second: some runs die before any reply
        process.kill()
        out, _ = process.communicate(timeout=30)
        output += out.splitlines()
    final = console(spec, data)
    out, _ = final.communicate(":clock +60\npoint\n", timeout=60)
    assert final.returncode == 0, out
    output += out.splitlines()

    points = [int(m[1]) for line in output if (m := POINTS.match(line))]
    runs = [(int(m[1]), int(m[2])) for line in output if (m := RUN.match(line))]
    assert len(points) >= 2 and len(runs) >= 3, output
    assert points == sorted(set(points)), "each printed value is a new one: no acknowledged increment lost"
    times = [t for t, _ in runs]
    assert len(times) == len(set(times)), f"a run was posted twice: {times}"
    assert all(b - a == 60 for a, b in zip(times, times[1:])), f"a run was lost: {times}"
    numbers = [n for _, n in runs]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "each run's actions ran once"

    database = sqlite3.connect(data / ".hypotez" / "state.sqlite3")
    try:
        [(stored_points,)] = database.execute("SELECT value FROM state WHERE key = 'points'").fetchall()
        [(next_run, pending)] = database.execute("SELECT next_run, pending FROM schedule_runs").fetchall()
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        database.close()
    assert int(stored_points) >= points[-1]
    assert pending is None and int(next_run) == times[-1] + 60, "the next run is the one after the last posted"
