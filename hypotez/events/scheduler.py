"""Schedules: interval (``every``) and cron (``0 9 * * 1``, with croniter) in a time zone (zoneinfo),
posting a text or running a command in a channel, on every server that has that channel.

Each (server, schedule) has a stored row (:mod:`hypotez.services.state_store`): the next run, and the
run being delivered. A run is claimed before it is posted (the next run stored, the claimed one marked
pending, in one committed write), its actions marked done once done, and the mark cleared once it is
posted: after ``kill -9`` the bot finds the claimed run and posts it, and never posts a run whose mark
was cleared — no run is lost. A crash after the post and before the mark is cleared (the few
milliseconds of one committed write) makes the run be posted again at start-up: it carries the same
nonce as the first post, and Discord answers a repeated nonce with the first message instead of a new
one (for a few minutes), so on Discord there is no double post. Its state writes are tagged with the
run (:mod:`hypotez.services.state_store` ``once``), so a repeated run never counts twice. Runs that came due while the bot was down follow the schedule's ``missed``:
``skip`` posts none of them, ``once`` posts one. A run less than :data:`GRACE` seconds late is on time.

The loop wakes when a server becomes known (:meth:`Scheduler.wake`: at start-up the bot knows no server
yet), and :meth:`Scheduler.stop` lets a post under way finish (for at most :data:`STOP_WAIT` seconds)
before it stops: a stop between the post and the cleared mark would post the run again at the next start.

A run is claimed and posted within the schedule's turn (the state store's ``schedule_turn``): with the
state in PostgreSQL, several processes of the bot may find the same run due (a reshard, a server seen
by two), and only the one holding the turn claims it; the others then find it claimed.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import logging
import time
import zoneinfo
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from croniter import croniter

from hypotez.declaration.events_model import ScheduleSpec
from hypotez.events.info import ServerInfo
from hypotez.incoming import Author, Place
from hypotez.services.state_store import ScheduleRow

if TYPE_CHECKING:
    from hypotez.actions.base import Actuator
    from hypotez.app import App

log = logging.getLogger("hypotez.schedules")

GRACE = 90.0
MAX_WAIT = 30.0  # the loop looks again at least this often (a reload may add a schedule)
BUSY_RETRY = 5.0  # seconds until a schedule another process was running is looked at again
MAX_CATCH_UP = 100_000  # runs counted while catching up, at most (every: 60 for two months)
STOP_WAIT = 10.0  # seconds stop() waits for a run being posted


@dataclass(slots=True)
class Target:
    """Where a schedule runs: a channel on a server, and how to post there."""

    place: Place
    server: ServerInfo | None
    actuator: "Actuator"


def following(schedule: ScheduleSpec, after: float) -> float:
    """The first run of ``schedule`` strictly after ``after`` (a Unix time)."""
    if schedule.every is not None:
        return after + schedule.every
    zone = zoneinfo.ZoneInfo(schedule.timezone)
    start = datetime.datetime.fromtimestamp(after, zone)
    return float(croniter(schedule.cron, start).get_next(float))


class Scheduler:
    def __init__(self, app: "App", targets: Callable[[ScheduleSpec], list[Target]],
                 clock: Callable[[], float] = time.time):
        self.app = app
        self.targets = targets
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._stopping = False
        self._announced: dict[tuple[str, str], float] = {}  # (server, schedule) → the next run logged

    @property
    def schedules(self) -> tuple[ScheduleSpec, ...]:
        events = self.app.spec.events
        return events.schedules if events is not None else ()

    def start(self) -> None:
        if self._task is None and self.app.services.state is not None:
            self._task = asyncio.create_task(self._loop(), name="hypotez-schedules")

    def wake(self) -> None:
        """Look at the schedules now (a server became known, the spec changed)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop the loop; a run being posted is finished first (within :data:`STOP_WAIT` seconds)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_WAIT)
        except asyncio.TimeoutError:
            log.warning("schedules: a run still being posted after %.0f s was stopped; it is posted again at "
                        "the next start", STOP_WAIT)
        except Exception:  # the loop's own failure was logged where it happened
            pass
        if not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def advance(self, seconds: float) -> None:
        """Move a simulated clock on (console, tests) as time would pass: to each run that comes due on
        the way, in order, so each is on time (a jump is not the bot being down)."""
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            raise TypeError("this scheduler runs on the real clock")
        left = seconds
        soonest = await self.tick()
        while soonest <= left:
            step = max(soonest, 0.0)
            advance(step)
            left -= step
            soonest = await self.tick()
            if soonest <= 0:  # nothing moves on a run already due (it has just run): no endless loop
                break
        advance(left)
        await self.tick()

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                wait = await self.tick()
            except Exception:  # a broken schedule must not stop the others for good
                log.exception("schedules: a run failed")
                wait = MAX_WAIT
            if self._stopping:
                return
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.05, min(wait, MAX_WAIT)))
            except asyncio.TimeoutError:
                pass

    async def tick(self) -> float:
        """Run every schedule that is due on every server; the seconds until the next one is."""
        soonest = float("inf")
        async with self._lock:  # the loop and an advance never run the same schedule twice at once
            for schedule in self.schedules:
                for target in self.targets(schedule):
                    if self._stopping:  # no new run is started once stopping
                        return soonest
                    next_run = await self._one(schedule, target)
                    soonest = min(soonest, next_run - self.clock())
        return soonest

    async def _one(self, schedule: ScheduleSpec, target: Target) -> float:
        store = self.app.services.state
        # The row is the server's, not its tenant's: with bot.tenancy: shared every server has the tenant
        # "", and one row per tenant let the first server's run leave the others nothing due. The row an
        # older shared-tenancy bot stored under "" is no server's: each server starts again from now (its
        # next run stored, nothing posted then), so no run is posted twice; a run that bot had claimed and
        # not posted is not posted. Isolated tenants are server ids: their rows stay what they were.
        server = target.place.guild_id or ""
        row = await store.schedule(server, schedule.name)
        now = self.clock()
        if row is not None and row.fingerprint == schedule.fingerprint and row.pending is None \
                and now < row.next_run <= following(schedule, now):
            self._announce(schedule, server, row.next_run)
            return row.next_run  # the common case: not due, nothing to claim, no lock taken
        async with store.schedule_turn(server, schedule.name) as mine:
            if not mine:  # another process of the bot is running it right now: look again soon
                log.debug("schedule %r on %s: another process has its turn", schedule.name, server or "the bot")
                return self.clock() + BUSY_RETRY
            return await self._claim(schedule, target, server)

    async def _claim(self, schedule: ScheduleSpec, target: Target, server: str) -> float:
        """Within the schedule's turn: the row read again (another process may have just posted the run),
        then the pending run posted, and the due one claimed and posted."""
        store = self.app.services.state
        fingerprint = schedule.fingerprint
        row = await store.schedule(server, schedule.name)
        now = self.clock()
        if row is None or row.fingerprint != fingerprint or \
                (row.pending is None and row.next_run > following(schedule, now)):
            # New, its timing changed, or stored by a clock ahead of this one (a rehearsal with
            # --schedules-from, a clock set back): from now on.
            row = ScheduleRow(following(schedule, now), None, fingerprint)
            await store.set_schedule(server, schedule.name, row)
            self._announce(schedule, server, row.next_run)
            return row.next_run
        if row.pending is not None:  # claimed before a crash and perhaps not posted: post it now
            await self.deliver(schedule, target, row)
            row = ScheduleRow(row.next_run, None, fingerprint)
            await store.set_schedule(server, schedule.name, row)
        if now < row.next_run:
            self._announce(schedule, server, row.next_run)
            return row.next_run
        latest, upcoming, due = row.next_run, following(schedule, row.next_run), 1
        while upcoming <= now and due < MAX_CATCH_UP:
            latest, upcoming, due = upcoming, following(schedule, upcoming), due + 1
        on_time = now - latest <= GRACE
        post = on_time or schedule.missed == "once"
        missed = due - 1 + (0 if on_time else 1)
        if missed:
            log.info("schedule %r on %s: %d run(s) missed while the bot was down, %s", schedule.name,
                     server or "the bot", missed, "one posted now" if schedule.missed == "once" else "skipped")
        claimed = ScheduleRow(upcoming, latest if post else None, fingerprint)
        await store.set_schedule(server, schedule.name, claimed)
        if post:
            await self.deliver(schedule, target, claimed)
            await store.set_schedule(server, schedule.name, ScheduleRow(upcoming, None, fingerprint))
        return upcoming

    def _announce(self, schedule: ScheduleSpec, server: str, next_run: float) -> None:
        """Log each schedule's next run on each server once (at start-up, after each run)."""
        key = (server, schedule.name)
        if self._announced.get(key) == next_run:
            return
        self._announced[key] = next_run
        when = datetime.datetime.fromtimestamp(next_run, zoneinfo.ZoneInfo(schedule.timezone))
        log.info("schedule %r on %s: next run %s", schedule.name, server or "the bot", when.isoformat())

    async def deliver(self, schedule: ScheduleSpec, target: Target, claimed: ScheduleRow) -> None:
        """Post the claimed run (its actions first, unless a run cut short by a crash did them)."""
        dispatcher = self.app.dispatcher
        run_at = claimed.pending
        assert run_at is not None
        engine = dispatcher.events
        if engine is None:
            return
        place = target.place
        server = place.guild_id or ""  # the run's row and nonce are the server's; its state the tenant's
        tenant = dispatcher.tenancy.scope(place.guild_id, "").tenant
        language = await dispatcher.server_language(place.guild_id)
        run = datetime.datetime.fromtimestamp(run_at, zoneinfo.ZoneInfo(schedule.timezone))
        if schedule.command is not None:
            text = await self._command_reply(schedule, place)
        else:
            if not claimed.acted and schedule.response.actions:
                await engine.run_schedule_actions(schedule, place=place, server=target.server, tenant=tenant,
                                                  language=language, actuator=target.actuator, run=run)
                await self.app.services.state.set_schedule(server, schedule.name, replace(claimed, acted=True))
            text = await engine.scheduled_text(schedule, place=place, server=target.server, tenant=tenant,
                                               language=language, run=run)
        # Per server: Discord answers a nonce the bot used in the last minutes with that message, on any server.
        nonce = hashlib.sha256(f"{server}:{schedule.name}:{run_at!r}".encode()).hexdigest()[:25]
        if text.strip() and not await target.actuator.post(schedule.response.channel, text, nonce):
            log.warning("schedule %r: cannot post in %r on %s", schedule.name, schedule.response.channel, server)

    async def _command_reply(self, schedule: ScheduleSpec, place: Place) -> str:
        """What the schedule's command answers, run as the spec's author would (an administrator)."""
        from hypotez.pipeline import Request

        author = Author(id="schedule", name=f"schedule {schedule.name}", permissions=frozenset({"administrator"}))
        reply = await self.app.dispatcher.handle_message(Request(author=author, place=place, content=schedule.command))
        return reply.text if reply is not None else ""
