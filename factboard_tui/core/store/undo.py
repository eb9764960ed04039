"""Undo: a person's newest action on the board is reversed by new writes, which are themselves recorded.

One action is one undo step: the change records of one action share a `txn` (copying last week's 22 visits, the
visits dialog's week, an import: see `rows.write_rows`), on one row or many. Nothing is deleted from the change
log. Undo finds the person's newest action that no later undo reverses, builds for each row it touched the write
that puts back the old values (an added row is taken off again), and applies them all through the row write path
in one transaction, marked as undoing that action. It refuses, writing nothing, when someone else has changed one
of those fields since, or when reopening a period would make a second open row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import select as sa_select

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import VISIT, Op, is_visit_key, visit_key, visit_part
from factboard_tui.core.errors import InvalidValue, NotFound
from factboard_tui.core.i18n import _
from factboard_tui.core.store import reads
from factboard_tui.core.store.changelog import as_text
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.rows import RowWrite, WriteResult, apply, last_change, prepare
from factboard_tui.core.store.schema import CHANGE_TABLE, ROW_TABLE
from factboard_tui.core.store.transaction import write_transaction


def undo_last(board: BoardHandle, author: str, source: str = "app") -> WriteResult:
    """Reverse this person's newest change to a board row that is not yet undone; the undo is itself recorded.

    Refused, writing nothing, when someone has changed one of those fields since (undo would overwrite
    their work) or when reopening a period would make a second open row for the client.
    """
    author = F.parse_initials(author, "author", _("Your initials"))
    now = board.clock().astimezone(UTC)
    with write_transaction(board, author) as connection:
        undone = sa_select(CHANGE_TABLE.c.undoes).where(CHANGE_TABLE.c.undoes.is_not(None))
        txn = connection.execute(
            sa_select(CHANGE_TABLE.c.txn)
            .where(
                CHANGE_TABLE.c.author == author,
                CHANGE_TABLE.c.origin == board.site_id,
                CHANGE_TABLE.c.entity == "row",
                CHANGE_TABLE.c.op != "undo",
                CHANGE_TABLE.c.txn.not_in(undone),
            )
            .order_by(CHANGE_TABLE.c.id.desc())
            .limit(1)
        ).scalar()
        if txn is None:
            raise NotFound(_("{author} has no change on the board left to undo.").format(author=author))
        changes = (
            connection.execute(sa_select(CHANGE_TABLE).where(CHANGE_TABLE.c.txn == txn).order_by(CHANGE_TABLE.c.id))
            .mappings()
            .all()
        )
        by_row: dict[int, list[Any]] = {}
        for change in changes:
            by_row.setdefault(int(change["row_id"]), []).append(change)
        undo_txn = uuid.uuid4().hex  # the undo is one action too
        result: WriteResult | None = None
        for row_id, row_changes in by_row.items():
            current = connection.execute(sa_select(ROW_TABLE).where(ROW_TABLE.c.id == row_id)).mappings().one()
            write = _inverse(board, row_changes, row_id)
            # Undo only what is still as this person left it.
            for change in row_changes:
                key = change["field"]
                if is_visit_key(key):
                    continue
                if as_text(current[key]) != change["new"]:
                    by, at_text = last_change(connection, current, key)
                    raise InvalidValue(
                        key,
                        _(
                            "Cannot undo: {current} {template} was changed by {by} at {at_text} after your change; "
                            "edit it instead (nothing was changed)."
                        ).format(
                            current=current["client_code"], template=board.template.label(key), by=by, at_text=at_text
                        ),
                    )
            _write, typed, visit_values = prepare(board, write)
            done = apply(board, connection, author, source, now, write, typed, visit_values, undoes=txn, txn=undo_txn)
            result = done if result is None else WriteResult(result.row_id, [*result.records, *done.records])
        assert result is not None
        return result


def _inverse(board: BoardHandle, changes: Sequence[Any], row_id: int) -> RowWrite:
    """The write that puts back what `changes` (one transaction) replaced."""
    op = changes[0]["op"]
    if op == Op.ADD:
        return RowWrite(Op.UNDO, row_id, values={"date_off": board.today(), "off_reason": F.UNDO_OFF_REASON})
    values: dict[str, Any] = {}
    visits: dict[date, list[str | None]] = {}
    for change in changes:
        key = change["field"]
        visit = visit_part(key)
        if visit is not None:
            kind, day_text = visit
            day = date.fromisoformat(day_text)
            pair = visits.setdefault(day, [None, None])
            pair[0 if kind == VISIT else 1] = change["old"]
        else:
            values[key] = change["old"]
    for day, pair in visits.items():
        if pair[0] is None and pair[1] is None:
            continue
        _complete_visit(board, row_id, day, pair, changes)
    return RowWrite(Op.UNDO, row_id, values=values, visits={d: (p[0], p[1]) for d, p in visits.items()})


def _complete_visit(board: BoardHandle, row_id: int, day: date, pair: list[str | None], changes: Sequence[Any]) -> None:
    """Fill in the half of a visit (staff or note) that the undone change did not touch."""
    touched = {change["field"] for change in changes}
    current = reads.visits(board, day, day + timedelta(days=1)).get(row_id, {}).get(day)
    if visit_key(day) not in touched:
        pair[0] = current.staff if current else None
    if visit_key(day, note=True) not in touched:
        pair[1] = current.note if current else None
