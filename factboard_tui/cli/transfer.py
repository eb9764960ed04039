"""`factboard export week|board` and `factboard import`: the board's way in from spreadsheets and out to coordinators.

Both only call core services (`core.transfer.export`, `export_formats`, `importer`); they add progress bars, tables
and the reminder that an exported file is not encrypted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from factboard_tui.cli.common import DbOption, UserOption, author, choices, out, progress_bar, unlocked, user_errors
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.shown import shown

group = typer.Typer(
    help=_(
        "Export the week's actions (CSV, XLSX, Markdown, HTML, ICS) or the whole board (CSV, XLSX, HTML). Exports are "
        "NOT encrypted."
    ),
    no_args_is_help=True,
)
commands = typer.Typer()
"""`factboard import`, registered on the app without a group name."""

WeekOption = Annotated[
    str | None, typer.Option("--week", help=_("The week, like 2026-W48 or a date in it (default: this week)."))
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help=_("The file to write (default: a name saying what it holds).")),
]
WEEK_FORMAT_NAMES = ("csv", "xlsx", "md", "html", "ics")
"""The week export's formats as typed (core `WEEK_FORMATS`; the store is not imported for `--help`)."""
BOARD_FORMAT_NAMES = ("csv", "xlsx", "html")
"""The board export's formats as typed (core `BOARD_FORMATS`)."""
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        **choices(WEEK_FORMAT_NAMES),
        help=_("The file's format (default: from -o's suffix, else html)."),
    ),
]
BoardFormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        **choices(BOARD_FORMAT_NAMES),
        help=_("The file's format (default: from -o's suffix, else html)."),
    ),
]
"""The board export's formats: a calendar or Markdown of the whole board would help nobody."""
DelimiterOption = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        **choices((",", ";", "tab")),
        help=_(
            "CSV only: what separates the cells (default: ';' on a board in a language that writes a decimal comma, "
            "as sv, da, nb and nl do, where Excel opens a double-clicked file in columns only with ';'; else ',')."
        ),
    ),
]


def _delimiter(given: str | None, chosen: Any) -> str | None:
    """`--delimiter` as a character, refused for a format that has none."""
    from factboard_tui.core.transfer.export import Format
    from factboard_tui.core.transfer.export_formats import parse_delimiter

    if given is None:
        return None
    if chosen is not Format.CSV:
        raise FactBoardError(
            _("--delimiter is for CSV exports; a {format} export has no delimiter: leave it out.").format(
                format=chosen.value
            )
        )
    return parse_delimiter(given)


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
            raise FactBoardError(
                _("Cannot tell the format from {name}: pass --format {formats}.").format(
                    name=output.name, formats=names
                )
            ) from None
        raise FactBoardError(
            _("'{wanted}' is not an export format: use one of {formats}.").format(wanted=wanted, formats=names)
        ) from None
    if fmt not in allowed:
        raise FactBoardError(
            _("This export comes as {formats}, not {format}: choose one of those.").format(
                formats=names, format=fmt.value
            )
        )
    return fmt


def _written(path: Path, what: str) -> None:
    from factboard_tui.core.transfer.export_file import NOT_ENCRYPTED

    out.print(shown(_("Wrote {what} to {path}").format(what=what, path=path)), soft_wrap=True)
    out.print(shown((_(NOT_ENCRYPTED), "bold yellow")), soft_wrap=True)


@group.command("week")
@user_errors
def export_week(
    db: DbOption = None,
    user: UserOption = None,
    week: WeekOption = None,
    fmt: FormatOption = None,
    by: Annotated[
        str, typer.Option("--by", help=_("Group by day (the team's week), staff (each person's) or provider."))
    ] = "day",
    output: OutputOption = None,
    delimiter: DelimiterOption = None,
    details: Annotated[
        bool,
        typer.Option(
            "--details",
            help=_(
                "Calendar (ics) only: also each row's actions, triage and other providers in its events "
                "(by default an event holds the client code, staff and visit note; "
                "calendars are often synced to clouds)."
            ),
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
    from factboard_tui.core.transfer.export_file import write_recorded_export as write
    from factboard_tui.core.transfer.export_formats import format_named, render

    chosen = _format(fmt, output, WEEK_FORMATS)
    if details and chosen is not Format.ICS:
        raise FactBoardError(
            _(
                "--details is for calendar exports (ics); a {format} export holds every column already: leave it out."
            ).format(format=chosen.value)
        )
    separator = _delimiter(delimiter, chosen)
    try:
        grouping = Grouping(by.lower())
    except ValueError:
        raise FactBoardError(_("Cannot group by '{by}': use day, staff or provider.").format(by=by)) from None
    with unlocked(db, user) as board:
        monday = parse_week(week, board.today()) if week else week_start(board.today())
        document = week_document(board, monday, grouping, calendar_details=details)
        data = render(document, chosen, delimiter=separator)
        target = write(
            board,
            output or Path(default_filename("week", chosen, monday, grouping)),
            data,
            f"week ({chosen.value}), cli",
        )
    visits = ngettext("{count} visit", "{count} visits", document.visits).format(count=document.visits)
    what = ngettext("{visits} in {count} group", "{visits} in {count} groups", len(document.tables)).format(
        visits=visits, count=len(document.tables)
    )
    contents = format_named(chosen, document, separator)
    if chosen is Format.ICS:
        contents += f", {calendar_contents(details)}" + ("" if details else "; " + _("--details adds the rest"))
    _written(target, f"{what} ({contents})")


@group.command("board")
@user_errors
def export_board(
    db: DbOption = None,
    user: UserOption = None,
    fmt: BoardFormatOption = None,
    week: WeekOption = None,
    output: OutputOption = None,
    delimiter: DelimiterOption = None,
) -> None:
    """The current board as the team knows it: every open row, every column, the week's visits."""
    from factboard_tui.core.clock import week_start
    from factboard_tui.core.transfer.export import BOARD_FORMATS, board_document, default_filename, parse_week
    from factboard_tui.core.transfer.export_file import write_recorded_export as write
    from factboard_tui.core.transfer.export_formats import format_named, render

    chosen = _format(fmt, output, BOARD_FORMATS)
    separator = _delimiter(delimiter, chosen)
    with unlocked(db, user) as board:
        monday = parse_week(week, board.today()) if week else week_start(board.today())
        document = board_document(board, monday)
        data = render(document, chosen, delimiter=separator)
        target = write(
            board, output or Path(default_filename("board", chosen, monday)), data, f"board ({chosen.value}), cli"
        )
    rows = ngettext("{count} row", "{count} rows", document.line_count).format(count=document.line_count)
    _written(target, f"{rows} ({format_named(chosen, document, separator)})")


# -- import ---------------------------------------------------------------------------------------------------------

PREVIEW_ROWS = 10
"""Rows the dry run shows in its table unless asked for more (`--preview all`)."""


def _preview(plan: Any, template: Any, limit: int | None) -> Table:
    """The first rows as they would go on the board (dates as they will be stored), each marked ok or with its
    problem count; short columns keep their width, long text is cut, visits fold."""
    from factboard_tui.core.i18n import _, ngettext

    problems: dict[int, int] = {}
    for problem in plan.problems:
        problems[problem.row] = problems.get(problem.row, 0) + 1
    lines = {row.line: row for row in plan.rows}
    numbers = sorted(set(lines) | set(problems))
    chosen = numbers if limit is None else numbers[:limit]
    title = _("{file}: the first {shown} of {count} rows").format(
        file=plan.file_name, shown=len(chosen), count=len(numbers)
    )
    if len(chosen) == len(numbers):
        title = ngettext("{file}: {count} row", "{file}: {count} rows", len(numbers)).format(
            file=plan.file_name, count=len(numbers)
        )
    table = Table(title=shown(title, one_line=True), header_style="bold", title_justify="left")
    short = ["date_on", "client_code", "triage", "primary_contact"] if out.width >= 100 else ["date_on", "client_code"]
    wide = ["category", "actions"] if out.width >= 140 else []
    table.add_column(_("row"), justify="right", no_wrap=True, min_width=3)
    for key in short:
        label = template.label(key)
        width = 10 if key == "date_on" else max(len(label), 6)
        table.add_column(shown(label, one_line=True), no_wrap=True, min_width=width)
    table.add_column(_("visits"), overflow="fold", min_width=12, ratio=1)
    for key in wide:
        table.add_column(shown(template.label(key), one_line=True), overflow="ellipsis", no_wrap=True, max_width=40)
    table.add_column(_("check"), no_wrap=True, min_width=10 if plan.problems else 5)
    for line in chosen:
        row = lines.get(line)
        preview = row.preview if row else {}
        visits = " ".join(f"{template.label(k)} {preview[k]}" for k in WEEKDAY_KEYS if k in preview)
        count = problems.get(line, 0)
        status = shown(
            (ngettext("{count} problem", "{count} problems", count).format(count=count), "red")
            if count
            else (_("ok"), "green")
        )
        cells = [preview.get(key, "") for key in short] + [visits] + [preview.get(key, "") for key in wide]
        table.add_row(str(line), *(shown(cell, one_line=True) for cell in cells), status)
    return table


def _summary(plan: Any) -> list[str]:
    """What the dry run found, in a few lines: how the file was read, the columns, the rows, problems by column."""
    from factboard_tui.core.i18n import _, ngettext

    lines = [
        _("Read {file} as {kind}; values in the {language} template's words, dates as {dates}.").format(
            file=plan.file_name, kind=plan.read_as, language=plan.template_id, dates=plan.dates_as
        ),
        ngettext("{count} column matched: {columns}", "{count} columns matched: {columns}", len(plan.headers)).format(
            count=len(plan.headers), columns=", ".join(plan.headers.values())
        ),
    ]
    for what, columns in ((_("unknown, not imported"), plan.unknown), (_("computed, not imported"), plan.ignored)):
        if columns:
            lines.append(_("Columns {what}: {columns}").format(what=what, columns=", ".join(columns)))
    by_column: dict[str, set[int]] = {}
    for problem in plan.problems:
        by_column.setdefault(problem.column or _("whole row"), set()).add(problem.row)
    if by_column:
        parts = [
            ngettext("{column}: {count} row", "{column}: {count} rows", len(rows)).format(
                column=column, count=len(rows)
            )
            for column, rows in sorted(by_column.items(), key=lambda item: -len(item[1]))
        ]
        lines.append(_("Problems by column: {parts}").format(parts="; ".join(parts)))
    if plan.left_out:
        lines.append(
            _("Rows under the table without a client code, left out: {rows}").format(
                rows=", ".join(map(str, plan.left_out))
            )
        )
    return lines


def _preview_limit(text: str) -> int | None:
    """`--preview`: a number of rows, or `all` (None)."""
    from factboard_tui.core.i18n import _

    if text.strip().lower() in ("all", _("all")):
        return None
    if text.strip().isdigit():
        return int(text)
    raise FactBoardError(_("--preview takes a number of rows or 'all', not '{text}'.").format(text=text))


@commands.command("import")
@user_errors
def import_board(
    file: Annotated[
        Path,
        typer.Argument(
            help=_(
                "The board as .xlsx, .ods, .xls, .xlsb or .csv (UTF-8 or Windows-1252), with the board's column labels."
            )
        ),
    ],
    db: DbOption = None,
    user: UserOption = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help=_("The language of the file's values and dates: sv, da, nb, nl or en (default: the board's)."),
        ),
    ] = None,
    week: WeekOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Show what would be imported and every problem; write nothing."))
    ] = False,
    preview: Annotated[
        str, typer.Option("--preview", help=_("How many rows the dry run shows: a number, or all."))
    ] = str(PREVIEW_ROWS),
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help=_("Import the good rows and name the skipped ones."))
    ] = False,
) -> None:
    """Move an existing spreadsheet board in: all rows or none (unless --skip-bad)."""
    from factboard_tui.core.i18n import _
    from factboard_tui.core.transfer.export import parse_week
    from factboard_tui.core.transfer.importer import iter_problems, plan_import, refusal, run_import

    limit = _preview_limit(preview)
    with unlocked(db, user) as board:
        who = None if dry_run else author(user)
        monday = parse_week(week, board.today()) if week else None
        with progress_bar() as step:
            plan = plan_import(board, file, template, monday, step)
        if dry_run:
            for line in _summary(plan):
                out.print(shown(line), soft_wrap=True)
            out.print(_preview(plan, board.template, limit))
        for line in iter_problems(plan):
            out.print(shown((_("problem"), "red"), " ", line, one_line=True), soft_wrap=True)
        if not dry_run:
            for line in _summary(plan)[2:]:  # columns left out and rows left out: said before anything is written
                if not line.startswith(_("Problems by column")):
                    out.print(shown(line, one_line=True), soft_wrap=True)
        if dry_run:
            out.print(
                shown(
                    _(
                        "Dry run ({template} values, visits in the week of {monday}): {good} rows would be imported, "
                        "{bad} have problems. Nothing was written."
                    ).format(
                        template=plan.template_id,
                        monday=plan.monday.isoformat(),
                        good=len(plan.good_rows),
                        bad=len(plan.bad_lines),
                    )
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
    if result.skipped:
        said = ngettext(
            "Imported {count} row from {name}; skipped rows {lines} (problems above). "
            "Each row's history says it was imported from {name}.",
            "Imported {count} rows from {name}; skipped rows {lines} (problems above). "
            "Each row's history says it was imported from {name}.",
            len(result.row_ids),
        )
    else:
        said = ngettext(
            "Imported {count} row from {name}. Each row's history says it was imported from {name}.",
            "Imported {count} rows from {name}. Each row's history says it was imported from {name}.",
            len(result.row_ids),
        )
    said = said.format(count=len(result.row_ids), name=plan.file_name, lines=", ".join(map(str, result.skipped)))
    out.print(
        shown(said),
        soft_wrap=True,
    )
