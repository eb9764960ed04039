"""Exports keep hostile cells inert: no formula a spreadsheet runs, no HTML or link a Markdown viewer renders.

A coordinator opens the week's CSV in LibreOffice or Excel and forwards the Markdown minutes; whatever someone
typed into a cell must arrive there as the same text. Each file is read back as the coordinator's program reads
it: CSV with the csv module (then checked cell by cell against the characters that start a formula), XLSX with
openpyxl (cell types), Markdown rendered to HTML by markdown-it (CommonMark with tables and raw HTML on, as GitHub
and most viewers render it), HTML with the standard library's parser.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.boards import NOW, USER, HandClock
from helpers.cli import Cli
from helpers.meeting import fill as fill_meeting_board
from helpers.week import csv_rows
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from factboard_tui.core.domain.inert import FORMULA_STARTS, markdown_text, spreadsheet_text
from factboard_tui.core.domain.meetings import MeetingSession
from factboard_tui.core.security.audit_events import ExtractLine, extract_csv, extract_markdown
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.export import Format, Grouping, board_document, week_document
from factboard_tui.core.transfer.export_formats import render
from factboard_tui.core.transfer.minutes import load_meeting, minutes_markdown, save_meeting

MONDAY = date(2026, 11, 23)

FORMULAS = [
    '=HYPERLINK("https://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\uff1d1+1",
]
"""Values that LibreOffice or Excel would run as formulas if written as they are."""

MARKUP = [
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "a | b",
    "**loud** _x_ `code`",
    "![pixel](https://evil.example/p.png)",
    "&lt;script&gt;",
]
"""Values a Markdown viewer would turn into HTML, links, images or extra table cells."""

HARMLESS = ["-", "-2", "+4520255798", "Ring DEN"]
"""Values no spreadsheet runs: written exactly as they are."""


def hostile_board(board: Board) -> Board:
    """One row per hostile value, in every free-text field and a visit note (other providers group the week)."""
    writes = []
    for number, value in enumerate([*FORMULAS, *MARKUP, *HARMLESS], start=1):
        writes.append(
            RowWrite(
                "add",
                values={
                    "client_code": f"HX-{number}",
                    "triage": "Ny",
                    "situation": value,
                    "actions": value,
                    "safety": value,
                    "other_providers": value.replace(",", " ").replace("/", " ").replace(";", " "),
                    "children_note": value,
                },
                visits={MONDAY + timedelta(days=number % 5): ("DEN", value)},
            )
        )
    board.write_rows(USER, writes, source="test")
    return board


def assert_no_formula(rows: list[list[str]]) -> None:
    """No cell starts like a formula, but for a lone sign or a plain number (a spreadsheet reads those as such)."""
    for row in rows:
        for cell in row:
            if cell and cell[0] in FORMULA_STARTS:
                assert re.fullmatch(r"[+-][0-9]*", cell), f"{cell!r} would run as a formula"


@pytest.mark.parametrize("grouping", list(Grouping))
def test_csv_week_export_neutralises_formulas_the_owasp_way(board: Board, grouping: Grouping) -> None:
    rows = csv_rows(render(week_document(hostile_board(board), MONDAY, grouping), Format.CSV))
    assert_no_formula(rows)
    cells = {cell for row in rows for cell in row}
    for value in FORMULAS:
        assert "'" + value in cells, value  # shown as text, with the apostrophe spreadsheets read as "text"
    for value in HARMLESS:
        assert value in cells  # a plain number or a dash is left as it was
    if grouping is Grouping.PROVIDER:
        assert "'@SUM(1)" in {row[0] for row in rows}  # the group column too


def test_csv_board_export_neutralises_formulas(board: Board) -> None:
    rows = csv_rows(render(board_document(hostile_board(board), MONDAY), Format.CSV))
    assert_no_formula(rows)
    situation = rows[0].index(board.template.label("situation"))
    assert {row[situation] for row in rows[1:]} >= {"'" + value for value in FORMULAS}


def test_cli_csv_exports_are_inert_too(cli: Cli, tmp_path: Path) -> None:
    now = {"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"}
    cli.ok("init")
    cli.ok(
        "rows", "add", "--code", "HX-1", "--triage", "Ny", "--actions", FORMULAS[0], "--mon", "DEN: @SUM(1)", env=now
    )
    for kind in ("week", "board"):
        target = tmp_path / f"{kind}.csv"
        cli.ok("export", kind, "-o", str(target), env=now)
        rows = csv_rows(target.read_bytes())
        assert_no_formula(rows)
        assert "'" + FORMULAS[0] in {cell for row in rows for cell in row}


def test_xlsx_keeps_such_values_as_strings(board: Board, tmp_path: Path) -> None:
    target = tmp_path / "week.xlsx"
    target.write_bytes(render(week_document(hostile_board(board), MONDAY, Grouping.DAY), Format.XLSX))
    workbook = load_workbook(target)
    found: dict[str, str] = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    found[cell.value] = cell.data_type
    for value in [*FORMULAS, *MARKUP]:
        assert found.get(value) == "s", value  # the exact text, typed as a string: never a formula


class _Elements(HTMLParser):
    """Every start tag and every bit of text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(page: str) -> _Elements:
    elements = _Elements()
    elements.feed(page)
    return elements


def rendered_markdown(text: str) -> _Elements:
    return parsed(MarkdownIt("commonmark", {"html": True}).enable("table").render(text))


def assert_literal(elements: _Elements, values: list[str], own: frozenset[str] = frozenset()) -> None:
    """Each value shows as its own text, and no tag a value could have made is there (`own`: the file's own)."""
    tags = {tag for tag, _attrs in elements.tags}
    assert not tags & ({"img", "a", "script", "strong", "em", "code"} - own), tags
    text = "".join(elements.text)
    for value in values:
        assert value in text, value


def test_markdown_week_renders_every_value_literally(board: Board) -> None:
    markdown = render(week_document(hostile_board(board), MONDAY, Grouping.PROVIDER), Format.MD).decode()
    elements = rendered_markdown(markdown)
    assert_literal(elements, MARKUP)
    # A pipe in a cell stays inside its cell: every table row has as many cells as the header.
    rows: list[int] = []
    for tag, _attrs in elements.tags:
        if tag == "tr":
            rows.append(0)
        elif tag in ("td", "th") and rows:
            rows[-1] += 1
    assert rows and len(set(rows)) == 1


def test_html_export_escapes_every_value(board: Board) -> None:
    page = render(board_document(hostile_board(board), MONDAY), Format.HTML).decode()
    assert_literal(parsed(page), MARKUP)


def test_minutes_markdown_renders_values_literally(board: Board) -> None:
    clock = HandClock(NOW)
    board.clock = clock
    ids = fill_meeting_board(board)
    session = MeetingSession.start(board.rows(), board.template, clock(), "KOO", first_change_id=board.data_version())
    session.attendees = ["KOO", "CSA", "HMR", "MDN"]
    for value in MARKUP:
        board.set_field("CSA", ids["NN-89"], "actions", value, source="tui")
    clock.advance(minutes=3)
    record = load_meeting(board, save_meeting(board, session, clock()))
    assert_literal(rendered_markdown(minutes_markdown(record)), MARKUP, own=frozenset({"strong"}))


def test_the_audit_extract_is_inert_in_csv_and_markdown() -> None:
    lines = [ExtractLine("2026-11-25T09:00:00+00:00", "CSA", value, value, 7) for value in [*FORMULAS, *MARKUP]]
    assert_no_formula(list(csv.reader(io.StringIO(extract_csv(lines)))))
    assert_literal(rendered_markdown(extract_markdown("DD-75", "<b>FACT</b>", lines)), [*MARKUP, "<b>FACT</b>"])


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("@A1", "'@A1"),
        ("-", "-"),
        ("+", "+"),
        ("-2", "-2"),
        ("-2.5", "-2.5"),
        ("-2+3", "'-2+3"),
        ("- punkt", "'- punkt"),
        ("", ""),
        ("DD-75", "DD-75"),
    ],
)
def test_spreadsheet_text_rule(value: str, written: str) -> None:
    assert spreadsheet_text(value) == written


def test_markdown_text_escapes_what_markdown_would_read() -> None:
    assert markdown_text("a|b <i> [x](y) *z*") == "a\\|b \\<i\\> \\[x\\](y) \\*z\\*"
