"""The board's rows as JSON records written by SQLite itself: what `factboard rows list --json` prints.

Issue 15's budget is the whole command within 1 s of CPU at 20,000 rows, and starting Python, unlocking (Argon2id)
and the whole-file page check already take about three quarters of it. Read into Python objects, turned into dicts
(`views.row_record`) and encoded, the rows took a second more; here one statement builds each record with
`json_object` in C (labels from the template, days on the board, this week's visits) and Python only joins the
lines. The record is the one `views.row_record` makes, key for key and value for value
(`tests/core/test_json_rows.py` compares the two on a board of hostile values); only the spacing differs.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.fields import ROW_FIELDS, Kind
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.store.handle import BoardHandle

_BOOLEANS = {key for key, spec in ROW_FIELDS.items() if spec.kind is Kind.YES_NO}

_CANONICAL_MOMENT = "length(r.updated_at) = 26 AND substr(r.updated_at, 11, 1) = ' '"
"""A moment as the store writes it (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC without an offset): rewritten in SQL as
Python's `isoformat` writes it; anything else is left to Python (`_moment`)."""


def _field(key: str) -> str:
    if key in _BOOLEANS:  # stored as 0/1: JSON's true/false, as the ORM reads them
        return f"CASE WHEN r.{key} IS NULL THEN NULL WHEN r.{key} THEN json('true') ELSE json('false') END"
    return f"r.{key}"  # dates are stored as their ISO text already


_RECORD = ", ".join(
    [
        "'id', r.id",
        *(f"'{key}', {_field(key)}" for key in ROW_FIELDS),
        "'triage_label', CASE WHEN coalesce(r.triage, '') = '' THEN NULL ELSE t.label END",
        "'category_label', CASE WHEN coalesce(r.category, '') = '' THEN NULL ELSE coalesce(c.label, r.category) END",
        "'days_on_board', CAST(round(julianday(coalesce(r.date_off, :today)) - julianday(r.date_on)) AS INTEGER)",
        "'evaluation_passed', CASE WHEN r.date_off IS NULL AND r.evaluation_date IS NOT NULL "
        "AND r.evaluation_date < :today THEN json('true') ELSE json('false') END",
        "'visits', json_object(" + ", ".join(f"'{key}', w.days -> :day{i}" for i, key in enumerate(WEEKDAY_KEYS)) + ")",
        f"'updated_at', CASE WHEN {_CANONICAL_MOMENT} THEN substr(r.updated_at, 1, 10) || 'T' || "
        "substr(r.updated_at, 12, 8) || iif(substr(r.updated_at, 20) = '.000000', '', substr(r.updated_at, 20)) "
        "|| '+00:00' END",
        "'updated_by', r.updated_by",
    ]
)

_SQL = f"""
WITH triage (key, label, rank) AS MATERIALIZED (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(:triage)),
     category (key, label) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(:categories)),
     week (row_id, days) AS MATERIALIZED (
        SELECT row_id, json_group_object(day, json_object('date', day, 'staff', staff, 'note', note))
        FROM visit WHERE day >= :day0 AND day <= :day6 GROUP BY row_id
     )
SELECT json_object({_RECORD}), {_CANONICAL_MOMENT}, r.updated_at
FROM board_row AS r
LEFT JOIN triage AS t ON t.key = r.triage
LEFT JOIN category AS c ON c.key = r.category
LEFT JOIN week AS w ON w.row_id = r.id
{{where}}
ORDER BY r.date_off IS NOT NULL, coalesce(t.rank, :unranked), r.date_on, r.client_code, r.id
"""
"""Board order as `reads.board_order` sorts (off the board last, triage priority, date on, client code). A row's
week is one JSON object of its visits by date, and each weekday picks its own out (`->`, null when none): one
aggregate per row, where seven `max(CASE …)` per visit took a third of the statement (issue 15)."""


def _moment(record: str, stored: str) -> str:
    """A record whose moment the store did not write in its usual form, with it as `views.row_record` writes it."""
    value = json.loads(record)
    value["updated_at"] = datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat()
    return json.dumps(value, ensure_ascii=False)


def row_records_json(board: BoardHandle, today: date, include_off: bool = False) -> list[str]:
    """Each row's record (`views.row_record`) as JSON text, in board order, with the visits of `today`'s week."""
    template = board.template
    monday = week_start(today)
    parameters: dict[str, object] = {
        "today": today.isoformat(),
        "triage": json.dumps([[level.key, level.label, rank] for rank, level in enumerate(template.triage)]),
        "categories": json.dumps([[category.key, category.label] for category in template.categories]),
        "unranked": len(template.triage),
    }
    for index in range(len(WEEKDAY_KEYS)):
        parameters[f"day{index}"] = (monday + timedelta(days=index)).isoformat()
    statement = _SQL.format(where="" if include_off else "WHERE r.date_off IS NULL")
    with board.connected() as connection:  # the driver's own cursor: SQLAlchemy's rows cost 60 ms at 20,000
        raw = connection.connection.dbapi_connection
        assert raw is not None
        found = raw.execute(statement, parameters).fetchall()
    return [record if canonical else _moment(record, stored) for record, canonical, stored in found]
