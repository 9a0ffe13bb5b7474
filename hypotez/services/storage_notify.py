"""Changes made by one process, heard by the others: PostgreSQL's LISTEN/NOTIFY.

A setting written through the storage (a server's current model, its reply language) is announced on a
channel in the same transaction, so the announcement is delivered only once the value is committed.
Each storage listens on its own connection in a daemon thread and hands every announcement made by
*another* storage to its callbacks (in that thread: callbacks only drop caches). After a lost connection
it reconnects and reports that anything may have changed (``None``), since announcements made meanwhile
were missed. SQLite databases are used by one process: there is nothing to hear.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("hypotez.storage")

CHANNEL = "hypotez_settings"
WAKE_EVERY = 0.25  # seconds: how often the listening thread looks whether it should stop
RECONNECT_AFTER = 1.0

Callback = Callable[[str | None], None]  # the stored key of the changed setting; None: anything may have


def payload(origin: str, key: str) -> str:
    return f"{origin}\n{key}"


class ChangeListener:
    def __init__(self, url: str, origin: str, callback: Callback):
        self._url, self._origin, self._callback = url, origin, callback
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="hypotez-storage-listen", daemon=True)
        self._thread.start()
        # Changes made after start() returns are heard: wait until LISTEN is in place (or has failed).
        self._listening.wait(timeout=10)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _listen(self) -> None:
        import psycopg

        missed = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=10) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    if missed:
                        self._hand_on(None)
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=WAKE_EVERY):
                            origin, _, key = notice.payload.partition("\n")
                            if origin != self._origin:
                                self._hand_on(key)
            except psycopg.Error as error:
                self._listening.set()
                if self._stop.is_set():
                    return
                missed = True
                log.warning("lost the storage's change announcements (%s); reconnecting", error)
                time.sleep(RECONNECT_AFTER)

    def _hand_on(self, key: str | None) -> None:
        try:
            self._callback(key)
        except Exception:  # a failing callback must not stop the others from hearing later changes
            log.exception("a storage change callback failed")
