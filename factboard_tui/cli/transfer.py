"""`factboard export week|board` and `factboard import`: the board's way in from spreadsheets and out to coordinators.

Both only call core services (`core.transfer.export`, `export_formats`, `importer`); they add progress bars, tables
and the reminder that an exported file is not encrypted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from factboard_tui.cli.common import DbOption, UserOption, author, out, progress_bar, unlocked, user_errors
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.errors import FactBoardError
from factboard_tui.shown import shown

group = typer.Typer(
    help="Export the week's actions or the whole board (CSV, XLSX, Markdown, HTML, ICS). Exports are NOT encrypted.",
    no_args_is_help=True,
)
commands = typer.Typer()
"""`factboard import`, registered on the app without a group name."""

WeekOption = Annotated[
    str | None, typer.Option("--week", help="The week, like 2026-W48 or a date in it (default: this week).")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="The file to write (default: a name saying what it holds).")
]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", help="csv, xlsx, md, html or ics (default: from -o's suffix, else html)."),
]


def _format(given: str | None, output: Path | None, allowed: tuple[Any, ...]) -> Any:
    """The format asked for, or the one -o's suffix names, or HTML."""
    from factboard_tui.core.transfer.export import Format

    names = ", ".join(fmt.value for fmt in allowed)
    wanted = given or (output.suffix.lstrip(".").lower() if output is not None and output.suffix else "html")
    wanted = {"markdown": "md", "ical": "ics", "htm": "html"}.get(wanted.lower(), wanted.lower())
    try:
        fmt = Format(wanted)
    except ValueError:
        if given is None and output is not None:
            raise FactBoardError(f"Cannot tell the format from {output.name}: pass --format {names}.") from None
        raise FactBoardError(f"'{wanted}' is not an export format: use one of {names}.") from None
    if fmt not in allowed:
        raise FactBoardError(f"This export comes as {names}, not {fmt.value}: choose one of those.")
    return fmt


def _written(path: Path, what: str) -> None:
    from factboard_tui.core.transfer.export import NOT_ENCRYPTED

    out.print(shown(f"Wrote {what} to {path}"), soft_wrap=True)
    out.print(shown((NOT_ENCRYPTED, "bold yellow")), soft_wrap=True)


@group.command("week")
@user_errors
def export_week(
    db: DbOption = None,
    user: UserOption = None,
    week: WeekOption = None,
    fmt: FormatOption = None,
    by: Annotated[
        str, typer.Option("--by", help="Group by day (the team's week), staff (each person's) or provider.")
    ] = "day",
    output: OutputOption = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            help="Calendar (ics) only: also each row's actions, triage and other providers in its events "
            "(by default an event holds the client code, staff and visit note; calendars are often synced to clouds).",
        ),
    ] = False,
) -> None:
    """The week's visits, each row's current actions and the evaluation dates that fall in the week."""
    from factboard_tui.core.clock import week_start
    from factboard_tui.core.transfer.export import (
        WEEK_FORMATS,
        Format,
        Grouping,
        calendar_contents,
        default_filename,
        parse_week,
        week_document,
    )
    from factboard_tui.core.transfer.export import write_recorded_export as write
    from factboard_tui.core.transfer.export_formats import render

    chosen = _format(fmt, output, WEEK_FORMATS)
    if details and chosen is not Format.ICS:
        raise FactBoardError(
            f"--details is for calendar exports (ics); a {chosen.value} export holds every column already: "
            "leave it out."
        )
    try:
        grouping = Grouping(by.lower())
    except ValueError:
        raise FactBoardError(f"Cannot group by '{by}': use day, staff or provider.") from None
    with unlocked(db, user) as board:
        monday = parse_week(week, board.today()) if week else week_start(board.today())
        document = week_document(board, monday, grouping, calendar_details=details)
        data = render(document, chosen)
        target = write(
            board,
            output or Path(default_filename("week", chosen, monday, grouping)),
            data,
            f"week ({chosen.value}), cli",
        )
    what = f"{len(document.events)} visits in {len(document.tables)} groups ({chosen.value.upper()}"
    if chosen is Format.ICS:
        what += f", {calendar_contents(details)}" + ("" if details else "; --details adds the rest")
    _written(target, what + ")")


@group.command("board")
@user_errors
def export_board(
    db: DbOption = None,
    user: UserOption = None,
    fmt: FormatOption = None,
    week: WeekOption = None,
    output: OutputOption = None,
) -> None:
    """The current board as the team knows it: every open row, every column, the week's visits."""
    from factboard_tui.core.clock import week_start
    from factboard_tui.core.transfer.export import BOARD_FORMATS, board_document, default_filename, parse_week
    from factboard_tui.core.transfer.export import write_recorded_export as write
    from factboard_tui.core.transfer.export_formats import render

    chosen = _format(fmt, output, BOARD_FORMATS)
    with unlocked(db, user) as board:
        monday = parse_week(week, board.today()) if week else week_start(board.today())
        document = board_document(board, monday)
        data = render(document, chosen)
        target = write(
            board, output or Path(default_filename("board", chosen, monday)), data, f"board ({chosen.value}), cli"
        )
    _written(target, f"{document.line_count} rows ({chosen.value.upper()})")


# -- import ---------------------------------------------------------------------------------------------------------


def _preview(plan: Any, template: Any) -> Table:
    """The rows as they would go on the board, each marked ok or with its problem count."""
    problems: dict[int, int] = {}
    for problem in plan.problems:
        problems[problem.row] = problems.get(problem.row, 0) + 1
    table = Table(title=shown(f"{plan.file_name}: {plan.row_count} rows", one_line=True), header_style="bold")
    short = ["date_on", "client_code", "triage", "primary_contact"]
    wide = ["category", "actions"] if out.width >= 140 else []
    table.add_column("row", justify="right", no_wrap=True)
    for key in short:
        table.add_column(shown(template.label(key), one_line=True), no_wrap=True, min_width=len(template.label(key)))
    table.add_column("visits", overflow="fold")
    for key in wide:
        table.add_column(shown(template.label(key), one_line=True), overflow="ellipsis", no_wrap=True, max_width=40)
    table.add_column("check", no_wrap=True)
    lines = {row.line: row for row in plan.rows}
    for line in sorted(set(lines) | set(problems)):
        row = lines.get(line)
        preview = row.preview if row else {}
        visits = " ".join(f"{template.label(k)} {preview[k]}" for k in WEEKDAY_KEYS if k in preview)
        status = shown((f"{problems[line]} problem(s)", "red") if line in problems else ("ok", "green"))
        cells = [preview.get(key, "") for key in short] + [visits] + [preview.get(key, "") for key in wide]
        table.add_row(str(line), *(shown(cell, one_line=True) for cell in cells), status)
    return table


@commands.command("import")
@user_errors
def import_board(
    file: Annotated[Path, typer.Argument(help="The board as .xlsx or .csv (UTF-8), with the board's column labels.")],
    db: DbOption = None,
    user: UserOption = None,
    template: Annotated[
        str | None,
        typer.Option("--template", help="The language of the file's values: sv, da or en (default: guessed)."),
    ] = None,
    week: WeekOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported and every problem; write nothing.")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows and name the skipped ones.")
    ] = False,
) -> None:
    """Move an existing Excel or CSV board in: all rows or none (unless --skip-bad)."""
    from factboard_tui.core.transfer.export import parse_week
    from factboard_tui.core.transfer.importer import iter_problems, plan_import, refusal, run_import

    with unlocked(db, user) as board:
        who = None if dry_run else author(user)
        monday = parse_week(week, board.today()) if week else None
        with progress_bar() as step:
            plan = plan_import(board, file, template, monday, step)
        if dry_run:
            out.print(_preview(plan, board.template))
        for line in iter_problems(plan):
            out.print(shown(("problem", "red"), " ", line, one_line=True), soft_wrap=True)
        for what, columns in (("unknown, not imported", plan.unknown), ("computed, not imported", plan.ignored)):
            if columns:
                out.print(shown(f"Columns {what}: {', '.join(columns)}", one_line=True), soft_wrap=True)
        if dry_run:
            out.print(
                shown(
                    f"Dry run ({plan.template_id} values, visits in the week of {plan.monday.isoformat()}): "
                    f"{len(plan.good_rows)} rows would be imported, {len(plan.bad_lines)} have problems. "
                    "Nothing was written."
                ),
                soft_wrap=True,
            )
            if plan.bad_lines:
                raise refusal(plan, dry_run=True)
            return
        assert who is not None
        with progress_bar() as step:
            step("writing", 0, 0)  # one transaction: how far it is cannot be told
            result = run_import(board, plan, who, skip_bad)
    skipped = f"; skipped rows {', '.join(map(str, result.skipped))} (problems above)" if result.skipped else ""
    out.print(
        shown(
            f"Imported {len(result.row_ids)} rows from {plan.file_name}{skipped}. Each row's history says it was "
            f"imported from {plan.file_name}."
        ),
        soft_wrap=True,
    )
