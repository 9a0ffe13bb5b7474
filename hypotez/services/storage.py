"""The storage of feedback, corrections, the bot's sent answers, jobs and small settings: one API over
a backend — SQLite (the embedded default, :mod:`storage_sqlite`) or PostgreSQL (:mod:`storage_postgres`),
chosen by ``bot.storage.database`` (:mod:`storage_open`). Queries are written once, with ``?``
placeholders, in SQL both accept; :mod:`storage_dialect` holds what differs, and
:mod:`storage_migrations` brings either schema up to date when the storage opens.

Every write is committed before the method returns, so an acknowledged write survives a crash.
Calls are async and run the database work in a worker thread, so the event loop never blocks on I/O.

Rows belong to a tenant (a server, a direct-message user, or ``""``: the one tenant of a shared bot and
where rows written before servers were separated live). Every read and write names its tenant; no
query crosses tenants (see :mod:`hypotez.tenancy`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hypotez.services.storage_migrations import TENANT_TABLES, migrate
from hypotez.services.storage_models import ModelArchives
from hypotez.services.storage_open import backend_for, open_backend
from hypotez.services.storage_records import GLOBAL_SETTINGS, Correction, Feedback, StoredAnswer, setting_key

JOB_KEY = "job:"  # announced keys of saved jobs (the other keys are settings')

__all__ = ["Correction", "Feedback", "Storage", "StoredAnswer", "open_storage", "setting_key"]


def open_storage(storage_settings: Mapping[str, Any], internal: Path,
                 env: Mapping[str, str] | None = None) -> "Storage":
    """The storage the settings (``bot.storage``, or ``HYPOTEZ_DATABASE_URL``) name; files in ``internal``."""
    return Storage(backend_for(storage_settings, internal, env))


class Storage:
    def __init__(self, target: Any):
        """``target``: a backend, a PostgreSQL URL, or the path of a SQLite file."""
        self.backend = target if hasattr(target, "transaction") else open_backend(target)
        # guild id → its reply language (None: the spec's default); read once, kept in step on writes
        # (this process's own, and other processes' through the change announcements).
        self._languages: dict[str, str | None] = {}
        # Changes announced by other processes (storage_notify): heard once something is cached.
        self._origin = uuid.uuid4().hex
        self._watchers: list[Callable[[str | None, str | None], None]] = []
        self._job_watchers: list[Callable[[str | None], None]] = []
        self._listener: Any = None
        self._listening = False
        self._listen_lock = threading.Lock()
        self._generation = 0  # counts the changes heard, so a read racing one is not cached
        try:
            migrate(self.backend)
        except BaseException:
            self.backend.close()
            raise
        self.models = ModelArchives(self.backend)

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return self.backend.path

    @property
    def _db(self):
        """The SQLite connection (the tests look at its pragmas)."""
        return self.backend.connection

    def describe(self) -> str:
        return self.backend.describe()

    def close(self) -> None:
        with self._listen_lock:
            self._listening = True  # closed: never start listening again
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
        self.backend.close()

    # -- changes made by other processes ----------------------------------------------------

    def watch(self, callback: Callable[[str | None, str | None], None]) -> None:
        """Call ``callback(tenant, key)`` (in a background thread) when another process changes one of
        ``tenant``'s settings; ``(None, None)``: any setting may have changed. Never called on SQLite."""
        self._watchers.append(callback)
        self._listen()

    def watch_jobs(self, callback: Callable[[str | None], None]) -> None:
        """Call ``callback(job_id)`` (in a background thread) when another process saves a job; ``None``:
        any job may have changed (announcements were missed). Never called on SQLite."""
        self._job_watchers.append(callback)
        self._listen()

    def _listen(self) -> None:
        with self._listen_lock:
            if not self._listening:
                self._listening = True
                self._listener = self.backend.listen(self._origin, self._heard)

    def _heard(self, stored_key: str | None) -> None:
        if stored_key is None or stored_key.startswith(JOB_KEY):
            for job_callback in list(self._job_watchers):
                job_callback(None if stored_key is None else stored_key[len(JOB_KEY):])
            if stored_key is not None:
                return
        self._generation += 1
        if stored_key is None:
            self._languages.clear()
            tenant, key = None, None
        else:
            if stored_key.startswith("language:"):
                self._languages.pop(stored_key.partition(":")[2], None)
            tenant, sep, key = stored_key.partition("/")
            if not sep:
                tenant, key = "", stored_key
        for callback in list(self._watchers):
            callback(tenant, key)

    def _write_setting(self, stored_key: str, value: str | None) -> None:
        """Set (None: delete) a setting and announce it to the other processes, in one transaction."""
        with self.backend.transaction() as tx:
            if value is None:
                tx.run("DELETE FROM settings WHERE key = ?", (stored_key,))
            else:
                tx.run("INSERT INTO settings (key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (stored_key, value))
            self.backend.announce(tx, self._origin, stored_key)

    # -- plumbing ---------------------------------------------------------------------------

    def _run(self, sql: str, params: tuple = ()) -> None:
        self.backend.run(sql, params)

    def _all(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.backend.all(sql, params)

    def _insert(self, sql: str, params: tuple) -> int:
        """Run an INSERT and return the new row's id (RETURNING: SQLite 3.35+ and PostgreSQL). All rows are
        fetched: SQLite commits the statement only once it has been stepped to its end."""
        return int(self.backend.all(f"{sql} RETURNING id", params)[0][0])

    async def _in_thread(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    # -- feedback ---------------------------------------------------------------------------

    def add_feedback_sync(self, user_id: str, user_name: str, text: str,
                          guild_id: str | None = None, channel_id: str | None = None, *, tenant: str = "") -> int:
        return self._insert(
            "INSERT INTO feedback (created, user_id, user_name, guild_id, channel_id, text, tenant) "
            "VALUES (?,?,?,?,?,?,?)",
            (time.time(), user_id, user_name, guild_id, channel_id, text, tenant),
        )

    async def add_feedback(self, user_id: str, user_name: str, text: str,
                           guild_id: str | None = None, channel_id: str | None = None, *, tenant: str = "") -> int:
        return await self._in_thread(functools.partial(self.add_feedback_sync, user_id, user_name, text, guild_id,
                                                       channel_id, tenant=tenant))

    def latest_feedback_sync(self, limit: int = 1, *, tenant: str = "") -> list[Feedback]:
        rows = self._all(
            "SELECT id, created, user_id, user_name, text FROM feedback WHERE tenant = ? ORDER BY id DESC LIMIT ?",
            (tenant, limit),
        )
        return [Feedback(*row) for row in rows]

    async def latest_feedback(self, limit: int = 1, *, tenant: str = "") -> list[Feedback]:
        return await self._in_thread(functools.partial(self.latest_feedback_sync, limit, tenant=tenant))

    # -- answers and corrections ------------------------------------------------------------

    def record_answer_sync(self, message_id: str, prompt: str, answer: str,
                           channel_id: str | None = None, user_id: str | None = None, *, tenant: str = "") -> None:
        self._run(
            "INSERT INTO answers (message_id, created, channel_id, user_id, prompt, answer, tenant) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(message_id) DO UPDATE SET created=excluded.created, "
            "channel_id=excluded.channel_id, user_id=excluded.user_id, prompt=excluded.prompt, "
            "answer=excluded.answer, tenant=excluded.tenant",
            (str(message_id), time.time(), channel_id, user_id, prompt, answer, tenant),
        )

    async def record_answer(self, message_id: str, prompt: str, answer: str,
                            channel_id: str | None = None, user_id: str | None = None, *, tenant: str = "") -> None:
        await self._in_thread(functools.partial(self.record_answer_sync, message_id, prompt, answer, channel_id,
                                                user_id, tenant=tenant))

    def find_answer_sync(self, message_id: str, *, tenant: str = "") -> StoredAnswer | None:
        rows = self._all(
            "SELECT message_id, created, channel_id, user_id, prompt, answer FROM answers "
            "WHERE message_id = ? AND tenant = ?",
            (str(message_id), tenant),
        )
        return StoredAnswer(*rows[0]) if rows else None

    async def find_answer(self, message_id: str, *, tenant: str = "") -> StoredAnswer | None:
        return await self._in_thread(functools.partial(self.find_answer_sync, message_id, tenant=tenant))

    def last_console_answer_number_sync(self) -> int:
        """The highest short numeric answer id (the console numbers its messages; Discord ids are longer)."""
        dialect = self.backend.dialect
        rows = self._all(f"SELECT MAX(CAST(message_id AS {dialect.integer})) FROM answers "
                         f"WHERE length(message_id) < 16 AND {dialect.digits_only('message_id')}")
        return int(rows[0][0] or 0)

    async def last_console_answer_number(self) -> int:
        return await self._in_thread(self.last_console_answer_number_sync)

    def add_correction_sync(self, message_id: str, user_id: str, prompt: str, answer: str,
                            correction: str, *, tenant: str = "") -> int:
        return self._insert(
            "INSERT INTO corrections (created, message_id, user_id, prompt, answer, correction, tenant) "
            "VALUES (?,?,?,?,?,?,?)",
            (time.time(), str(message_id), user_id, prompt, answer, correction, tenant),
        )

    async def add_correction(self, message_id: str, user_id: str, prompt: str, answer: str,
                             correction: str, *, tenant: str = "") -> int:
        return await self._in_thread(functools.partial(self.add_correction_sync, message_id, user_id, prompt, answer,
                                                       correction, tenant=tenant))

    def corrections_sync(self, *, tenant: str = "") -> list[Correction]:
        rows = self._all(
            "SELECT id, created, message_id, user_id, prompt, answer, correction FROM corrections "
            "WHERE tenant = ? ORDER BY id", (tenant,)
        )
        return [Correction(*row) for row in rows]

    async def corrections(self, *, tenant: str = "") -> list[Correction]:
        return await self._in_thread(functools.partial(self.corrections_sync, tenant=tenant))

    # -- jobs (the Model service persists its training jobs here) ---------------------------

    def save_job_sync(self, job_id: str, status: str, data: dict[str, Any], *, tenant: str = "") -> None:
        """Save a job and announce it, in one transaction (the bot that follows a worker's job hears it)."""
        now = time.time()
        with self.backend.transaction() as tx:
            tx.run(
                "INSERT INTO jobs (id, created, updated, status, data, tenant) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET updated=excluded.updated, status=excluded.status, data=excluded.data",
                (job_id, now, now, status, json.dumps(data, ensure_ascii=False), tenant),
            )
            self.backend.announce(tx, self._origin, JOB_KEY + job_id)

    async def save_job(self, job_id: str, status: str, data: dict[str, Any], *, tenant: str = "") -> None:
        await self._in_thread(functools.partial(self.save_job_sync, job_id, status, data, tenant=tenant))

    def get_job_sync(self, job_id: str, *, tenant: str | None = None) -> dict[str, Any] | None:
        """A job by id; with ``tenant``, only that tenant's."""
        if tenant is None:
            rows = self._all("SELECT data FROM jobs WHERE id = ?", (job_id,))
        else:
            rows = self._all("SELECT data FROM jobs WHERE id = ? AND tenant = ?", (job_id, tenant))
        return json.loads(rows[0][0]) if rows else None

    async def get_job(self, job_id: str, *, tenant: str | None = None) -> dict[str, Any] | None:
        return await self._in_thread(functools.partial(self.get_job_sync, job_id, tenant=tenant))

    def jobs_sync(self, statuses: tuple[str, ...] | None = None, limit: int = 100, *,
                  tenant: str | None = None) -> list[dict[str, Any]]:
        """The latest jobs, newest first; with ``tenant``, only that tenant's (None: every tenant's, for
        resuming unfinished jobs after a restart)."""
        where, params = [], []
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            params += statuses
        if tenant is not None:
            where.append("tenant = ?")
            params.append(tenant)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        rows = self._all(f"SELECT data, tenant FROM jobs {clause}ORDER BY created DESC LIMIT ?", (*params, limit))
        # Every job knows its tenant (older rows did not store it in their data).
        return [{**json.loads(data), "tenant": owner} for data, owner in rows]

    async def jobs(self, statuses: tuple[str, ...] | None = None, limit: int = 100, *,
                   tenant: str | None = None) -> list[dict[str, Any]]:
        return await self._in_thread(functools.partial(self.jobs_sync, statuses, limit, tenant=tenant))

    # -- small settings (active dataset, per-server language, ...) --------------------------

    def get_setting_sync(self, key: str, default: Any = None, *, tenant: str = "") -> Any:
        rows = self._all("SELECT value FROM settings WHERE key = ?", (setting_key(key, tenant),))
        return json.loads(rows[0][0]) if rows else default

    async def get_setting(self, key: str, default: Any = None, *, tenant: str = "") -> Any:
        return await self._in_thread(functools.partial(self.get_setting_sync, key, default, tenant=tenant))

    def set_setting_sync(self, key: str, value: Any, *, tenant: str = "") -> None:
        self._write_setting(setting_key(key, tenant), json.dumps(value, ensure_ascii=False))

    async def set_setting(self, key: str, value: Any, *, tenant: str = "") -> None:
        await self._in_thread(functools.partial(self.set_setting_sync, key, value, tenant=tenant))

    # -- tenants ----------------------------------------------------------------------------

    def legacy_servers_sync(self) -> set[str]:
        """The servers named by rows written before servers were separated: their feedback's server and
        the servers whose language was set."""
        rows = self._all("SELECT DISTINCT guild_id FROM feedback WHERE tenant = '' AND guild_id IS NOT NULL")
        servers = {str(row[0]) for row in rows}
        rows = self._all("SELECT key FROM settings WHERE key LIKE 'language:%'")
        return servers | {row[0].partition(":")[2] for row in rows}

    def has_legacy_rows_sync(self) -> bool:
        for table in TENANT_TABLES:
            if self._all(f"SELECT 1 FROM {table} WHERE tenant = '' LIMIT 1"):
                return True
        rows = self._all("SELECT key FROM settings")
        return any("/" not in key and not key.startswith(GLOBAL_SETTINGS) for (key,) in rows)

    def adopt_legacy_sync(self, tenant: str) -> None:
        """Give every legacy row (tenant "") to ``tenant``, in one transaction: all of it moves or none."""
        if not tenant:
            raise ValueError("the legacy rows need a tenant to move to")
        with self.backend.transaction() as tx:
            for table in TENANT_TABLES:
                tx.run(f"UPDATE {table} SET tenant = ? WHERE tenant = ''", (tenant,))
            # Model versions the tenant has already stay its own (as their folders do, services/legacy.py).
            tx.run("UPDATE models SET tenant = ? WHERE tenant = '' AND NOT EXISTS (SELECT 1 FROM models AS own "
                   "WHERE own.tenant = ? AND own.backend = models.backend AND own.version = models.version)",
                   (tenant, tenant))
            for (key,) in tx.all("SELECT key FROM settings"):
                if "/" not in key and not key.startswith(GLOBAL_SETTINGS):
                    # The legacy value wins over one the tenant already had, as it always did.
                    tx.run("DELETE FROM settings WHERE key = ?", (setting_key(key, tenant),))
                    tx.run("UPDATE settings SET key = ? WHERE key = ?", (setting_key(key, tenant), key))

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
        if guild_id in self._languages:
            return self._languages[guild_id]
        self._listen()  # hear other processes' changes from before the read on
        generation = self._generation
        language = self.get_setting_sync(self._language_key(guild_id))
        if generation == self._generation:  # no change heard meanwhile: the value read is still current
            self._languages[guild_id] = language
        return language

    async def guild_language(self, guild_id: str | None) -> str | None:
        if guild_id is None:
            return None
        if guild_id in self._languages:  # the common case: no thread hop per message
            return self._languages[guild_id]
        return await self._in_thread(self.guild_language_sync, guild_id)

    def set_guild_language_sync(self, guild_id: str, language: str | None) -> None:
        self._write_setting(self._language_key(guild_id),
                            None if language is None else json.dumps(language, ensure_ascii=False))
        self._languages[guild_id] = language

    async def set_guild_language(self, guild_id: str, language: str | None) -> None:
        """Store the server's language (None: back to the spec's default); committed before returning."""
        await self._in_thread(self.set_guild_language_sync, guild_id, language)
