"""What differs between the SQL of the two storage backends, in one place.

The storage API writes its queries once, in the SQL both SQLite and PostgreSQL accept, with ``?``
placeholders; a dialect turns them into what its driver expects and supplies the few expressions that
have no common spelling. Migrations carry their own DDL per backend (see :mod:`storage_migrations`).
"""

from __future__ import annotations

from dataclasses import dataclass

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str

    def sql(self, query: str) -> str:
        """``query`` with ``?`` placeholders, as the driver wants it. psycopg uses ``%s`` and reads every
        ``%`` as the start of one, so literal ones (``LIKE 'x%'``) are doubled first."""
        if self.name == POSTGRESQL:
            return query.replace("%", "%%").replace("?", "%s")
        return query

    def digits_only(self, column: str) -> str:
        """A condition: ``column`` is made of decimal digits only (and is not empty)."""
        if self.name == POSTGRESQL:
            return f"{column} ~ '^[0-9]+$'"
        return f"({column} <> '' AND {column} NOT GLOB '*[^0-9]*')"

    @property
    def integer(self) -> str:
        """The type a cast to a 64-bit integer names."""
        return "BIGINT" if self.name == POSTGRESQL else "INTEGER"


SQLITE_DIALECT = Dialect(SQLITE)
POSTGRESQL_DIALECT = Dialect(POSTGRESQL)
