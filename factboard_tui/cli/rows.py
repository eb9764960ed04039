"""`factboard rows list|add|set|off`: a client's row on the board, by its code, as scripts and quick fixes need it.

Every write goes through the store's one write path with `source="cli"`, stamped with `--user` or
`$FACTBOARD_USER`; `rows list` shows the board in board order, and `--json` gives scripts every column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from factboard_tui.cli.common import (
    CodeArgument,
    DbOption,
    JsonOption,
    UserOption,
    author,
    out,
    print_json_records,
    unlocked,
    user_errors,
)
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.shown import shown

if TYPE_CHECKING:
    from factboard_tui.core.store.board import Board
    from factboard_tui.core.store.schema import BoardRow

group = typer.Typer(help=_("List, add, change and take off board rows."), no_args_is_help=True)


def open_row(board: Board, code: str) -> tuple[int, BoardRow]:
    """The id and row of the client on the board with this code."""
    row = board.open_row_by_code(code)
    return row.id or 0, row  # a stored row always has its id


@group.command("list")
@user_errors
def rows_list(
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
    include_off: Annotated[
        bool, typer.Option("--all", help=_("Also rows that have been taken off the board."))
    ] = False,
) -> None:
    """List the rows on the board, in board order."""
    if as_json:
        from factboard_tui.core.store.json_rows import row_records_json

        with unlocked(db, user) as board:
            records_json = row_records_json(board, board.today(), include_off)  # written by SQLite: issue 15
        print_json_records(records_json)
        return
    from factboard_tui.core.domain.views import row_record

    with unlocked(db, user) as board:
        today = board.today()
        week = board.week_visits(today)
        rows = board.rows(include_off)  # tuples, not ORM objects: 20,000 rows in well under a second
        records = [row_record(row, week.get(row.id or 0, {}), board.template, today) for row in rows]
        template = board.template
    table = Table(
        title=ngettext("{count} row", "{count} rows", len(records)).format(count=len(records)), header_style="bold"
    )
    wide = out.width >= 140  # free text only where it can be read; `--json` always has everything
    columns = ["date_on", "client_code", "triage", "category", "primary_contact"]
    columns += ["situation", "actions"] if wide else []
    for key in columns:
        free_text = key in ("situation", "actions")
        table.add_column(
            shown(template.label(key), one_line=True),
            overflow="ellipsis",
            no_wrap=not free_text,
            max_width=None if free_text else 14,
        )
    for weekday in template.weekdays:
        table.add_column(shown(weekday, one_line=True), min_width=len(weekday), overflow="fold")
    for record in records:
        cells = [record[key] if key not in ("triage", "category") else record[f"{key}_label"] for key in columns]
        cells += [(cell or {}).get("staff") or "" for cell in record["visits"].values()]
        table.add_row(*[shown(cell or "") for cell in cells])
    out.print(table)


@group.command("add")
@user_errors
def rows_add(
    code: Annotated[str, typer.Option("--code", help=_("Pseudonymous client code, like DD-75."))],
    triage: Annotated[str, typer.Option("--triage", help=_("Triage level (label or key)."))],
    db: DbOption = None,
    user: UserOption = None,
    date_on: Annotated[str | None, typer.Option("--date", help=_("Date on board (default today)."))] = None,
    category: Annotated[
        str | None, typer.Option(help=_("Category (label or key of the template's categories)."))
    ] = None,
    primary_contact: Annotated[str | None, typer.Option("--primary-contact", help=_("Primary contact (FVK)."))] = None,
    doctor: Annotated[str | None, typer.Option(help=_("Responsible doctor (staff initials)."))] = None,
    other_providers: Annotated[
        str | None, typer.Option("--other-providers", help=_("Other care providers involved (free text)."))
    ] = None,
    children: Annotated[str | None, typer.Option(help=_("Children under 18: yes or no."))] = None,
    children_note: Annotated[
        str | None, typer.Option("--children-note", help=_("A note about the children (free text)."))
    ] = None,
    situation: Annotated[str | None, typer.Option(help=_("Current situation (free text)."))] = None,
    actions: Annotated[str | None, typer.Option(help=_("Current actions (free text)."))] = None,
    safety: Annotated[
        str | None, typer.Option(help=_("Safety: risks and what is done about them (free text)."))
    ] = None,
    evaluation_date: Annotated[
        str | None, typer.Option("--evaluation-date", help=_("Next evaluation, like 2026-12-01."))
    ] = None,
    crisis_plan: Annotated[
        str | None,
        typer.Option(
            "--crisis-plan", help=_("Crisis plan status: missing, in_progress or exists (or the board's words).")
        ),
    ] = None,
    crisis_plan_review: Annotated[
        str | None, typer.Option("--crisis-plan-review", help=_("When the crisis plan is to be reviewed."))
    ] = None,
    legal_measure: Annotated[
        str | None, typer.Option("--legal-measure", help=_("The legal measure in force (the board's name for it)."))
    ] = None,
    measure_start: Annotated[str | None, typer.Option("--measure-start", help=_("When the measure began."))] = None,
    measure_expiry: Annotated[str | None, typer.Option("--measure-expiry", help=_("When the measure expires."))] = None,
    mon: Annotated[str | None, typer.Option(help=_("This week's Monday visit, like DEN+MJR or 'DEN: note'."))] = None,
    tue: Annotated[str | None, typer.Option(help=_("This week's Tuesday visit, like --mon."))] = None,
    wed: Annotated[str | None, typer.Option(help=_("This week's Wednesday visit, like --mon."))] = None,
    thu: Annotated[str | None, typer.Option(help=_("This week's Thursday visit, like --mon."))] = None,
    fri: Annotated[str | None, typer.Option(help=_("This week's Friday visit, like --mon."))] = None,
    sat: Annotated[str | None, typer.Option(help=_("This week's Saturday visit, like --mon."))] = None,
    sun: Annotated[str | None, typer.Option(help=_("This week's Sunday visit, like --mon."))] = None,
) -> None:
    """Put a client on the board."""
    from datetime import timedelta

    from factboard_tui.core.clock import week_start
    from factboard_tui.core.domain.fields import split_visit_cell
    from factboard_tui.core.domain.templates import WEEKDAY_KEYS

    given = {
        "client_code": code,
        "triage": triage,
        "date_on": date_on,
        "category": category,
        "primary_contact": primary_contact,
        "doctor": doctor,
        "other_providers": other_providers,
        "children": children,
        "children_note": children_note,
        "situation": situation,
        "actions": actions,
        "safety": safety,
        "evaluation_date": evaluation_date,
        "crisis_plan": crisis_plan,
        "crisis_plan_review": crisis_plan_review,
        "legal_measure": legal_measure,
        "legal_measure_start": measure_start,
        "legal_measure_expiry": measure_expiry,
    }
    values = {key: value for key, value in given.items() if value is not None}
    days = {"mon": mon, "tue": tue, "wed": wed, "thu": thu, "fri": fri, "sat": sat, "sun": sun}
    with unlocked(db, user) as board:
        who = author(user)
        monday = week_start(board.today())
        visits = {
            monday + timedelta(days=WEEKDAY_KEYS.index(key)): split_visit_cell(cell)
            for key, cell in days.items()
            if cell is not None
        }
        result = board.write_row(who, "add", values=values, visits=visits, source="cli")
        row = board.row(result.row_id)
    out.print(shown(_("Added {code} to the board (row {number}).").format(code=row.client_code, number=row.id)))


@group.command("set")
@user_errors
def rows_set(
    code: CodeArgument,
    field: Annotated[str, typer.Argument(help=_("Field key or the board's column label (mon..sun for visits)."))],
    value: Annotated[str, typer.Argument(help=_("New value; empty text clears the field."))],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Change one field of a client's row."""
    with unlocked(db, user) as board:
        row_id, row = open_row(board, code)
        result = board.set_field(author(user), row_id, field, value, source="cli")
    if result.changes:
        for change in result.changes:
            out.print(shown(f"{row.client_code} {change.field}: {change.old or '—'} -> {change.new or '—'}"))
    else:
        out.print(shown(_("{code}: no change (the value was already that).").format(code=row.client_code)))


@group.command("off")
@user_errors
def rows_off(
    code: CodeArgument,
    reason: Annotated[str, typer.Option("--reason", help=_("Why the client leaves the board."))],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Take a client off the board (the period closes; its history stays)."""
    with unlocked(db, user) as board:
        row_id, row = open_row(board, code)
        board.take_off(author(user), row_id, reason, source="cli")
    out.print(shown(_("Took {code} off the board.").format(code=row.client_code)))
