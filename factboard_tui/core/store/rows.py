"""The one write path for board rows and their visits: validate, write, stamp who and when, record the change.

`write_rows` validates every write first through `fields.coerce` (a value that does not fit raises `InvalidValue`
and nothing is written), then applies them all in one `write_transaction`, which holds the write lock before the
old values are read. Each changed field is stamped with author and time and recorded as one change record (see
`changelog`). Everything else (the CLI, the TUI, imports, the demo, settling a sync conflict) calls this; `add_row`,
`set_field`, `take_off` and `copy_week_visits` are its everyday shapes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, insert, update
from sqlalchemy import delete as sql_delete
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import VISIT, ChangeRecord, Entity, Op, visit_key, visit_part
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.errors import EditConflict, InvalidValue, NotFound
from factboard_tui.core.i18n import _
from factboard_tui.core.store import reads
from factboard_tui.core.store.changelog import as_text, stamp
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.schema import CHANGE_TABLE, ROW_TABLE, VISIT_TABLE, Change
from factboard_tui.core.store.transaction import write_transaction

_OPS = frozenset(Op)
_ROW, _ADD = Entity.ROW.value, Op.ADD.value
"""Records hold the enums' plain text: SQLite binds a `str` several times faster than a `StrEnum`."""
Visits = dict[date, tuple[str | None, str | None]]
"""Visits by calendar date: (staff, note); empty staff removes that day's visit."""
Prepared = tuple["RowWrite", dict[str, Any], Visits]
"""A write checked and typed, not yet applied: the write, its typed field values and its cleaned visits."""


@dataclass(frozen=True, slots=True)
class RowWrite:
    """One change to one board row, as raw input for the write path.

    `op` is `add` (a new period: needs client_code and triage), `set` (change fields and visits of an open row)
    or `off` (close the period: needs off_reason). `values` maps field keys (or the board's labels) to raw
    values; `visits` maps calendar dates to (staff, note), where empty staff removes that day's visit.
    """

    op: Op
    row_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    visits: dict[date, tuple[str | None, str | None]] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    """Stored values (field key, or `visit:YYYY-MM-DD`) the editor started from; a difference is an `EditConflict`."""
    confirm: frozenset[str] = frozenset()
    """Fields to record even when the value stays the same: a person confirming it (settling a sync conflict), so
    the confirmation travels to the other sites."""
    code_fix: bool = False
    """A `set` that may correct the client code (a typo): recorded as a change of the same row, history kept."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one call of the write path did."""

    row_id: int
    records: list[ChangeRecord] = field(default_factory=list)
    """The change records appended, as stored (kept as typed dicts: building thousands of `Change` objects for a
    bulk import that never reads them cost seconds)."""

    @property
    def changes(self) -> list[Change]:
        """The change records appended, as `Change` objects."""
        return [Change(**record) for record in self.records]


def _new_row(typed: Mapping[str, Any], now: datetime, author: str) -> dict[str, Any]:
    """The board_row values of a new period: its fields, who added it and when, and its uid between sites."""
    row = {key: typed.get(key) for key in F.ROW_FIELDS if key not in ("date_off", "off_reason")}
    row |= {"created_at": now, "created_by": author, "updated_at": now, "updated_by": author}
    row["uid"] = uuid.uuid4().hex
    return row


def _added_fields(typed: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The fields a new row's change records name: those given a value (no-s and blanks are the default)."""
    return [(key, value) for key, value in typed.items() if value is not None and value is not False]


def _field_change(base: ChangeRecord, field_name: str, old: Any, new: Any) -> ChangeRecord:
    """One change record: `base` (when, who, source, row, op, transaction) with the field and its old and new text."""
    return {**base, "field": field_name, "old": as_text(old), "new": as_text(new)}


def _visit_changes(
    base: ChangeRecord, day: date, old: tuple[str | None, str | None], new: tuple[str | None, str | None]
) -> list[ChangeRecord]:
    """The change records of one weekday cell going from `old` to `new` (staff, note): one per part that changed."""
    changes: list[ChangeRecord] = []
    if old[0] != new[0]:
        changes.append(_field_change(base, visit_key(day), old[0], new[0]))
    if old[1] != new[1]:
        changes.append(_field_change(base, visit_key(day, note=True), old[1], new[1]))
    return changes


def write_row(
    board: BoardHandle,
    author: str,
    op: Op | str,
    *,
    row_id: int | None = None,
    values: Mapping[str, Any] | None = None,
    visits: Mapping[date, tuple[str | None, str | None]] | None = None,
    source: str = "app",
    expected: Mapping[str, Any] | None = None,
    action: str | None = None,
) -> WriteResult:
    """Write one row change through the one write path (see `write_rows`)."""
    write = RowWrite(Op(op), row_id, dict(values or {}), dict(visits or {}), dict(expected or {}))
    return write_rows(board, author, [write], source, action=action)[0]


def write_rows(
    board: BoardHandle, author: str, writes: Sequence[RowWrite], source: str = "app", action: str | None = None
) -> list[WriteResult]:
    """The one write path for board rows: validate, write, stamp who and when, append the change records.

    Every write is validated first; if any value does not fit, `InvalidValue` is raised and nothing is
    written. Then all of them are applied in one transaction that holds the write lock from its start, each
    changed field stamped with author and time and recorded as a `Change`.

    All the change records of one call share one `txn`, the unit undo reverses: one person's action (copying a
    week's 22 visits, an import) is one undo step. A face whose one action takes several calls (the visits
    dialog saves each day as its own cell) names the action with `action`, an id it makes once for them all.
    """
    author = F.parse_initials(author, "author", _("Your initials"))
    prepared = [prepare(board, write) for write in writes]
    now = board.clock().astimezone(UTC)
    txn = action or uuid.uuid4().hex
    results: list[WriteResult] = []
    with write_transaction(board, author) as connection:
        if len(prepared) > 1 and all(write.op == Op.ADD for write, _typed, _visits in prepared):
            return _apply_adds(board, connection, author, source, now, prepared, txn)
        for write, typed, visit_values in prepared:
            results.append(apply(board, connection, author, source, now, write, typed, visit_values, txn=txn))
    return results


def prepare(board: BoardHandle, write: RowWrite) -> Prepared:
    """Validate one write without touching the database."""
    if write.op not in _OPS:
        raise ValueError(f"unknown op {write.op!r}")
    template = board.template
    typed: dict[str, Any] = {}
    for name, raw in write.values.items():
        key = name if name in F.ROW_FIELDS else F.resolve_field(name, template)
        typed[key] = F.coerce(key, raw, template)
    if write.op == Op.ADD:
        if "date_on" not in typed:  # not setdefault: asking the clock for every row of an import adds up
            typed["date_on"] = board.today()
        for required in ("client_code", "triage"):
            if typed.get(required) is None:
                raise InvalidValue(
                    required,
                    _("{template} is required for a new row: fill it in.").format(template=template.label(required)),
                )
    else:
        if write.row_id is None:
            raise ValueError("row_id is required for set and off")
        if "client_code" in typed and not write.code_fix and write.op != Op.UNDO:
            raise InvalidValue(
                "client_code", _("A row's client code cannot be changed with other fields: correct it on its own.")
            )
    if write.op == Op.OFF:
        typed.setdefault("date_off", board.today())
        if not typed.get("off_reason"):
            raise InvalidValue("off_reason", _("Say why the client leaves the board: give a reason."))
    elif write.op != Op.UNDO and ("date_off" in typed or "off_reason" in typed):
        raise InvalidValue("date_off", _("Take a client off the board with `off`, not by setting the date."))
    return write, typed, _coerce_visits(board, write.visits)


def apply(
    board: BoardHandle,
    connection: Connection,
    author: str,
    source: str,
    now: datetime,
    write: RowWrite,
    typed: dict[str, Any],
    visit_values: Visits,
    undoes: str | None = None,
    txn: str | None = None,
) -> WriteResult:
    """Apply one validated write inside the caller's transaction; its change records carry `txn` (the person's
    action: see `write_rows`), a new one if None."""
    op = write.op
    base: ChangeRecord = {"at": now, "author": author, "source": source, "entity": _ROW, "op": str(op)}
    base |= {"txn": txn or uuid.uuid4().hex, "undoes": undoes}
    changes: list[ChangeRecord] = []
    if op == Op.ADD:
        code = typed["client_code"]
        _refuse_open_duplicate(connection, code)
        try:
            inserted: Any = connection.execute(insert(ROW_TABLE).values(**_new_row(typed, now, author)))
            target = int(inserted.inserted_primary_key[0])
        except IntegrityError:
            raise _duplicate(code) from None
        base["row_id"] = target
        changes += [_field_change(base, key, None, value) for key, value in _added_fields(typed)]
    else:
        target = int(write.row_id)  # type: ignore[arg-type]
        current = connection.execute(sa_select(ROW_TABLE).where(ROW_TABLE.c.id == target)).mappings().first()
        if current is None:
            raise NotFound(
                _("There is no board row {target}: it may have been removed; reload the board.").format(target=target)
            )
        if current["date_off"] is not None and op != Op.UNDO:
            raise InvalidValue(
                "date_off",
                _("{code} is off the board since {date}: add them again as a new period to change anything.").format(
                    code=current["client_code"], date=current["date_off"]
                ),
            )
        if op == Op.UNDO and current["date_off"] is not None and typed.get("date_off", True) is None:
            _refuse_open_duplicate(connection, current["client_code"])
        _check_expected(board, connection, write, current)
        diff = {key: value for key, value in typed.items() if current[key] != value or key in write.confirm}
        if "client_code" in diff:  # a corrected code must not be another open row's
            _refuse_open_duplicate(connection, diff["client_code"])
        base["row_id"] = target
        changes += [_field_change(base, key, current[key], value) for key, value in diff.items()]
        if diff:
            connection.execute(
                update(ROW_TABLE).where(ROW_TABLE.c.id == target).values(**diff, updated_at=now, updated_by=author)
            )
    row_changes = len(changes)
    for day, (staff, note) in visit_values.items():
        existing = (
            connection.execute(sa_select(VISIT_TABLE).where(VISIT_TABLE.c.row_id == target, VISIT_TABLE.c.day == day))
            .mappings()
            .first()
        )
        old_staff = existing["staff"] if existing else None
        old_note = existing["note"] if existing else None
        if (old_staff, old_note) == (staff, note):
            continue
        if existing is None:
            connection.execute(insert(VISIT_TABLE).values(row_id=target, day=day, staff=staff, note=note))
        elif staff is None:
            connection.execute(sql_delete(VISIT_TABLE).where(VISIT_TABLE.c.id == existing["id"]))
        else:
            connection.execute(
                update(VISIT_TABLE).where(VISIT_TABLE.c.id == existing["id"]).values(staff=staff, note=note)
            )
        changes += _visit_changes(base, day, (old_staff, old_note), (staff, note))
    if op == Op.SET and len(changes) > row_changes and row_changes == 0:
        # Only visits changed: the row is still stamped with who touched it last.
        connection.execute(update(ROW_TABLE).where(ROW_TABLE.c.id == target).values(updated_at=now, updated_by=author))
    if changes:
        stamp(board, connection, changes)
        connection.execute(insert(CHANGE_TABLE), changes)
    return WriteResult(target, changes)


def _apply_adds(
    board: BoardHandle,
    connection: Connection,
    author: str,
    source: str,
    now: datetime,
    prepared: Sequence[Prepared],
    txn: str,
) -> list[WriteResult]:
    """Many new rows at once (an import, the demo), inside the caller's transaction, as one action (`txn`).

    Writes exactly the rows, visits and change records that `apply` writes one by one, in a handful of
    statements instead of several per row: a 2,000-row import then takes a fraction of a second, not seconds.
    """
    codes = [typed["client_code"] for _write, typed, _visits in prepared]
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise _duplicate(code)
        seen.add(code)
    for start in range(0, len(codes), 500):
        clash = connection.execute(
            sa_select(ROW_TABLE.c.client_code).where(
                ROW_TABLE.c.client_code.in_(codes[start : start + 500]), ROW_TABLE.c.date_off.is_(None)
            )
        ).first()
        if clash is not None:
            raise _duplicate(str(clash[0]))
    rows = [_new_row(typed, now, author) for _write, typed, _visits in prepared]
    try:
        inserted = connection.execute(
            insert(ROW_TABLE).returning(ROW_TABLE.c.id, sort_by_parameter_order=True), rows
        ).all()
    except IntegrityError:
        raise InvalidValue(
            "client_code", _("One of these clients is already on the board: edit that row instead.")
        ) from None
    ids = [int(found[0]) for found in inserted]
    visit_rows: list[dict[str, Any]] = []
    results: list[WriteResult] = []
    all_changes: list[ChangeRecord] = []
    for target, (_write, typed, visit_values) in zip(ids, prepared, strict=True):
        base: ChangeRecord = {"at": now, "author": author, "source": source, "entity": _ROW, "op": _ADD}
        base |= {"row_id": target, "txn": txn, "undoes": None}
        changes = [_field_change(base, key, None, value) for key, value in _added_fields(typed)]
        for day, (staff, note) in visit_values.items():
            if staff is None:
                continue
            visit_rows.append({"row_id": target, "day": day, "staff": staff, "note": note})
            changes += _visit_changes(base, day, (None, None), (staff, note))
        all_changes.extend(changes)
        results.append(WriteResult(target, changes))
    # Plain executemany with SQLAlchemy's own conversion of dates: its per-row parameter handling was most of
    # the time of a large import.
    dialect = connection.dialect
    as_day = VISIT_TABLE.c.day.type.dialect_impl(dialect).bind_processor(dialect)
    as_moment = CHANGE_TABLE.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    assert as_day is not None and as_moment is not None
    if visit_rows:
        connection.exec_driver_sql(
            "INSERT INTO visit (row_id, day, staff, note) VALUES (?, ?, ?, ?)",
            [(v["row_id"], as_day(v["day"]), v["staff"], v["note"]) for v in visit_rows],
        )
    if all_changes:
        stamp(board, connection, all_changes, new_rows=True)  # clocks, origin and sequence numbers, for sync
        columns: tuple[str, ...] = (
            "at",
            "author",
            "source",
            "entity",
            "row_id",
            "op",
            "field",
            "old",
            "new",
            "txn",
        )
        columns += ("undoes",)
        columns += ("hlc", "origin", "seq", "base")
        at = as_moment(now)
        connection.exec_driver_sql(
            f"INSERT INTO change_log ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [(at, *(change[name] for name in columns[1:])) for change in cast(list[dict[str, Any]], all_changes)],
        )
    return results


def _coerce_visits(board: BoardHandle, visits: Mapping[date, tuple[str | None, str | None]]) -> Visits:
    result: Visits = {}
    for day, (staff, note) in visits.items():
        label = board.template.weekday_names[day.weekday()]
        cleaned = F.parse_visit_staff(staff, label) if staff and staff.strip() else None
        result[day] = (cleaned, F.clean_visit_note(note) if cleaned else None)
    return result


def _refuse_open_duplicate(connection: Connection, code: str) -> None:
    clash = connection.execute(
        sa_select(ROW_TABLE.c.id).where(ROW_TABLE.c.client_code == code, ROW_TABLE.c.date_off.is_(None))
    ).first()
    if clash is not None:
        raise _duplicate(code)


def _duplicate(code: str) -> InvalidValue:
    return InvalidValue(
        "client_code",
        _("{code} is already on the board: edit that row instead, or take it off first.").format(code=code),
    )


def _check_expected(board: BoardHandle, connection: Connection, write: RowWrite, current: Any) -> None:
    """Raise `EditConflict` if a value the editor started from has been changed by someone else."""
    for key, expected in write.expected.items():
        visit = visit_part(key)
        if visit is not None and visit[0] == VISIT:
            day = date.fromisoformat(visit[1])
            found = connection.execute(
                sa_select(VISIT_TABLE.c.staff, VISIT_TABLE.c.note).where(
                    VISIT_TABLE.c.row_id == current["id"], VISIT_TABLE.c.day == day
                )
            ).first()
            now_value: Any = tuple(found) if found else (None, None)
            expected = tuple(expected) if expected else (None, None)
            label = f"{board.template.weekday_names[day.weekday()]} {day.isoformat()}"
            shown = " : ".join(part for part in now_value if part)
        else:
            now_value = current[key]
            label = board.template.label(key)
            shown = F.display(now_value, board.template, key)
        if now_value == expected:
            continue
        by, at_text = last_change(connection, current, key)
        raise EditConflict(key, label, shown, by, at_text)


def last_change(connection: Connection, current: Any, key: str) -> tuple[str, str]:
    """Who last changed a field of a row, and when (local HH:MM)."""
    last = connection.execute(
        sa_select(CHANGE_TABLE.c.author, CHANGE_TABLE.c.at)
        .where(CHANGE_TABLE.c.row_id == current["id"], CHANGE_TABLE.c.field == key)
        .order_by(CHANGE_TABLE.c.id.desc())
        .limit(1)
    ).first()
    by, at = (last[0], last[1]) if last else (current["updated_by"], current["updated_at"])
    at_text = at.astimezone().strftime("%H:%M") if isinstance(at, datetime) else str(at)
    return str(by), at_text


def copy_week_visits(board: BoardHandle, author: str, from_monday: date, to_monday: date, source: str = "app") -> int:
    """Carry each open row's visits of one week over to the same weekdays of another, where that day is free.

    Returns how many visits were copied; everything goes through the write path in one transaction.
    """
    open_rows = {row.id for row in reads.rows(board)}
    source_week = reads.visits(board, from_monday, from_monday + timedelta(days=7))
    target_week = reads.visits(board, to_monday, to_monday + timedelta(days=7))
    writes: list[RowWrite] = []
    for row_id, days in source_week.items():
        if row_id not in open_rows:
            continue
        taken = target_week.get(row_id, {})
        new: Visits = {}
        for day, visit in days.items():
            target = to_monday + timedelta(days=(day - from_monday).days)
            if target not in taken:
                new[target] = (visit.staff, visit.note)
        if new:
            writes.append(RowWrite(Op.SET, row_id, visits=new))
    if writes:
        write_rows(board, author, writes, source)
    return sum(len(write.visits) for write in writes)


# -- everyday shapes of the write path -----------------------------------------------------------------------------


def add_row(board: BoardHandle, author: str, values: Mapping[str, Any], source: str = "app") -> int:
    """Put a client on the board (a new period)."""
    return write_row(board, author, Op.ADD, values=values, source=source).row_id


def correct_client_code(
    board: BoardHandle, author: str, row_id: int, code: str, expected: str | None = None, source: str = "app"
) -> WriteResult:
    """Correct a mistyped client code: a change of the same row (its history, visits and meetings stay with it),
    recorded and synced like any field; refused if another open row has that code, or (with `expected`) if
    someone changed the code meanwhile."""
    write = RowWrite(
        Op.SET,
        row_id,
        values={"client_code": code},
        expected={} if expected is None else {"client_code": expected},
        code_fix=True,
    )
    return write_rows(board, author, [write], source)[0]


def set_field(
    board: BoardHandle, author: str, row_id: int, field_key: str, value: Any, source: str = "app"
) -> WriteResult:
    """Change one field; a weekday key (`mon`..`sun`) sets that day's visit in the current week."""
    key = F.resolve_field(field_key, board.template)
    if key in WEEKDAY_KEYS:
        day = week_start(board.today()) + timedelta(days=WEEKDAY_KEYS.index(key))
        return write_row(
            board, author, Op.SET, row_id=row_id, visits={day: F.split_visit_cell(str(value or ""))}, source=source
        )
    return write_row(board, author, Op.SET, row_id=row_id, values={key: value}, source=source)


def take_off(board: BoardHandle, author: str, row_id: int, reason: str, source: str = "app") -> WriteResult:
    """Close a client's period on the board; its history stays."""
    return write_row(board, author, Op.OFF, row_id=row_id, values={"off_reason": reason}, source=source)
