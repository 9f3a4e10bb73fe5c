"""Whether this installation can serve requests: database reachable, migrations applied."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader


@dataclass
class Health:
    database: str = "ok"
    pending_migrations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.database == "ok" and not self.pending_migrations

    def as_dict(self) -> dict:
        return {
            "status": "ok" if self.ok else "error",
            "database": self.database,
            "migrations": "ok" if not self.pending_migrations else "pending",
            "pending_migrations": self.pending_migrations,
        }


def pending_migrations(alias: str = "default") -> list[str]:
    """Every migration the code has that the database has not recorded, even one below
    an applied migration (a migration plan would skip an app whose last one is applied)."""
    loader = MigrationLoader(connections[alias])
    applied = set(loader.applied_migrations)
    return sorted(f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in applied)


def check(alias: str = "default") -> Health:
    health = Health()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        health.database = f"unreachable: {error.__class__.__name__}"
        return health
    health.pending_migrations = pending_migrations(alias)
    return health
