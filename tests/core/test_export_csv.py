"""The CSV export opens in columns where a person double-clicks it, and comes back in as it went out (issue 18).

Excel opens a double-clicked CSV in columns only when it is split at the computer's list separator, which is `;`
wherever the decimal separator is a comma (sv, da, nb, nl); LibreOffice asks, and its dialog splits at tab, comma
and semicolon alike unless a cell is quoted. So a board in those languages writes `;`, every cell is quoted, and
`--delimiter` overrides. The person's own LibreOffice is driven in tests/proofs/test_proof_csv_opens.py.
"""

from __future__ import annotations

import gc
import re
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import prepared
from helpers.boards import NOW, USER
from helpers.cli import Cli
from helpers.week import MONDAY, NOW_ENV, cli_board, csv_rows

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.inert import spreadsheet_text, spreadsheet_value
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.export import Format, board_document, week_document
from factboard_tui.core.transfer.export_formats import csv_delimiter, render
from factboard_tui.core.transfer.importer import plan_import, run_import

TEXTS = [
    "Ring läkaren, sedan FK; boka tid",
    'Sa "nej" till Åsa',
    "Øvrige: Æ, Ø, Å",
    '=HYPERLINK("https://evil.example";"click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\uff1d1+1",
    "'=already quoted",
    "-2",
    "-",
]
"""Text with both delimiters, quotes and Nordic letters inside, and values a spreadsheet would run."""

LINES = "Rad ett; med semikolon\nRad två, med komma"
"""A free text of two lines."""


def open_blank(path: Path, template: str) -> Board:
    key = prepared.blank(path, template=template)
    return Board.open_with_key(path, key, clock=frozen_clock(NOW))


def fill(board: Board) -> None:
    writes = [
        RowWrite(
            "add",
            values={
                "client_code": f"HX-{number}",
                "triage": "new",
                "situation": text,
                "actions": LINES,
                "safety": text,
                "children_note": text,
                "other_providers": "Borås stad / Socialtjänsten, LSS",
            },
            visits={MONDAY + timedelta(days=number % 5): ("DEN", text)},
        )
        for number, text in enumerate(TEXTS, start=1)
    ]
    board.write_rows(USER, writes, source="test")


@pytest.mark.parametrize(("template", "delimiter"), [("sv", ";"), ("da", ";"), ("nb", ";"), ("nl", ";"), ("en", ",")])
def test_the_delimiter_is_the_list_separator_where_the_boards_language_is_spoken(
    template: str, delimiter: str, tmp_path: Path
) -> None:
    assert csv_delimiter(load_template(template)) == delimiter
    with open_blank(tmp_path / "board.db", template) as board:
        board.add_row(USER, {"client_code": "AB-12", "triage": "new", "situation": "Åsa, Öjvind"})
        document = board_document(board, MONDAY)
    data = render(document, Format.CSV)
    labels = [column.label for column in document.tables[0].columns]
    assert data.startswith(f'\ufeff"{labels[0]}"{delimiter}"{labels[1]}"'.encode())
    assert [cell for cell in csv_rows(data, delimiter)[1] if "Åsa" in cell] == ["Åsa, Öjvind"]


def test_every_cell_is_quoted_and_every_line_ends_in_crlf(board: Board) -> None:
    """LibreOffice's import dialog splits at tab, comma and semicolon by default: only quotes keep a cell whole."""
    fill(board)
    text = render(board_document(board, MONDAY), Format.CSV).decode("utf-8")
    assert text.startswith("\ufeff")
    assert re.fullmatch(r'(?:"(?:[^"]|"")*"(?:;|\r\n))+', text[1:]), "a cell without quotes, or a line without CRLF"


def test_a_swedish_export_reads_back_with_semicolons_every_value_whole_and_inert(board: Board) -> None:
    fill(board)
    rows = csv_rows(render(board_document(board, MONDAY), Format.CSV), ";")
    header = rows[0]
    assert len({len(row) for row in rows}) == 1, "every line has the header's cells"
    situation, actions = header.index("Aktuell situation"), header.index("Aktuella åtgärder")
    assert [row[situation] for row in rows[1:]] and all(row[actions] == LINES for row in rows[1:])
    assert sorted(row[situation] for row in rows[1:]) == sorted(spreadsheet_text(text) for text in TEXTS)
    assert "'=cmd|' /C calc'!A0" in {row[situation] for row in rows} and "-2" in {row[situation] for row in rows}


def test_writing_a_weeks_csv_holds_about_one_copy_of_the_file_in_memory(board: Board) -> None:
    """A large team's week is tens of megabytes of CSV: writing it must not hold several copies of the text at once.
    The byte-order mark put before the finished text made a copy at two bytes a character (the mark is not Latin-1),
    then its UTF-8 bytes: about six times the file at the peak, 140 MB at 20,000 rows, memory the process faulted in
    anew each time and a cost per row that grew with the board (issue 15). Every distinct value is still made
    inert, and every cell is whole."""
    words = "Ring läkaren; boka tid, ='inte en formel' hembesök krisplan"
    writes = [
        RowWrite(
            "add",
            values={"client_code": f"MB-{number}", "triage": "Kris", "actions": f"{words} {number}" * 3},
            visits={MONDAY + timedelta(days=day): ("DEN+MJR", "=1+1" if day else None) for day in range(3)},
        )
        for number in range(300)
    ]
    board.write_rows(USER, writes, source="test")
    document = week_document(board, MONDAY)
    render(document, Format.CSV)  # modules and the catalog loaded: what is measured is the writing
    gc.collect()
    tracemalloc.start()
    try:
        data = render(document, Format.CSV)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data) > 200_000  # a file large enough to measure
    assert peak < 2 * len(data), f"writing {len(data):,} bytes of CSV held {peak:,} bytes at its peak"
    rows = csv_rows(data, ";")
    assert len(rows) == 1 + 900 and {len(row) for row in rows} == {len(rows[0])}
    notes = [row[rows[0].index("Note")] for row in rows[1:]]
    assert notes.count("'=1+1") == 600 and notes.count("") == 300  # each made inert, however often it comes


@pytest.mark.parametrize("template", ["sv", "en"])
def test_an_exported_board_imports_back_exactly_as_it_was_typed(template: str, tmp_path: Path) -> None:
    with open_blank(tmp_path / "board.db", template) as board:
        fill(board)
        source = tmp_path / "tavlan.csv"
        source.write_bytes(render(board_document(board, MONDAY), Format.CSV))
        before = {row.client_code: row for row in board.rows()}
    with open_blank(tmp_path / "other.db", template) as other:
        plan = plan_import(other, source, monday=MONDAY)
        assert not plan.problems, plan.problems
        assert plan.read_as.endswith("separated by " + ("';'" if template == "sv" else "','"))
        run_import(other, plan, USER)
        after = {row.client_code: row for row in other.rows()}
        visits = {cell.note for cells in other.week_visits(MONDAY).values() for cell in cells.values()}
    assert sorted(after) == sorted(before)
    for code, row in before.items():
        again = after[code]
        fields = ("situation", "actions", "safety", "children_note", "other_providers")
        assert [getattr(again, name) for name in fields] == [getattr(row, name) for name in fields], code
    assert visits == set(TEXTS)


def test_only_the_exports_own_quote_mark_is_taken_off_when_reading() -> None:
    for text in TEXTS:
        assert spreadsheet_value(spreadsheet_text(text)) == text
    assert spreadsheet_value("'-2") == "'-2" and spreadsheet_value("'note") == "'note"
    assert spreadsheet_text("'=x") == "''=x" and spreadsheet_value("''=x") == "'=x"
    assert spreadsheet_value("'" * 100_000 + "=x") == "'" * 99_999 + "=x"  # no recursion on a hostile value


def test_cli_delimiter_option_and_the_line_that_says_which(cli: Cli, tmp_path: Path) -> None:
    cli_board(cli)
    result = cli.ok("export", "board", "-o", str(tmp_path / "board.csv"), env=NOW_ENV)
    assert "(CSV, separated by ';')" in result.stdout
    assert len(csv_rows((tmp_path / "board.csv").read_bytes(), ";")[0]) > 10
    for typed, delimiter, name in (("tab", "\t", "tab"), (",", ",", "','"), ("semicolon", ";", "';'")):
        target = tmp_path / f"week-{name}.csv"
        result = cli.ok("export", "week", "--delimiter", typed, "-o", str(target), env=NOW_ENV)
        assert f"CSV, separated by {name})" in result.stdout
        rows = csv_rows(target.read_bytes(), delimiter)
        assert rows[0][:3] == ["Group", "Date", "Day"] and len({len(row) for row in rows}) == 1
