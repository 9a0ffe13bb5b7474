"""Leases of training jobs in PostgreSQL (migration 6): which process runs a job, until when.

A lease is taken by one process, renewed while it runs the job, and released when the job ends; a lease
that has expired belongs to a process that died, and another may take it. Times are the database's
clock, so processes on machines whose clocks differ agree on when a lease expires. The lease keeps the
job's examples (JSON lines), so whichever process takes the job over has them, on any machine.
"""

from __future__ import annotations

from typing import Any

NOW = "EXTRACT(EPOCH FROM clock_timestamp())"


class JobLeases:
    def __init__(self, backend: Any):
        self.backend = backend

    def claim(self, job_id: str, owner: str, seconds: float, examples: str | None = None) -> str | None:
        """Take the job's lease for ``seconds`` if nobody holds it or its holder let it expire; the job's
        examples (those stored with the lease, else ``examples``), or None when another process holds it."""
        rows = self.backend.all(
            f"INSERT INTO job_leases (job_id, owner, expires, examples) VALUES (?, ?, {NOW} + ?, ?) "
            "ON CONFLICT (job_id) DO UPDATE SET owner = excluded.owner, expires = excluded.expires "
            f"WHERE job_leases.expires < {NOW} OR job_leases.owner = excluded.owner RETURNING examples",
            (job_id, owner, seconds, examples or ""))
        return rows[0][0] if rows else None

    def renew(self, job_id: str, owner: str, seconds: float) -> bool:
        """Hold the lease ``seconds`` more; False when it is no longer ``owner``'s (taken over)."""
        return bool(self.backend.all(f"UPDATE job_leases SET expires = {NOW} + ? WHERE job_id = ? AND owner = ? "
                                     "RETURNING 1", (seconds, job_id, owner)))

    def release(self, job_id: str, owner: str) -> None:
        self.backend.run("DELETE FROM job_leases WHERE job_id = ? AND owner = ?", (job_id, owner))

    def holder(self, job_id: str) -> tuple[str, float] | None:
        """Who holds the job's lease and for how many seconds more (negative: expired)."""
        rows = self.backend.all(f"SELECT owner, expires - {NOW} FROM job_leases WHERE job_id = ?", (job_id,))
        return (rows[0][0], float(rows[0][1])) if rows else None
