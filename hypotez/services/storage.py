"""SQLite storage (WAL) for feedback, corrections, the bot's sent answers, jobs and small settings.

Every write is committed before the method returns, so an acknowledged write survives a crash.
Calls are async and run the SQLite work in a worker thread, so the event loop never blocks on I/O.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    message_id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    channel_id TEXT,
    user_id TEXT,
    prompt TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    message_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    answer TEXT NOT NULL,
    correction TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    created: float
    user_id: str
    user_name: str
    text: str


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    message_id: str
    created: float
    channel_id: str | None
    user_id: str | None
    prompt: str
    answer: str


@dataclass(frozen=True, slots=True)
class Correction:
    id: int
    created: float
    message_id: str
    user_id: str
    prompt: str
    answer: str
    correction: str


class Storage:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        # guild id → its reply language (None: the spec's default); read once, kept in step on writes.
        self._languages: dict[str, str | None] = {}
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed transaction is on disk before commit returns, even in WAL mode.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _run(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def _all(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    async def _in_thread(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    # -- feedback ---------------------------------------------------------------------------

    def add_feedback_sync(self, user_id: str, user_name: str, text: str,
                          guild_id: str | None = None, channel_id: str | None = None) -> int:
        cur = self._run(
            "INSERT INTO feedback (created, user_id, user_name, guild_id, channel_id, text) VALUES (?,?,?,?,?,?)",
            (time.time(), user_id, user_name, guild_id, channel_id, text),
        )
        return int(cur.lastrowid)

    async def add_feedback(self, user_id: str, user_name: str, text: str,
                           guild_id: str | None = None, channel_id: str | None = None) -> int:
        return await self._in_thread(self.add_feedback_sync, user_id, user_name, text, guild_id, channel_id)

    def latest_feedback_sync(self, limit: int = 1) -> list[Feedback]:
        rows = self._all(
            "SELECT id, created, user_id, user_name, text FROM feedback ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [Feedback(*row) for row in rows]

    async def latest_feedback(self, limit: int = 1) -> list[Feedback]:
        return await self._in_thread(self.latest_feedback_sync, limit)

    # -- answers and corrections ------------------------------------------------------------

    def record_answer_sync(self, message_id: str, prompt: str, answer: str,
                           channel_id: str | None = None, user_id: str | None = None) -> None:
        self._run(
            "INSERT OR REPLACE INTO answers (message_id, created, channel_id, user_id, prompt, answer) "
            "VALUES (?,?,?,?,?,?)",
            (str(message_id), time.time(), channel_id, user_id, prompt, answer),
        )

    async def record_answer(self, message_id: str, prompt: str, answer: str,
                            channel_id: str | None = None, user_id: str | None = None) -> None:
        await self._in_thread(self.record_answer_sync, message_id, prompt, answer, channel_id, user_id)

    def find_answer_sync(self, message_id: str) -> StoredAnswer | None:
        rows = self._all(
            "SELECT message_id, created, channel_id, user_id, prompt, answer FROM answers WHERE message_id = ?",
            (str(message_id),),
        )
        return StoredAnswer(*rows[0]) if rows else None

    async def find_answer(self, message_id: str) -> StoredAnswer | None:
        return await self._in_thread(self.find_answer_sync, message_id)

    def last_console_answer_number_sync(self) -> int:
        """The highest short numeric answer id (the console numbers its messages; Discord ids are longer)."""
        rows = self._all("SELECT MAX(CAST(message_id AS INTEGER)) FROM answers "
                         "WHERE length(message_id) < 16 AND message_id NOT GLOB '*[^0-9]*'")
        return int(rows[0][0] or 0)

    async def last_console_answer_number(self) -> int:
        return await self._in_thread(self.last_console_answer_number_sync)

    def add_correction_sync(self, message_id: str, user_id: str, prompt: str, answer: str,
                            correction: str) -> int:
        cur = self._run(
            "INSERT INTO corrections (created, message_id, user_id, prompt, answer, correction) "
            "VALUES (?,?,?,?,?,?)",
            (time.time(), str(message_id), user_id, prompt, answer, correction),
        )
        return int(cur.lastrowid)

    async def add_correction(self, message_id: str, user_id: str, prompt: str, answer: str,
                             correction: str) -> int:
        return await self._in_thread(self.add_correction_sync, message_id, user_id, prompt, answer, correction)

    def corrections_sync(self) -> list[Correction]:
        rows = self._all(
            "SELECT id, created, message_id, user_id, prompt, answer, correction FROM corrections ORDER BY id"
        )
        return [Correction(*row) for row in rows]

    async def corrections(self) -> list[Correction]:
        return await self._in_thread(self.corrections_sync)

    # -- jobs (the Model service persists its training jobs here) ---------------------------

    def save_job_sync(self, job_id: str, status: str, data: dict[str, Any]) -> None:
        now = time.time()
        self._run(
            "INSERT INTO jobs (id, created, updated, status, data) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET updated=excluded.updated, status=excluded.status, data=excluded.data",
            (job_id, now, now, status, json.dumps(data, ensure_ascii=False)),
        )

    async def save_job(self, job_id: str, status: str, data: dict[str, Any]) -> None:
        await self._in_thread(self.save_job_sync, job_id, status, data)

    def get_job_sync(self, job_id: str) -> dict[str, Any] | None:
        rows = self._all("SELECT data FROM jobs WHERE id = ?", (job_id,))
        return json.loads(rows[0][0]) if rows else None

    async def get_job(self, job_id: str) -> dict[str, Any] | None:
        return await self._in_thread(self.get_job_sync, job_id)

    def jobs_sync(self, statuses: tuple[str, ...] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        if statuses:
            marks = ",".join("?" * len(statuses))
            rows = self._all(
                f"SELECT data FROM jobs WHERE status IN ({marks}) ORDER BY created DESC LIMIT ?",
                (*statuses, limit),
            )
        else:
            rows = self._all("SELECT data FROM jobs ORDER BY created DESC LIMIT ?", (limit,))
        return [json.loads(r[0]) for r in rows]

    async def jobs(self, statuses: tuple[str, ...] | None = None, limit: int = 100) -> list[dict[str, Any]]:
        return await self._in_thread(self.jobs_sync, statuses, limit)

    # -- small settings (active dataset, per-server language, ...) --------------------------

    def get_setting_sync(self, key: str, default: Any = None) -> Any:
        rows = self._all("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    async def get_setting(self, key: str, default: Any = None) -> Any:
        return await self._in_thread(self.get_setting_sync, key, default)

    def set_setting_sync(self, key: str, value: Any) -> None:
        self._run(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )

    async def set_setting(self, key: str, value: Any) -> None:
        await self._in_thread(self.set_setting_sync, key, value)

    # -- per-server reply language (`!language`) ---------------------------------------------

    @staticmethod
    def _language_key(guild_id: str) -> str:
        return f"language:{guild_id}"

    def cached_guild_language(self, guild_id: str | None) -> str | None:
        """The server's language if it has been read before; never touches the database."""
        return self._languages.get(guild_id) if guild_id is not None else None

    def knows_guild_language(self, guild_id: str | None) -> bool:
        """Whether :meth:`cached_guild_language` is the answer :meth:`guild_language` would give."""
        return guild_id is None or guild_id in self._languages

    def guild_language_sync(self, guild_id: str) -> str | None:
        if guild_id not in self._languages:
            self._languages[guild_id] = self.get_setting_sync(self._language_key(guild_id))
        return self._languages[guild_id]

    async def guild_language(self, guild_id: str | None) -> str | None:
        if guild_id is None:
            return None
        if guild_id in self._languages:  # the common case: no thread hop per message
            return self._languages[guild_id]
        return await self._in_thread(self.guild_language_sync, guild_id)

    def set_guild_language_sync(self, guild_id: str, language: str | None) -> None:
        if language is None:
            self._run("DELETE FROM settings WHERE key = ?", (self._language_key(guild_id),))
        else:
            self.set_setting_sync(self._language_key(guild_id), language)
        self._languages[guild_id] = language

    async def set_guild_language(self, guild_id: str, language: str | None) -> None:
        """Store the server's language (None: back to the spec's default); committed before returning."""
        await self._in_thread(self.set_guild_language_sync, guild_id, language)
