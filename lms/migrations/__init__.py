"""Numbered schema migrations (playhouse.migrations), applied only by `lms db upgrade`."""
from __future__ import annotations

from pathlib import Path

from playhouse.migrations import Runner

from ..db import database

DIRECTORY = Path(__file__).parent
HISTORY_TABLE = "lms_schema_migration"


def runner() -> Runner:
    return Runner(database.obj, str(DIRECTORY), table_name=HISTORY_TABLE)


def upgrade() -> list[str]:
    """Apply pending migrations in order; returns their names (empty when current)."""
    with database.connection_context():
        return runner().up()


def pending() -> list[str]:
    with database.connection_context():
        return [m.name for m in runner().status() if not m.applied and m.path]
