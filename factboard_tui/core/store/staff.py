"""The one write path for the team list: add a member, or change the fields given.

Like row writes, a staff write validates first (initials, a name on one line, a discipline and organisation the
board's template knows), then writes in one `write_transaction` and records one change record per field changed,
stamped for sync. Members are never deleted: they are made inactive, so history keeps their initials.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select

from factboard_tui.core.domain import characters
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import ChangeRecord, Entity, Op
from factboard_tui.core.domain.templates import fold
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _
from factboard_tui.core.store.changelog import as_text, stamp
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.schema import CHANGE_TABLE, STAFF_TABLE, Staff
from factboard_tui.core.store.transaction import write_transaction


def write_staff(
    board: BoardHandle,
    author: str,
    initials: str,
    *,
    name: str | None = None,
    discipline: str | None = None,
    organisation: str | None = None,
    active: bool | None = None,
    source: str = "app",
) -> Staff:
    """The one write path for the team list: add a member, or change the fields given."""
    author = F.parse_initials(author, "author", _("Your initials"))
    initials = F.parse_initials(initials, "initials", _("Initials"))
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = F.clean_text(name, "name", _("Name"), 80, multiline=False)
    if discipline is not None:
        wanted["discipline"] = _choice(discipline, board.template.disciplines, "discipline", "Discipline")
    if organisation is not None:
        wanted["organisation"] = _choice(organisation, board.template.organisations, "organisation", "Organisation")
    if active is not None:
        wanted["active"] = active
    now = board.clock().astimezone(UTC)
    txn = uuid.uuid4().hex
    with write_transaction(board, author) as connection:
        current = (
            connection.execute(sa_select(STAFF_TABLE).where(STAFF_TABLE.c.initials == initials)).mappings().first()
        )
        if current is None:
            op = Op.ADD
            new = F.STAFF_DEFAULTS | wanted
            inserted: Any = connection.execute(insert(STAFF_TABLE).values(initials=initials, **new))
            staff_id = int(inserted.inserted_primary_key[0])
            diff = {"initials": (None, initials)} | {k: (None, v) for k, v in new.items() if v not in ("", True)}
        else:
            op = Op.SET
            staff_id = int(current["id"])
            diff = {k: (current[k], v) for k, v in wanted.items() if current[k] != v}
            if diff:
                connection.execute(
                    update(STAFF_TABLE)
                    .where(STAFF_TABLE.c.id == staff_id)
                    .values(**{k: v for k, (_old, v) in diff.items()})
                )
        if diff:
            records: list[ChangeRecord] = [
                {
                    "at": now,
                    "author": author,
                    "source": source,
                    "entity": Entity.STAFF.value,
                    "staff_id": staff_id,
                    "op": op.value,
                    "field": key,
                    "old": as_text(old),
                    "new": as_text(value),
                    "txn": txn,
                }
                for key, (old, value) in diff.items()
            ]
            stamp(board, connection, records)
            connection.execute(insert(CHANGE_TABLE), records)
        saved = connection.execute(sa_select(STAFF_TABLE).where(STAFF_TABLE.c.id == staff_id)).mappings().one()
    return Staff(**saved)


def _choice(raw: str, options: dict[str, str], key: str, label: str) -> str:
    wanted = fold(raw)
    for option_key, option_label in options.items():
        if wanted in (fold(option_key), fold(option_label)):
            return option_key
    raise InvalidValue(
        key,
        _("{label} '{characters}' is not known: use one of {value}.").format(
            label=label, characters=characters.excerpt(raw), value=", ".join(options.values())
        ),
    )
