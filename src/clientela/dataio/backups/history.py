"""The migrations a database has recorded, and bringing an empty database to them.

Squashed migrations build a new database in far fewer steps, but a database records the
original migrations' names (and the squash's once all of them are in). An archive's list
is mapped onto this code's graph: a squash whose replaced migrations are all listed is
applied as one migration; a list that stops inside a squash's range (an archive from an
older version) is followed through the original migrations instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from clientela.dataio.backups.tables import DataError, MigrationKey, Schema, dependency_order


def recorded_migrations(alias: str) -> list[MigrationKey]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(recorder.applied_migrations())


def loader_for(alias: str, wanted: set[MigrationKey]) -> tuple[MigrationLoader, set[MigrationKey]]:
    """The graph to reach `wanted` on, and the nodes of it that `wanted` names.

    The loader for `alias` uses each squash in place of the migrations it replaces when
    the database has none or all of them. If `wanted` stops inside a squash's range, only
    the graph of the original migrations has the nodes to stop at.
    """
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    squashes = {key: set(squash.replaces) for key, squash in loader.replacements.items()}
    # A squash is recorded once all it replaces are: the replaced names say the same.
    originals = {key for key in wanted if key not in squashes}
    for key in wanted & squashes.keys():
        originals |= squashes[key]
    in_use = {key: replaced for key, replaced in squashes.items() if key in loader.graph.nodes}
    if all(replaced <= originals or not replaced & originals for replaced in in_use.values()):
        replaced_by = {old: key for key, replaced in in_use.items() for old in replaced}
        return loader, {replaced_by.get(key, key) for key in originals}
    loader = MigrationLoader(
        connections[alias], ignore_no_migrations=True, replace_migrations=False
    )
    return loader, originals


def schema_for(alias: str, migrations: Iterable[MigrationKey]) -> Schema:
    """The schema `migrations` describe, using this code's migration files and `alias`."""
    # Keys read back from a manifest are JSON lists: made tuples again to look them up.
    migrations = tuple(sorted(cast(MigrationKey, tuple(key)) for key in migrations))
    loader, nodes = loader_for(alias, set(migrations))
    graph = loader.graph
    unknown = sorted(".".join(key) for key in nodes if key not in graph.nodes)
    if unknown:
        raise DataError(
            _(
                "The data was written by a newer or different version of Clientela: this "
                "version does not know the migrations %(names)s. Install the version that "
                "made it (or a newer one) and try again."
            )
            % {"names": ", ".join(unknown[:5]) + ("…" if len(unknown) > 5 else "")}
        )
    targets = tuple(
        sorted(
            node
            for node in nodes
            if not any(child.key in nodes for child in graph.node_map[node].children)
        )
    )
    state = loader.project_state(nodes=list(targets), at_end=True) if targets else None
    models = [] if state is None else state.apps.get_models(include_auto_created=True)
    copied = [
        model
        for model in models
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    return Schema(migrations=migrations, targets=targets, models=tuple(dependency_order(copied)))


def schema_of(alias: str) -> Schema:
    """The schema of the database behind `alias`, as its recorded migrations say."""
    return schema_for(alias, recorded_migrations(alias))


def migrate_to(alias: str, targets: Iterable[MigrationKey]) -> None:
    """Bring an empty database to exactly the given migrations, with no post-migrate rows.

    `targets` come from `schema_for`: squashes where the data has all they replace (one
    step each, the common case), original migrations where it stops inside a squash.
    """
    targets = [cast(MigrationKey, tuple(key)) for key in targets]
    executor = MigrationExecutor(connections[alias])
    if not all(key in executor.loader.graph.nodes for key in targets):
        executor.loader = MigrationLoader(
            connections[alias], ignore_no_migrations=True, replace_migrations=False
        )
    # No post_migrate signal here: content types and permissions come from the copied
    # rows, and would collide with them if created now.
    executor.migrate(targets)


def migrate_forward(alias: str) -> list[str]:
    """Apply the migrations this code has and the data does not; returns their names."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    if pending:
        call_command("migrate", database=alias, interactive=False, verbosity=0)
    return pending
