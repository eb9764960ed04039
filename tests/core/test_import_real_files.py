"""Spreadsheets made by real tools, as teams make them, import cell for cell or are refused with a line that helps.

The files under `tests/data/` were made by LibreOffice (`tests/data/make_real_files.sh`, see `tests/data/README.md`):
a Danish board with a merged title, an empty row and a notes row under the table; a Swedish board as `.xlsx`,
`.ods`, `.xls` and as Swedish Excel's "CSV (semikolonavgränsad)" (Windows-1252, `;`, CRLF); a Norwegian and a
Dutch board. Every cell of every row is checked after the import.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import prepared
from helpers.boards import NOW, USER
from helpers.cli import Cli
from helpers.places import DATA

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.fields import ROW_FIELDS
from factboard_tui.core.errors import ImportRefused
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.headers import HEADER_KEYS, shipped_header_words
from factboard_tui.core.transfer.importer import plan_import, run_import
from factboard_tui.core.transfer.sheets import read_sheet

MONDAY = date(2026, 11, 23)
NOW_ENV = {"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"}


@pytest.fixture
def make_board(tmp_path: Path) -> Iterator[Any]:
    """A new, empty board of the template asked for (closed at teardown)."""
    opened: list[Board] = []

    def make(template: str) -> Board:
        path = tmp_path / f"board-{template}-{len(opened)}.db"
        key = prepared.blank(path, template=template)
        board = Board.open_with_key(path, key, clock=frozen_clock(NOW))
        opened.append(board)
        return board

    yield make
    for board in opened:
        board.close()


def stored(board: Board) -> dict[str, dict[str, Any]]:
    """Every row by client code: every field that was set, and this week's visits as {weekday: (staff, note)}."""
    visits = board.visits(MONDAY, MONDAY + timedelta(days=7))
    result: dict[str, dict[str, Any]] = {}
    for row in board.rows(include_off=True):
        fields = {key: getattr(row, key) for key in ROW_FIELDS if getattr(row, key) not in (None, False)}
        days = visits.get(row.id or 0, {})
        fields["visits"] = {(day - MONDAY).days: (cell.staff, cell.note) for day, cell in days.items()}
        result[row.client_code] = fields
    return result


DANISH_ROWS = {
    "DD-75": {
        "date_on": date(2026, 11, 2),  # typed 021126: LibreOffice kept it as the number 21126
        "client_code": "DD-75",
        "triage": "crisis",
        "primary_contact": "CSA",
        "doctor": "HMR",
        "other_providers": "Silkeborg Kommune, bostøtte",
        "actions": "Kriseplan laves; tæt kontakt, også i weekenden.",
        "visits": {0: ("DEN+MJR", None), 2: ("CSA", "hjemmebesøg"), 5: ("BS", None)},
    },
    "AA-80": {
        "date_on": date(2026, 11, 29),
        "client_code": "AA-80",
        "triage": "stable",
        "primary_contact": "KRO",
        "actions": "Evaluering på fredag",
        "visits": {1: ("KRO", None)},
    },
    "NN-89": {
        "date_on": date(2026, 10, 15),
        "client_code": "NN-89",
        "triage": "watch",
        "primary_contact": "DEN",
        "doctor": "HMR",
        "other_providers": "Psykiatrisk akutmodtagelse",
        "actions": "Følges tæt.",
        "visits": {3: ("DEN", None), 4: ("DEN+SNG", None), 6: ("BS", None)},
    },
}

SWEDISH_ROWS = {
    "DD-75": {
        "date_on": date(2026, 11, 2),
        "client_code": "DD-75",
        "triage": "crisis",
        "category": "symptom_increase",
        "primary_contact": "CSA",
        "doctor": "HMR",
        "other_providers": "Borås stad / Socialtjänsten, LSS",
        "children": True,
        "children_note": "2 st",
        "situation": "Sover dåligt, äter lite, har slutat med medicinen.",
        "actions": "Krisplan upprättas; hembesök mån, ons och fre – läkare på onsdag, boendestöd, kontakt med mamma.",
        "safety": "Risk, se journal",
        "visits": {0: ("DEN+MJR", None), 2: ("CSA", "hembesök, ta med papper"), 4: ("BS", None)},
    },
    "AA-80": {
        "date_on": date(2019, 3, 27),
        "client_code": "AA-80",
        "triage": "watch",
        "category": "poor_self_care",
        "primary_contact": "KRO",
        "doctor": "HMR",
        "other_providers": "Svalöv, Åstorp",
        "situation": "Nytt boende, ensam, vill ha stöd.",
        "actions": "FVK kontakt tisdag, torsdag; uppföljning fredag.",
        "safety": "OK",
        "visits": {1: ("KRO", None), 3: ("KRO", None)},
    },
    "NN-89": {
        "date_on": date(2021, 5, 10),
        "client_code": "NN-89",
        "triage": "stable",
        "category": "other",
        "primary_contact": "MDN",
        "other_providers": "Ängelholm",
        "situation": "Stabil, arbetar 50 %.",
        "actions": "Utvärdering, planering för att lämna tavlan.",
        "safety": "OK",
        "visits": {4: ("MDN", None)},
    },
}

NORWEGIAN_ROWS = {
    "PA-12": {
        "date_on": date(2026, 11, 2),
        "client_code": "PA-12",
        "triage": "crisis",
        "primary_contact": "ØYS",
        "doctor": "HMR",
        "other_providers": "NAV, boligkontoret",
        "children": True,
        "children_note": "1 barn",
        "situation": "Innlagt i helgen, utskrives tirsdag.",
        "actions": "Kriseplan; tett oppfølging etter utskrivelse.",
        "crisis_plan": "missing",  # the sheet says Nei: the team wrote that there is none
        "safety": "Vurder risiko daglig",
        "visits": {1: ("ØYS+HMR", None), 3: ("ØYS", None)},
    },
    "PB-7": {
        "date_on": date(2026, 11, 29),
        "client_code": "PB-7",
        "triage": "stable",
        "primary_contact": "ÅSE",
        "other_providers": "Fastlege",
        "crisis_plan": "exists",
        "situation": "Stabil.",
        "actions": "Evaluering neste uke.",
        "safety": "OK",
        "visits": {0: ("ÅSE", None)},
    },
    "PC-300": {
        "date_on": date(2026, 9, 1),
        "client_code": "PC-300",
        "triage": "watch",
        "primary_contact": "KJE",
        "doctor": "HMR",
        "situation": "Mer urolig, sover dårlig.",
        "actions": "Hjemmebesøk onsdag og fredag.",
        "safety": "OK",
        "visits": {2: ("KJE", None), 4: ("KJE", "ta med medisiner")},
    },
}

DUTCH_ROWS = {
    "NL-1": {
        "date_on": date(2026, 11, 29),
        "client_code": "NL-1",
        "triage": "crisis",
        "primary_contact": "JDV",
        "doctor": "MBK",
        "other_providers": "Wijkteam, huisarts",
        "situation": "Psychotisch, weinig slaap.",
        "actions": "Signaleringsplan; dagelijks huisbezoek.",
        "safety": "Let op",
        "evaluation_date": date(2026, 12, 14),
        "visits": {0: ("JDV", None), 1: ("JDV", None), 2: ("JDV+MBK", None), 3: ("JDV", None), 4: ("JDV", None)},
    },
    "NL-22": {
        "date_on": date(2026, 10, 15),
        "client_code": "NL-22",
        "triage": "watch",
        "primary_contact": "EVB",
        "other_providers": "Gemeente, schuldhulp",
        "situation": "Onrustig na verhuizing.",
        "actions": "Twee keer per week contact.",
        "safety": "OK",
        "visits": {1: ("EVB", None), 4: ("EVB", "samen boodschappen")},
    },
}

REAL_FILES = {
    "da_board.xlsx": ("da", DANISH_ROWS, [8]),
    "da_board.ods": ("da", DANISH_ROWS, [8]),
    "sv_board.xlsx": ("sv", SWEDISH_ROWS, []),
    "sv_board.ods": ("sv", SWEDISH_ROWS, []),
    "sv_board.xls": ("sv", SWEDISH_ROWS, []),
    "sv_board_excel.csv": ("sv", SWEDISH_ROWS, []),
    "nb_board.xlsx": ("da", NORWEGIAN_ROWS, []),
    "nl_board.ods": ("en", DUTCH_ROWS, [6]),
}
"""File, the board's template it goes into, every row as it must be stored, the rows left out under the table."""


@pytest.mark.parametrize("name", list(REAL_FILES))
def test_files_made_by_real_tools_import_every_cell(make_board: Any, name: str) -> None:
    template, rows, left_out = REAL_FILES[name]
    board = make_board(template)
    plan = plan_import(board, DATA / name)
    assert plan.problems == [] and plan.unknown == []
    assert plan.left_out == left_out
    run_import(board, plan, USER)
    assert stored(board) == rows


def test_a_notes_row_under_the_table_is_left_out_and_named_in_the_dry_run(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--template", "da", env=NOW_ENV)
    result = cli.ok("import", str(DATA / "da_board.xlsx"), "--dry-run", env=NOW_ENV)
    assert "Rows under the table without a client code, left out: 8" in " ".join(result.stdout.split())
    assert "3 rows would be imported, 0 have problems" in result.stdout and "problem row" not in result.stdout


def test_swedish_excel_csv_is_read_as_windows_1252_with_semicolons(make_board: Any) -> None:
    sheet = read_sheet(DATA / "sv_board_excel.csv")
    assert (sheet.encoding, sheet.delimiter) == ("Windows-1252", ";")
    assert sheet.described == "CSV, Windows-1252, separated by ';'"


def test_semicolons_are_found_even_when_the_text_has_more_commas(make_board: Any) -> None:
    data = (DATA / "sv_few_columns_excel.csv").read_bytes()
    assert data.count(b",") > data.count(b";") and b"\r\n" in data  # the old guess (most frequent) picked ','
    board = make_board("sv")
    plan = plan_import(board, DATA / "sv_few_columns_excel.csv")
    assert plan.problems == [] and plan.read_as == "CSV, Windows-1252, separated by ';'"
    run_import(board, plan, USER)
    assert stored(board)["DD-75"]["actions"] == (
        "Hembesök mån, ons, fre, samtal med mamma, läkare, boendestöd, kurator, apotek, AF, FK, hyresvärd, god man"
    )


@pytest.mark.parametrize(
    ("encoding", "bom", "said"),
    [("utf-8", b"", "UTF-8"), ("utf-8", b"\xef\xbb\xbf", "UTF-8 with BOM"), ("utf-16", b"", "UTF-16")],
)
def test_csv_in_unicode_says_which_encoding_it_was(tmp_path: Path, encoding: str, bom: bytes, said: str) -> None:
    path = tmp_path / "board.csv"
    text = (DATA / "sv_board_excel.csv").read_bytes().decode("cp1252")
    path.write_bytes(bom + text.replace(";", "\t").encode(encoding))
    sheet = read_sheet(path)
    assert (sheet.encoding, sheet.delimiter) == (said, "\t")
    assert sheet.rows[1][1][9].endswith("kontakt med mamma.")


def encrypted_copy(source: Path, target: Path, password: str = "hemligt") -> Path:
    """`source` protected with a password, as Excel's "Encrypt with password" does (msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, target.open("wb") as protected:
        OOXMLFile(plain).encrypt(password, protected)
    return target


def test_a_password_protected_workbook_gets_a_line_that_helps(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--template", "da", env=NOW_ENV)
    path = encrypted_copy(DATA / "da_board.xlsx", tmp_path / "tavle.xlsx")
    result = cli("import", str(path), "--user", USER, env=NOW_ENV)
    assert result.returncode != 0 and result.stderr.count("\n") == 1
    assert "tavle.xlsx is protected by a password" in result.stderr
    assert "save a copy without the password" in result.stderr
    assert "Excel workbook" not in result.stderr
    assert "0 rows" in cli.ok("export", "board", "-f", "csv", "-o", str(tmp_path / "b.csv"), env=NOW_ENV).stdout


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: (p.write_bytes(b""), p)[1], "is not a workbook FactBoard can read"),
        (lambda p: (p.write_text("Borger;Triage\nDD-75;Krise\n", encoding="utf-8"), p)[1], "is not a workbook"),
    ],
)
def test_an_empty_or_not_a_workbook_ods_is_refused_with_one_line(
    make_board: Any, tmp_path: Path, make: Any, message: str
) -> None:
    board = make_board("da")
    with pytest.raises(ImportRefused, match=message):
        plan_import(board, make(tmp_path / "tavle.ods"))
    assert board.rows() == []


def test_an_empty_libreoffice_workbook_says_it_is_empty(make_board: Any, tmp_path: Path) -> None:
    path = tmp_path / "tom.ods"
    shutil.copy(DATA / "empty.ods", path)
    with pytest.raises(ImportRefused, match=r"tom.ods is empty \(its first sheet has no rows\)"):
        plan_import(make_board("da"), path)


def test_each_languages_header_words_name_every_column_and_no_word_names_two() -> None:
    languages = shipped_header_words()
    assert sorted(found.language for found in languages) == ["da", "en", "nb", "nl", "sv"]
    meaning: dict[str, tuple[str, str]] = {}
    for found in languages:
        assert set(found.words.values()) == set(HEADER_KEYS), found.language
        for word, key in found.words.items():
            other = meaning.setdefault(word, (key, found.language))
            assert other[0] == key, f"{word!r} is {key} in {found.language} but {other[0]} in {other[1]}"
