"""Finished training jobs do not pile up in the queue: every ``hypotez worker`` registers procrastinate's
own periodic clean-up (its ``remove_old_jobs`` builtin, on a cron of procrastinate's periodic tasks),
which removes the queue's jobs finished — succeeded, failed, cancelled or aborted — more than
``--keep-finished`` hours ago, with their events. Several workers defer it once per tick between them
(procrastinate's periodic defers are unique per tick). The job rows of the storage, which the bots show,
are not touched: they are the bots' history, not the queue's.
"""

from __future__ import annotations

import logging

import procrastinate
from procrastinate import builtin_tasks

from hypotez.services.job_queue import QUEUE

log = logging.getLogger("hypotez.worker")

KEEP_FINISHED_HOURS = 168  # a week
CLEAN_CRON = "23 * * * *"  # once an hour (procrastinate's cron; a sixth field would be seconds)
MAINTENANCE_QUEUE = "hypotez-maintenance"  # apart from the training queue: its depth stays the jobs'
CLEAN_TASK = "hypotez.remove_finished_jobs"


def register_cleaning(queue: procrastinate.App, keep_hours: int, cron: str = CLEAN_CRON) -> None:
    """Have the workers of ``queue`` remove the jobs finished more than ``keep_hours`` ago, on ``cron``."""

    @queue.periodic(cron=cron, periodic_id=CLEAN_TASK)
    @queue.task(name=CLEAN_TASK, queue=MAINTENANCE_QUEUE, pass_context=True)
    async def remove_finished_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
        # The clean-up's own runs are finished jobs too: they go the same way.
        for name in (QUEUE, MAINTENANCE_QUEUE):
            await builtin_tasks.remove_old_jobs(context, max_hours=keep_hours, queue=name, remove_failed=True,
                                                remove_cancelled=True, remove_aborted=True)
        log.info("removed the queue's jobs finished more than %d hours ago", keep_hours)
