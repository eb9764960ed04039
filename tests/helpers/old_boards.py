"""Boards as an older FactBoard left them, made from a board written now: the schema taken back step by step, so a
migration is tested on the file an older version really wrote (the same tables, columns, triggers and seal)."""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from factboard_tui.core.security import seal
from factboard_tui.core.store import migrations

PLAN_COLUMNS = tuple(column.split()[0] for column in migrations._PLAN_COLUMNS)
SECOND_MEASURE_COLUMNS = tuple(column.split()[0] for column in migrations._SECOND_MEASURE_COLUMNS)


def raw(path: Path, key: bytes) -> sqlcipher3.Connection:
    """The database as any SQLCipher tool opens it with the recovery key (no FactBoard functions)."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return connection


def drop_seal_triggers(connection: sqlcipher3.Connection) -> None:
    """What a person editing the file outside FactBoard must do first (a stock tool cannot fire them)."""
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        connection.execute(f"DROP TRIGGER {name}")


def as_version_6(path: Path, key: bytes) -> None:
    """Take a closed board back to schema 6: the crisis plan a yes/no (`exists` becomes yes), no other plans and no
    legal measure, sealed over those columns as version 6 sealed them."""
    connection = raw(path, key)
    try:
        drop_seal_triggers(connection)
        connection.execute("ALTER TABLE board_row ADD COLUMN crisis_plan_old BOOLEAN NOT NULL DEFAULT 0")
        connection.execute("UPDATE board_row SET crisis_plan_old = coalesce(crisis_plan = 'exists', 0)")
        for column in ("crisis_plan", *PLAN_COLUMNS, *SECOND_MEASURE_COLUMNS):
            connection.execute(f"ALTER TABLE board_row DROP COLUMN {column}")
        connection.execute("ALTER TABLE board_row RENAME COLUMN crisis_plan_old TO crisis_plan")
        connection.execute("DROP INDEX ix_meeting_row_row")
        _sealed_as(connection, migrations._SEALED_BEFORE_PLANS, 6)
    finally:
        connection.close()


def as_version_7(path: Path, key: bytes) -> None:
    """Take a closed board back to schema 7: one legal measure a row, sealed over the columns version 7 sealed."""
    connection = raw(path, key)
    try:
        drop_seal_triggers(connection)
        for column in SECOND_MEASURE_COLUMNS:
            connection.execute(f"ALTER TABLE board_row DROP COLUMN {column}")
        _sealed_as(connection, migrations._SEALED_WITH_PLANS, 7)
    finally:
        connection.close()


def _sealed_as(connection: sqlcipher3.Connection, sealed: dict[str, tuple[str, ...]], version: int) -> None:
    """The triggers and the seal as schema `version` had them over `sealed`'s columns, and that version number."""
    for statement in seal.trigger_statements(sealed):
        connection.execute(statement)
    seal.store(connection, seal.compute(connection, sealed))
    connection.execute(f"PRAGMA user_version = {version}")


def edit_outside_factboard(path: Path, key: bytes, statement: str, sealed: dict[str, tuple[str, ...]]) -> None:
    """What someone with the recovery key and a stock SQLCipher tool does: drop the triggers, run `statement`, put
    the triggers (over `sealed`'s columns) back, and leave the seal as it was."""
    connection = raw(path, key)
    try:
        drop_seal_triggers(connection)
        connection.execute(statement)
        for trigger in seal.trigger_statements(sealed):
            connection.execute(trigger)
    finally:
        connection.close()
