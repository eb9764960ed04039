"""Exports of the week and the board, read back the way a coordinator's programs read them.

The XLSX is opened with openpyxl, the calendar with icalendar's parser, the HTML with the standard library's
HTML parser; CSV and Markdown as text. Every test uses a real SQLCipher board in tmp_path with a frozen clock
(Wednesday 2026-11-25, week 2026-W48).
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.boards import USER
from helpers.cli import Cli
from helpers.week import MONDAY, NOW_ENV, cli_board, csv_rows, day, fill
from icalendar import Calendar
from openpyxl import load_workbook

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.export import (
    Format,
    Grouping,
    board_document,
    default_filename,
    parse_week,
    week_document,
)
from factboard_tui.core.transfer.export_file import write_export
from factboard_tui.core.transfer.export_formats import render, sheet_title


@pytest.fixture
def filled(board: Board) -> Board:
    fill(board)
    return board


# -- the week's lines -----------------------------------------------------------------------------------------------


def test_week_by_day_has_visits_evaluations_and_rows_without_a_visit(filled: Board) -> None:
    document = week_document(filled, MONDAY, Grouping.DAY)
    titles = [table.title for table in document.tables]
    assert titles == [
        "Måndag 2026-11-23",
        "Tisdag 2026-11-24",
        "Onsdag 2026-11-25",
        "Torsdag 2026-11-26",
        "Fredag 2026-11-27",
        "No visit this week",
    ]
    monday = document.tables[0]
    assert [(row[2], row[4]) for row in monday.rows] == [("NN-89", "DEN+MJR"), ("DD-75", "BS")]  # board order
    friday = document.tables[4]
    assert [(row[2], row[5]) for row in friday.rows] == [("NN-89", "Utvärdering")]  # the evaluation date
    assert [row[2] for row in document.tables[5].rows] == ["AA-80"]  # its actions, though no visit
    assert [column.label for column in monday.columns][2:4] == ["Patient", "Triage"]  # the board's labels
    assert len(document.events) == 5


def test_week_by_staff_puts_a_shared_visit_in_each_persons_week(filled: Board) -> None:
    tables = {table.title: table for table in week_document(filled, MONDAY, Grouping.STAFF).tables}
    assert "DEN · Dana Engström" in tables and "MJR" in tables
    assert [row[2] for row in tables["MJR"].rows] == ["NN-89"]
    assert [row[2] for row in tables["DEN · Dana Engström"].rows] == ["NN-89", "NN-89"]  # visit, evaluation
    assert [row[2] for row in tables["KRO"].rows] == ["NN-89", "AA-80"]  # visit, then own row's actions


def test_week_by_provider_is_what_a_municipality_needs(filled: Board) -> None:
    tables = {table.title: table for table in week_document(filled, MONDAY, Grouping.PROVIDER).tables}
    assert list(tables) == ["Helsingborg", "Svalöv, Borås", "No other care provider"]  # as the board holds them
    assert {row[2] for row in tables["Svalöv, Borås"].rows} == {"DD-75"}
    assert {row[2] for row in tables["No other care provider"].rows} == {"AA-80"}


def test_another_week_has_only_its_own_visits(filled: Board) -> None:
    document = week_document(filled, MONDAY + timedelta(days=7), Grouping.DAY)
    assert document.events == []
    assert [table.title for table in document.tables] == ["No visit this week"]


def test_a_row_taken_off_before_the_week_is_not_in_it_and_one_taken_off_in_it_keeps_its_visits(
    filled: Board, created: tuple[Board, bytes], board_path: Path
) -> None:
    """A client who left the board last week is not on this week's list; one who left on Tuesday still has the
    visits of Monday and Tuesday. The week reads the rows on the board and those taken off since its Monday, not the
    board's whole history (issue 15)."""
    key = created[1]
    last_friday = Board.open_with_key(board_path, key, clock=frozen_clock(datetime(2026, 11, 20, 9, tzinfo=UTC)))
    tuesday = Board.open_with_key(board_path, key, clock=frozen_clock(datetime(2026, 11, 24, 15, tzinfo=UTC)))
    try:
        gone = last_friday.write_row(USER, "add", values={"client_code": "LL-1", "triage": "obs"}).row_id
        planned = last_friday.write_row(
            USER, "add", values={"client_code": "LL-4", "triage": "obs"}, visits={day(1): ("DEN", None)}
        ).row_id
        last_friday.take_off(USER, gone, "utskriven")
        last_friday.take_off(USER, planned, "utskriven")
        left = tuesday.write_row(
            USER,
            "add",
            values={"client_code": "LL-2", "triage": "Kris", "date_on": date(2026, 11, 2)},
            visits={day(0): ("CSA", None), day(1): ("CSA", "sista")},
        ).row_id
        quiet = tuesday.write_row(USER, "add", values={"client_code": "LL-3", "triage": "obs"}).row_id
        tuesday.take_off(USER, left, "utskriven")
        tuesday.take_off(USER, quiet, "utskriven")
    finally:
        last_friday.close()
        tuesday.close()

    read = {row.client_code for row in filled.rows(off_since=MONDAY)}
    assert read == {"NN-89", "DD-75", "AA-80", "LL-2", "LL-3"}
    document = week_document(filled, MONDAY, Grouping.DAY)
    lines = {table.title: [(row[2], row[4], row[5]) for row in table.rows] for table in document.tables}
    # in board order, the rows taken off after those still on the board
    assert lines["Måndag 2026-11-23"] == [("NN-89", "DEN+MJR", ""), ("DD-75", "BS", ""), ("LL-2", "CSA", "")]
    assert lines["Tisdag 2026-11-24"] == [("NN-89", "MDN", "telefon"), ("LL-2", "CSA", "sista")]
    assert lines["No visit this week"] == [("AA-80", "", "")]  # not LL-3: off the board, and nothing this week
    shown = {code for table in document.tables for code, _staff, _note in lines[table.title]}
    assert "LL-1" not in shown and "LL-4" not in shown
    assert document.visits == 7 and len(document.events) == 7


# -- formats, read back -------------------------------------------------------------------------------------------


def test_xlsx_has_the_board_labels_a_frozen_header_and_one_sheet_per_group(filled: Board, tmp_path: Path) -> None:
    document = week_document(filled, MONDAY, Grouping.STAFF)
    path = tmp_path / "week.xlsx"
    path.write_bytes(render(document, Format.XLSX))
    workbook = load_workbook(path)
    assert workbook.sheetnames == [sheet_title(table.title, set()) for table in document.tables]
    sheet = workbook["MJR"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[2:4] == ["Patient", "Triage"] and "Aktuella åtgärder" in header and "FVK" in header
    values = [cell.value for cell in sheet[2]]
    assert values[0].date() == day(0) and values[2] == "NN-89" and values[4] == "DEN+MJR"
    assert sheet.cell(2, 4).fill.fgColor.rgb.endswith("D55E00")  # Kris in the board's crisis colour
    assert values[9] == "Krisplan ska upprättas.\nFrekvent kontakt."


@pytest.mark.parametrize("fmt", list(Format))
def test_no_export_leaves_plaintext_in_the_temp_folder(
    filled: Board, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: Format
) -> None:
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    assert render(week_document(filled, MONDAY, Grouping.STAFF), fmt)
    assert list(temp.iterdir()) == []


def test_ics_has_one_event_per_visit_on_the_right_day(filled: Board) -> None:
    data = render(week_document(filled, MONDAY, Grouping.DAY), Format.ICS)
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    found = sorted((event.decoded("DTSTART"), str(event["SUMMARY"])) for event in events)
    assert found == [
        (day(0), "DD-75: BS"),
        (day(0), "NN-89: DEN+MJR"),
        (day(1), "NN-89: MDN (telefon)"),
        (day(2), "NN-89: KRO+CSA"),
        (day(3), "DD-75: BS"),
    ]
    for event in events:
        start = event.decoded("DTSTART")
        assert type(start) is date and event.decoded("DTEND") == start + timedelta(days=1)  # all-day events
        assert event["UID"] and event["DTSTAMP"]
    assert len({str(event["UID"]) for event in events}) == 5
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded as RFC 5545 requires


class _Page(HTMLParser):
    """Headings, header cells, data cells (with classes) and styles of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.header: list[str] = []
        self.cells: list[tuple[str, str]] = []
        self.style = ""
        self._in: str | None = None
        self._class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "th", "td", "style"):
            self._in = tag
            self._class = dict(attrs).get("class") or ""
            self._text = ""

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self._in:
            self._text += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag != self._in:
            return
        if tag == "h2":
            self.headings.append(self._text)
        elif tag == "th":
            self.header.append(self._text)
        elif tag == "td":
            self.cells.append((self._class, self._text))
        else:
            self.style += self._text
        self._in = None


def test_html_looks_like_the_board_and_prints_on_a4_landscape(filled: Board) -> None:
    page = _Page()
    page.feed(render(week_document(filled, MONDAY, Grouping.DAY), Format.HTML).decode("utf-8"))
    assert page.headings[0] == "Måndag 2026-11-23"
    assert page.header[:4] == ["Date", "Day", "Patient", "Triage"]
    assert ("short triage triage-crisis", "Kris") in page.cells
    assert ("long", "Kommunen följer upp | återrapporterar.") in page.cells
    assert "@page { size: A4 landscape" in page.style and "@media print" in page.style
    assert "thead { display: table-header-group; }" in page.style  # the header repeats on every page
    assert "td.triage-crisis { background: #D55E00" in page.style


def test_csv_is_utf8_with_the_board_labels_and_a_group_column(filled: Board) -> None:
    data = render(week_document(filled, MONDAY, Grouping.DAY), Format.CSV)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads å, ä, ö right
    rows = csv_rows(data)  # a Swedish board: `;`
    assert rows[0][:5] == ["Group", "Date", "Day", "Patient", "Triage"] and "Övriga vårdgivare" in rows[0]
    assert rows[1][:6] == ["Måndag 2026-11-23", "2026-11-23", "Måndag", "NN-89", "Kris", "DEN+MJR"]


def test_markdown_has_a_table_per_group_with_pipes_escaped(filled: Board) -> None:
    text = render(week_document(filled, MONDAY, Grouping.DAY), Format.MD).decode("utf-8")
    assert text.startswith("# FACT Test · week 2026-W48")
    assert "## Måndag 2026-11-23" in text
    assert "Kommunen följer upp \\| återrapporterar." in text
    assert "Krisplan ska upprättas.<br>Frekvent kontakt." in text


def test_board_export_has_every_column_in_the_board_order(filled: Board, tmp_path: Path) -> None:
    document = board_document(filled)
    path = tmp_path / "board.xlsx"
    path.write_bytes(render(document, Format.XLSX))
    sheet = load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Datum", "Dagar", "Patient", "Triage"] and tuple(header[-7:]) == filled.template.weekdays
    assert [sheet.cell(row, 3).value for row in (2, 3, 4)] == ["NN-89", "DD-75", "AA-80"]
    assert [cell.value for cell in sheet[2]][-7:-3] == ["DEN+MJR", "MDN: telefon", "KRO+CSA", None]


# -- weeks, names and files -----------------------------------------------------------------------------------------


def test_weeks_are_read_as_people_write_them() -> None:
    today = date(2026, 11, 25)
    assert parse_week("2026-W48", today) == MONDAY
    assert parse_week("2026w48", today) == MONDAY
    assert parse_week("48", today) == MONDAY
    assert parse_week("2026-11-27", today) == MONDAY
    for bad in ("2026-W54", "next week", ""):
        with pytest.raises(InvalidValue):
            parse_week(bad, today)
    assert default_filename("week", Format.ICS, MONDAY, Grouping.STAFF) == "factboard-week-2026-W48-by-staff.ics"


def test_an_export_is_only_readable_by_its_owner_and_never_overwrites_the_board(board: Board, tmp_path: Path) -> None:
    written = write_export(tmp_path / "week.csv", b"x", board.path)
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    before = board.path.read_bytes()
    with pytest.raises(FactBoardError, match="the board's own file"):
        write_export(board.path, b"x", board.path)
    assert board.path.read_bytes() == before
    with pytest.raises(FactBoardError, match="does not exist"):
        write_export(tmp_path / "missing" / "week.csv", b"x", board.path)


# -- the CLI ------------------------------------------------------------------------------------------------------


def test_cli_exports_the_week_in_every_format_and_says_it_is_not_encrypted(cli: Cli, tmp_path: Path) -> None:
    cli_board(cli)
    for fmt in ("csv", "xlsx", "md", "html", "ics"):
        target = tmp_path / f"week.{fmt}"
        result = cli.ok(
            "export", "week", "--week", "2026-W48", "--format", fmt, "--by", "staff", "-o", str(target), env=NOW_ENV
        )
        assert target.is_file() and target.stat().st_size > 0
        assert "Wrote 5 visits in" in result.stdout and str(target) in result.stdout
        assert "NOT encrypted" in result.stdout
    result = cli.ok("export", "week", env=NOW_ENV)  # defaults: this week, HTML, a name saying what it holds
    assert (tmp_path / "factboard-week-2026-W48.html").is_file(), result.stdout


def test_cli_exports_the_board(cli: Cli, tmp_path: Path) -> None:
    cli_board(cli)
    result = cli.ok("export", "board", "-o", str(tmp_path / "board.xlsx"), env=NOW_ENV)
    assert "Wrote 3 rows (XLSX)" in result.stdout and "NOT encrypted" in result.stdout
    result = cli("export", "board", "--format", "ics", env=NOW_ENV)
    assert result.returncode != 0 and result.stderr.count("\n") == 1 and "csv, xlsx, html" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "not an export format"),
        (("--by", "colour"), "Cannot group by 'colour'"),
        (("--week", "2026-W60"), "There is no week 2026-W60"),
        (("-o", "board.db", "-f", "csv"), "the board's own file"),
        (("-o", "week.pdf"), "Cannot tell the format from week.pdf"),
        (("-f", "csv", "--delimiter", "|"), "'|' is not a CSV delimiter: use ',', ';' or tab."),
        (("-f", "xlsx", "--delimiter", ";"), "--delimiter is for CSV exports; a xlsx export has no delimiter"),
    ],
)
def test_cli_export_mistakes_are_one_line_and_write_nothing(cli: Cli, tmp_path: Path, args, message) -> None:  # type: ignore[no-untyped-def]
    cli.ok("init")
    before = sorted(path.name for path in tmp_path.iterdir())
    result = cli("export", "week", *args, env=NOW_ENV)
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1 and message in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == before
