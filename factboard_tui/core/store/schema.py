"""The board's tables, as SQLModel classes.

A `BoardRow` is one client's current period on the board (a client who leaves and comes back gets a new row, so
history stays with the period it belongs to). `Visit` holds who visits on a calendar date, so every week keeps
its own plan. `Staff` is the team. `Change` is the record every write appends: history, audit and later sync all
read it. `BoardMeta` keeps the board's identity, team name and its own copy of its template. `Meeting`, with
its attendees and rows, records one morning meeting. `AuditRecord` and `AuditWitness` are the hash-chained audit
and access log and the chain heads peer sites witnessed (written only by `core.security.audit`).

The tables are created by the versioned migrations in `migrations.py`, not by `create_all`; a test checks that
these classes and the migrated schema agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Table
from sqlmodel import Field, SQLModel


class BoardMeta(SQLModel, table=True):
    """Key-value facts about the board itself (id, team, template copy, creation time)."""

    __tablename__ = "board_meta"

    key: str = Field(primary_key=True)
    value: str


class Staff(SQLModel, table=True):
    """A member of the team, region or municipality; initials are what the board shows."""

    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    initials: str = Field(unique=True)
    name: str = ""
    discipline: str = ""
    organisation: str = ""
    active: bool = True


class BoardRow(SQLModel, table=True):
    """One client's period on the board, with every column of the team's board."""

    __tablename__ = "board_row"

    id: int | None = Field(default=None, primary_key=True)
    client_code: str
    date_on: date
    triage: str
    category: str | None = None
    primary_contact: str | None = None
    doctor: str | None = None
    other_providers: str | None = None
    children: bool | None = None
    children_note: str | None = None
    situation: str | None = None
    actions: str | None = None
    safety: str | None = None
    evaluation_date: date | None = None
    date_off: date | None = None
    off_reason: str | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    uid: str | None = None
    """The row's identity across sites (a UUID given at creation); `id` is only this database's number."""
    crisis_plan: str | None = None
    """Each plan's status (`missing`, `in_progress`, `exists`; None: nothing recorded) and review-due date
    (see `core.domain.plan_template`)."""
    crisis_plan_review: date | None = None
    signal_plan: str | None = None
    signal_plan_review: date | None = None
    coordinated_plan: str | None = None
    coordinated_plan_review: date | None = None
    care_plan: str | None = None
    care_plan_review: date | None = None
    legal_measure: str | None = None
    """The compulsory-care decision in force (a key of the template's measures), from its start to its expiry."""
    legal_measure_start: date | None = None
    legal_measure_expiry: date | None = None
    legal_measure_2: str | None = None
    """A second legal measure running at the same time (`plan_template.MEASURE_SLOTS`), with its dates."""
    legal_measure_start_2: date | None = None
    legal_measure_expiry_2: date | None = None

    @property
    def on_board(self) -> bool:
        """Whether the period is still open."""
        return self.date_off is None


class Visit(SQLModel, table=True):
    """Who visits a client on one calendar date (`DEN+MJR`), with an optional note."""

    __tablename__ = "visit"

    id: int | None = Field(default=None, primary_key=True)
    row_id: int = Field(foreign_key="board_row.id")
    day: date
    staff: str
    note: str | None = None


class Change(SQLModel, table=True):
    """One field changed by one person at one moment: the history of the board."""

    __tablename__ = "change_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    author: str
    source: str
    entity: str
    row_id: int | None = Field(default=None, foreign_key="board_row.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    op: str
    field: str
    old: str | None = None
    new: str | None = None
    txn: str | None = None
    """Shared by every change one write made: the unit that undo reverses."""
    undoes: str | None = None
    """For an undo: the `txn` it reverses."""
    hlc: str | None = None
    """Hybrid logical clock of the change (see `core.sync.hlc`): orders changes across sites."""
    origin: str | None = None
    """The site id where the change was made."""
    seq: int | None = None
    """The origin site's sequence number of this change: 1, 2, 3, … without gaps."""
    base: str | None = None
    """Stamp (`hlc origin`) of the value this change replaced, to tell concurrent edits from later ones."""
    outcome: str | None = None
    """For an imported change: None if it took effect, `superseded` if a later value already stood."""


class SyncPeer(SQLModel, table=True):
    """Another site this board trusts (or trusted, until revoked) to send and receive sync bundles."""

    __tablename__ = "sync_peer"

    site_id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    signing_key: str
    """Ed25519 public key, hex."""
    encryption_key: str
    """X25519 public key, hex."""
    trusted_at: datetime
    revoked_at: datetime | None = None


class SyncAck(SQLModel, table=True):
    """How far a peer has told us it holds each origin's changes: export sends only what comes after."""

    __tablename__ = "sync_ack"

    peer: str = Field(primary_key=True)
    origin: str = Field(primary_key=True)
    seq: int


class SyncBundle(SQLModel, table=True):
    """A bundle written or imported here, by its SHA-256: chains bundles and recognises a replay."""

    __tablename__ = "sync_bundle"

    hash: str = Field(primary_key=True)
    direction: str
    """`out` for a bundle written here, `in` for one imported."""
    peer: str
    """The site it went to (out) or came from (in)."""
    at: datetime
    previous: str | None = None
    changes: int


class SyncConflict(SQLModel, table=True):
    """Concurrent edits of one free-text field at different sites, kept for a person to settle."""

    __tablename__ = "sync_conflict"

    id: int | None = Field(default=None, primary_key=True)
    entity: str
    entity_key: str
    """The row's uid (or staff initials)."""
    field: str
    candidates: str
    """JSON list of the competing values with their stamp, site and author."""
    provisional: str | None = None
    """The value standing until someone settles it: the same on every site (the newest by clock)."""
    opened_at: datetime
    settled_at: datetime | None = None
    settled_by: str | None = None


class Meeting(SQLModel, table=True):
    """One morning meeting as it was held: when, who chaired, the agenda and the time budget.

    The changes it made are not copied: they are the change log entries with `first_change_id < id <=
    last_change_id`, which the log keeps for good.
    """

    __tablename__ = "meeting"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    ended_at: datetime
    chair: str
    agenda: str = ""
    """The agenda titles of the day, joined by " · "."""
    budget_minutes: int
    first_change_id: int
    last_change_id: int


class MeetingAttendee(SQLModel, table=True):
    """Someone checked in as present at a meeting, with their discipline at that time."""

    __tablename__ = "meeting_attendee"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    initials: str = Field(primary_key=True)
    discipline: str = ""


class MeetingRow(SQLModel, table=True):
    """A board row in a meeting's order: discussed, skipped or not reached, and the time spent on it."""

    __tablename__ = "meeting_row"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    position: int = Field(primary_key=True)
    row_id: int = Field(foreign_key="board_row.id")
    outcome: str
    seconds: int = 0


class VisitCell(NamedTuple):
    """A visit as the board reads it: a light, read-only copy (loading thousands of ORM objects is too slow;
    a named tuple is also several times cheaper to make than a frozen dataclass)."""

    row_id: int
    day: date
    staff: str
    note: str | None = None


class AuditRecord(SQLModel, table=True):
    """One entry of the hash-chained audit and access log (written only by `core.security.audit.append`)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    """1, 2, 3 … without gaps: a missing number is a deleted entry."""
    at: str
    """UTC ISO text with microseconds (hashed exactly as stored)."""
    who: str
    action: str
    client: str | None = None
    """The client code the entry is about, if one."""
    subject: str | None = None
    """The row's uid, a file name, or how many rows."""
    detail: str = ""
    """Screen, source, field names or counts: never free text."""
    first_change: int | None = None
    last_change: int | None = None
    """The change records the entry covers (ids first..last), for write transactions."""
    content: str
    """SHA-256 of the content (change records, exported bytes)."""
    prev: str
    hash: str


class AuditWitness(SQLModel, table=True):
    """An audit chain head seen in a sync bundle: `chain`'s head as `witness` last saw it."""

    __tablename__ = "audit_witness"

    chain: str = Field(primary_key=True)
    witness: str = Field(primary_key=True)
    count: int
    head: str
    seen_at: str
    written: str | None = None
    """When the bundle that carried this head was written (the signer's signed time): heads compare in that order."""


class RowValues(NamedTuple):
    """One board row as plain values, for every read of many rows (the screens, `rows list`, exports): what
    `BoardRow` holds, without an ORM object per row (STYLE.md habit 18: at 20,000 rows the ORM objects cost seconds
    and a heap the collector walks). A named tuple, as `VisitCell` is: made from a row's values in C, where a frozen
    dataclass runs 33 `object.__setattr__` calls per row (a third of reading 20,000 rows); change one with
    `_replace`.
    """

    id: int
    client_code: str
    date_on: date
    triage: str
    category: str | None
    primary_contact: str | None
    doctor: str | None
    other_providers: str | None
    children: bool | None
    children_note: str | None
    situation: str | None
    actions: str | None
    safety: str | None
    evaluation_date: date | None
    date_off: date | None
    off_reason: str | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    uid: str | None
    crisis_plan: str | None
    crisis_plan_review: date | None
    signal_plan: str | None
    signal_plan_review: date | None
    coordinated_plan: str | None
    coordinated_plan_review: date | None
    care_plan: str | None
    care_plan_review: date | None
    legal_measure: str | None
    legal_measure_start: date | None
    legal_measure_expiry: date | None
    legal_measure_2: str | None
    legal_measure_start_2: date | None
    legal_measure_expiry_2: date | None


ROW_TABLE: Table = BoardRow.__table__  # type: ignore[attr-defined]
"""The tables behind the classes, for the statements that work on many rows at once (no ORM objects)."""
VISIT_TABLE: Table = Visit.__table__  # type: ignore[attr-defined]
STAFF_TABLE: Table = Staff.__table__  # type: ignore[attr-defined]
CHANGE_TABLE: Table = Change.__table__  # type: ignore[attr-defined]
META_TABLE: Table = BoardMeta.__table__  # type: ignore[attr-defined]
MEETING_TABLE: Table = Meeting.__table__  # type: ignore[attr-defined]
ATTENDEE_TABLE: Table = MeetingAttendee.__table__  # type: ignore[attr-defined]
MEETING_ROW_TABLE: Table = MeetingRow.__table__  # type: ignore[attr-defined]
