"""Crash safety: the bot is killed with SIGKILL at random moments while it works; every write it has
acknowledged (a feedback, a correction, a training job) is in the database after the crash, nothing
is half-written, and the database opens cleanly.

The bot runs as a real subprocess (``hypotez console`` reading commands from a pipe, on the shipped
commands.yaml). A write is acknowledged when its reply has been printed. The schedule of commands and
kills comes from a seeded random generator.
"""

from __future__ import annotations

import json
import queue
import random
import re
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from support import FAQ, ROOT

SEED = 7
KILLED_RUNS = 4
JOB_STATUSES = {"validating", "queued", "running", "succeeded", "failed", "cancelled"}

TAG = re.compile(r"^\[#(\d+)( edited)?\] ")
# Lines a training job prints by itself, in the background, between the replies to commands.
BACKGROUND = re.compile(r"^(⏳ `job-|✅ Обучение `job-|❌ Обучение `job-)")


@dataclass
class Ledger:
    """What the test sent, and which of it the bot acknowledged."""

    feedback_sent: set[str] = field(default_factory=set)
    feedback_acked: set[str] = field(default_factory=set)
    feedback_refused: set[str] = field(default_factory=set)  # answered with the cooldown reply
    questions: set[str] = field(default_factory=set)
    answer_ids: set[str] = field(default_factory=set)
    corrections_sent: set[str] = field(default_factory=set)
    corrections_acked: set[tuple[str, str]] = field(default_factory=set)  # (message id, text)
    jobs_acked: set[str] = field(default_factory=set)
    surprises: list[str] = field(default_factory=list)


class ConsoleBot:
    """``hypotez console`` in a subprocess; replies are read line by line in a thread."""

    def __init__(self, data: Path, cwd: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hypotez", "console", "--spec", str(ROOT / "commands.yaml"), "--data", str(data)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=cwd, bufsize=1)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def write(self, line: str) -> bool:
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def reply(self, timeout: float = 30.0) -> str | None:
        """The first line of the next reply to a command; None once the process is gone."""
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                return None
            tagged = TAG.match(line)
            if tagged is None or tagged.group(2) or BACKGROUND.match(line[tagged.end():]):
                continue  # a continuation line, a console note, an edit or a training job's own report
            return line

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # SIGKILL

    def close_input(self) -> int:
        self.process.stdin.close()
        return self.process.wait(timeout=60)


def message_id(line: str) -> str:
    return TAG.match(line).group(1)


def drive(bot: ConsoleBot, rng: random.Random, ledger: Ledger, run: int, steps: int | None = None) -> bool:
    """Send a random stream of writes; stop when the bot is gone (or after ``steps``).
    Returns False when the bot died under us."""
    step = 0
    trained = False  # one training job per run is enough (each one makes the last run longer)
    while steps is None or step < steps:
        step += 1
        kind = rng.choices(["feedback", "correction", "train"], weights=[2, 6, 0 if trained else 1])[0]
        if kind == "feedback":
            text = f"отзыв r{run}s{step} {'ж' * rng.randint(1, 300)}"
            ledger.feedback_sent.add(text)
            if not bot.write(f"!feedback {text}") or (line := bot.reply()) is None:
                return False
            if "Спасибо за отзыв" in line:
                ledger.feedback_acked.add(text)
            elif "Не так быстро: `!feedback`" in line:
                ledger.feedback_refused.add(text)
            else:
                ledger.surprises.append(line)
        elif kind == "correction":
            question = f"zqx{run}w{step} qqv"
            ledger.questions.add(question)
            if not bot.write(question) or (line := bot.reply()) is None:
                return False
            answer_id = message_id(line)
            ledger.answer_ids.add(answer_id)
            text = f"исправление r{run}s{step} {'ю' * rng.randint(1, 500)}"
            ledger.corrections_sent.add(text)
            if not bot.write(f"!correct {answer_id} {text}") or (line := bot.reply()) is None:
                return False
            if "✅ Исправление №" in line:
                ledger.corrections_acked.add((answer_id, text))
            else:
                ledger.surprises.append(line)
        else:
            trained = True
            if not bot.write(f":attach {FAQ}") or not bot.write("!train") or (line := bot.reply()) is None:
                return False
            started = re.search(r"Обучение начато: задача `(job-\w+)`", line)
            if started:
                ledger.jobs_acked.add(started.group(1))
            elif "Не так быстро: `!train`" not in line:
                ledger.surprises.append(line)
    return True


def check_database(data: Path, ledger: Ledger) -> sqlite3.Connection:
    db = sqlite3.connect(data / ".hypotez" / "hypotez.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    feedback = [text for (text,) in db.execute("SELECT text FROM feedback")]
    assert ledger.feedback_acked <= set(feedback), "an acknowledged feedback was lost"
    assert len(feedback) == len(set(feedback)), "a feedback was stored twice"
    assert set(feedback) <= ledger.feedback_sent, "a stored feedback is not one that was sent (half-written?)"
    assert not set(feedback) & ledger.feedback_refused, "a feedback refused by the cooldown was stored"

    corrections = {(mid, text): (prompt, answer) for mid, text, prompt, answer in
                   db.execute("SELECT message_id, correction, prompt, answer FROM corrections")}
    assert ledger.corrections_acked <= set(corrections), "an acknowledged correction was lost"
    for (mid, text), (prompt, answer) in corrections.items():
        assert text in ledger.corrections_sent and prompt in ledger.questions and answer, (mid, text, prompt)

    answers = {mid for (mid,) in db.execute("SELECT message_id FROM answers")}
    assert ledger.answer_ids <= answers, "an answer the user saw cannot be corrected"

    jobs = {job_id: (status, json.loads(raw)) for job_id, status, raw in db.execute("SELECT id, status, data FROM jobs")}
    assert ledger.jobs_acked <= set(jobs), "an acknowledged training job was lost"
    for job_id, (status, job) in jobs.items():
        assert status in JOB_STATUSES and job["id"] == job_id and job["status"] == status
        job_data = data / ".hypotez" / "jobs" / f"{job_id}.jsonl"
        content = job_data.read_text(encoding="utf-8")
        assert content.endswith("\n") and all(json.loads(line)["prompt"] for line in content.splitlines())

    current = db.execute("SELECT value FROM settings WHERE key = 'model.current'").fetchone()
    if current is not None:
        folder = data / ".hypotez" / "models" / "local" / json.loads(current[0])
        assert (folder / "model.joblib").is_file() and (folder / "examples.jsonl").is_file()
    return db


def test_acknowledged_writes_survive_kill_9_at_random_moments(tmp_path):
    rng = random.Random(SEED)
    data = tmp_path / "data"
    ledger = Ledger()
    kills = 0
    for run in range(KILLED_RUNS):
        bot = ConsoleBot(data, tmp_path)
        try:
            assert bot.write(":ids on") and bot.write("!hi")
            ready = bot.reply(timeout=60)
            assert ready is not None and "Привет" in ready, "".join(bot.stderr)
            # Early kills hit start-up and the first writes; late ones also hit training jobs mid-way.
            timer = threading.Timer(rng.uniform(0.1, 1.0) if run % 2 == 0 else rng.uniform(2.0, 5.0), bot.kill)
            timer.start()
            assert not drive(bot, rng, ledger, run)  # it writes until the kill
            timer.join()
        finally:
            bot.kill()
            bot.process.wait(timeout=30)
        assert bot.process.returncode == -9
        kills += 1
        check_database(data, ledger).close()

    # A last run on the same folder: no kill. Interrupted jobs resume and finish.
    bot = ConsoleBot(data, tmp_path)
    assert bot.write(":ids on")
    assert drive(bot, rng, ledger, KILLED_RUNS, steps=6)
    bot.write(":wait")
    assert bot.close_input() == 0, "".join(bot.stderr)
    db = check_database(data, ledger)
    unfinished = db.execute("SELECT id, status FROM jobs WHERE status NOT IN ('succeeded', 'failed')").fetchall()
    assert unfinished == []
    assert db.execute("SELECT count(*) FROM jobs WHERE status = 'succeeded'").fetchone()[0] >= 1
    db.close()

    assert kills == KILLED_RUNS
    assert not ledger.surprises, ledger.surprises
    # The stream really wrote things of every kind, and some of them were cut off by a kill.
    assert ledger.feedback_acked and ledger.feedback_refused and ledger.corrections_acked and ledger.jobs_acked


def test_storage_commits_every_write_at_once_in_wal_with_full_sync(tmp_path):
    from hypotez.services.storage import Storage

    storage = Storage(tmp_path / "db.sqlite3")
    storage.add_feedback_sync("1", "ann", "кратко")
    storage.save_job_sync("job-1", "running", {"id": "job-1", "status": "running"})
    connection = storage._db
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL: the WAL is synced on commit
    assert not connection.in_transaction  # nothing waits for a later commit
    with sqlite3.connect(tmp_path / "db.sqlite3") as other:  # another process would see both at once
        assert other.execute("SELECT text FROM feedback").fetchall() == [("кратко",)]
        assert other.execute("SELECT status FROM jobs").fetchall() == [("running",)]
    storage.close()
