"""A change record's vocabulary, named once: its ops, its entities, its typed shape, and the visit field keys.

Every write appends change records (`store.changelog` stamps them), sync carries them between sites
(`sync.records` checks them, `sync.merge` applies them), undo reverses them and `history` reads them to people.
Each of those used to spell the record as a plain dict and its keys as string literals; they read them from here.

`ChangeRecord` is a `TypedDict`, not a dataclass: the write path hands its records to SQLAlchemy's executemany as
they are, so typing them builds no extra object per record (a bulk import of 2,000 rows writes about 10,000).
For the same reason a record holds an enum's plain text (`Op.ADD.value`): SQLite binds an exact `str` about five
times faster than a `str` subclass, which on a bulk import was a tenth of its time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TypedDict


class Op(StrEnum):
    """What a write did to a row (staff writes use `add` and `set` only)."""

    ADD = "add"
    """A new period on the board (or a new team member)."""
    SET = "set"
    """Fields or visits of an open row changed."""
    OFF = "off"
    """The period closed: the client left the board."""
    UNDO = "undo"
    """A write that puts back what an earlier transaction replaced."""


class Entity(StrEnum):
    """What a change record is about."""

    ROW = "row"
    STAFF = "staff"


class Outcome(StrEnum):
    """What became of a change imported from another site, when it did not simply take effect."""

    SUPERSEDED = "superseded"
    """A later value already stood: the change is recorded (history shows it) but not applied."""


class ChangeRecord(TypedDict, total=False):
    """One change record as the write path builds it and the change log stores it (see `store.schema.Change`).

    `old` and `new` are the stored text of the value (`changelog.as_text`); `hlc`, `origin`, `seq` and `base` are
    given by `changelog.stamp` just before the record is appended."""

    id: int
    at: datetime
    author: str
    source: str
    entity: str
    row_id: int | None
    staff_id: int | None
    op: str
    field: str
    old: str | None
    new: str | None
    txn: str | None
    undoes: str | None
    hlc: str | None
    origin: str | None
    seq: int | None
    base: str | None
    outcome: str | None


VISIT = "visit"
"""Field key prefix of a weekday cell's staff: `visit:2026-11-23`."""
VISIT_NOTE = "visit_note"
"""Field key prefix of a weekday cell's note: `visit_note:2026-11-23`."""
_VISIT_PREFIXES = (f"{VISIT}:", f"{VISIT_NOTE}:")


def visit_key(day: date | str, note: bool = False) -> str:
    """The field key of one day's visit staff (or, with `note`, its note), as change records name it."""
    text = day if isinstance(day, str) else day.isoformat()
    return f"{VISIT_NOTE if note else VISIT}:{text}"


def is_visit_key(key: str) -> bool:
    """Whether a field key names a visit's staff or note (rather than a row or staff field)."""
    return key.startswith(_VISIT_PREFIXES)


def visit_part(key: str) -> tuple[str, str] | None:
    """(`VISIT` or `VISIT_NOTE`, the day as ISO text) of a visit field key; None for any other field."""
    kind, colon, day = key.partition(":")
    if colon and kind in (VISIT, VISIT_NOTE):
        return kind, day
    return None
