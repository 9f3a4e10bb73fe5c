"""What every new database connection is told before the product uses it.

PostgreSQL compiles a query with JIT when the planner's cost estimate passes
`jit_above_cost`. The estimate for the visibility filters of a large database (a
"client I may see" subquery over a million contacts) passes it easily although the
query reads fifty rows: the projects list at 1M contacts spent 4.6 s compiling a query
that ran in 0.45 s. A CRM's queries are short; JIT never pays for itself here, so it is
switched off for the product's connections (one statement per new connection, which
lives CLIENTELA_DB_CONN_MAX_AGE seconds). A URL's own `options` still apply.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def tune(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
