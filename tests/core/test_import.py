"""Importing a team's existing board from Excel or CSV, as the team would do on its first day.

The reference board (002) typed into `tests/data/reference_board.csv` and `.xlsx` (with its row of column letters
and its row numbers) must come in exactly; exports must come back in as the same rows; malformed files must be
refused with one line and leave the board exactly as it was.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.boards import NOW, PASSPHRASE, USER
from helpers.cli import Cli
from helpers.places import DATA
from openpyxl import Workbook

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.fields import ROW_FIELDS
from factboard_tui.core.domain.history import describe_change
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.errors import FactBoardError, ImportRefused
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.export import Format, board_document
from factboard_tui.core.transfer.export_formats import render
from factboard_tui.core.transfer.importer import header_aliases, plan_import, run_import

MONDAY = date(2026, 11, 23)
NOW_ENV = {"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"}

REFERENCE_ROWS: dict[str, dict[str, Any]] = {
    "DD-75": {
        "date_on": date(2019, 3, 27),
        "triage": "watch",
        "category": "symptom_increase",
        "primary_contact": "CSA",
        "doctor": "HMR",
        "other_providers": "Svalöv",
        "children": False,
        "children_note": None,
        "situation": "Slutat ta medicin.",
        "actions": "Kommunen följer upp och återrapporterar till oss kontinuerligt under veckan. CSA kontakt på "
        "onsdag. Boendestöd måndagar och torsdagar.",
        "safety": "OK",
        "visits": {0: "BS", 2: "CSA", 3: "BS"},
    },
    "AA-80": {
        "date_on": date(2019, 3, 29),
        "triage": "stable",
        "category": "poor_self_care",
        "primary_contact": "KRO",
        "doctor": "HMR",
        "other_providers": "Åstorp",
        "children": True,
        "children_note": "2 st",
        "situation": "Nytt boende.",
        "actions": "Fast vårdkontakt tar kontakt under veckan, tisdag",
        "safety": "OK",
        "visits": {1: "KRO"},
    },
    "NN-89": {
        "date_on": date(2019, 4, 12),
        "triage": "crisis",
        "category": "repeated_admission",
        "primary_contact": "DEN",
        "doctor": "HMR",
        "other_providers": "Helsingborg",
        "children": False,
        "children_note": None,
        "situation": "Bostadslös. Återkommande inläggningar.",
        "actions": "Krisplan ska upprättas. Frekvent kontakt med teamet i veckan. DEN+MJR på måndag. MDN tele "
        "tisdag. KRO+CSA på onsdag. Boendestöd på torsdag.",
        "safety": "OK",
        "visits": {0: "DEN+MJR", 1: "MDN", 2: "KRO+CSA", 3: "BS"},
    },
    "BB-90": {
        "date_on": date(2019, 5, 10),
        "triage": "new",
        "category": "new_client",
        "primary_contact": "MDN",
        "doctor": "HMR",
        "other_providers": "Ängelholm",
        "children": True,
        "children_note": "bor ej hemma",
        "situation": "Bor hemma hos föräldrar. Önskar medicinering.",
        "actions": "Besök i hemmet på onsdag, CSA+HMR. Planering efter detta. Mamma medverkar.",
        "safety": "OK",
        "visits": {3: "CSA+HMR"},
    },
    "EE-68": {
        "date_on": date(2019, 5, 10),
        "triage": "admitted",
        "category": "life_events",
        "primary_contact": "DEN",
        "doctor": "HMR",
        "other_providers": "Örkelljunga",
        "children": False,
        "children_note": None,
        "situation": "Skurit sig i helgen, inlagd på avd. 56.",
        "actions": "DEN besök på avdelningen. SIP planeras på fredag tillsammans med SNG",
        "safety": "OK",
        "visits": {0: "DEN", 4: "DEN+SNG"},
    },
}
"""The five rows of the reference board (002), as FactBoard must store them; visits by weekday (0 is Monday)."""


def stored(board: Board) -> dict[str, dict[str, Any]]:
    """Every row on the board by client code: its fields (no ids or stamps) and this week's visits."""
    visits = board.visits(MONDAY, MONDAY + timedelta(days=7))
    result: dict[str, dict[str, Any]] = {}
    for row in board.rows(include_off=True):
        fields = {key: getattr(row, key) for key in ROW_FIELDS}
        days = visits.get(row.id or 0, {})
        fields["visits"] = {(day - MONDAY).days: cell.staff for day, cell in days.items()}
        fields["notes"] = {(day - MONDAY).days: cell.note for day, cell in days.items() if cell.note}
        result[row.client_code] = fields
    return result


def board_state(path: Path) -> tuple[int, dict[str, dict[str, Any]], list[Any]]:
    """Everything a write could change: newest change id, every row with its visits, the team list."""
    board = Board.unlock(path, PASSPHRASE, clock=frozen_clock(NOW))
    try:
        return board.data_version(), stored(board), [staff.model_dump() for staff in board.staff(True)]
    finally:
        board.close()


# -- the reference board ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reference_board.csv", "reference_board.xlsx"])
def test_the_reference_board_imports_exactly(board: Board, name: str) -> None:
    plan = plan_import(board, DATA / name)
    assert plan.problems == [] and plan.unknown == [] and plan.template_id == "sv"
    assert [row.line for row in plan.rows] == [4, 5, 6, 7, 8]  # the sheet's own row numbers
    run_import(board, plan, USER)
    rows = stored(board)
    assert set(rows) == set(REFERENCE_ROWS)
    for code, expected in REFERENCE_ROWS.items():
        got = rows[code]
        for key, value in expected.items():
            assert got[key] == value, f"{code} {key}"
        for key in ("evaluation_date", "date_off", "off_reason"):
            assert got[key] is None
        assert got["crisis_plan"] is None and got["notes"] == {}


def test_each_imported_row_says_it_was_imported_and_from_which_file(board: Board) -> None:
    result = run_import(board, plan_import(board, DATA / "reference_board.xlsx"), USER)
    changes = board.history(result.row_ids[0])
    assert {change.source for change in changes} == {"import:reference_board.xlsx"}
    line = describe_change(changes[0], board.template)
    assert line.origin == "added, imported from reference_board.xlsx"
    assert line.source_kind == "import"
    assert {change.author for change in changes} == {USER}


# -- round trip -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [Format.CSV, Format.XLSX])
def test_an_exported_board_imports_into_a_fresh_board_as_the_same_rows(
    board: Board, tmp_path: Path, fmt: Format
) -> None:
    run_import(board, plan_import(board, DATA / "reference_board.csv"), USER)
    board.write_rows(
        USER,
        [
            RowWrite(
                "add",
                values={
                    "client_code": "ÖS-12",
                    "triage": "Kris",
                    "situation": 'Två rader,\n"citat" och; semikolon',
                    "evaluation_date": date(2026, 12, 4),
                    "crisis_plan": True,
                    "children": True,
                },
                visits={MONDAY + timedelta(days=5): ("DEN", "hembesök, kväll")},
            )
        ],
        source="test",
    )
    path = tmp_path / f"board.{fmt.value}"
    path.write_bytes(render(board_document(board), fmt))
    fresh, _key = Board.create(tmp_path / "fresh.db", PASSPHRASE, clock=frozen_clock(NOW))
    try:
        plan = plan_import(fresh, path)
        assert plan.problems == [] and plan.unknown == [] and plan.ignored == ["B (Dagar)"]
        run_import(fresh, plan, USER)
        assert stored(fresh) == stored(board)
    finally:
        fresh.close()


# -- headers and values -------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_headers_match_any_language_ignoring_case_accents_and_spacing(board: Board, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "danish.csv",
        [
            ["  BORGER ", "triage", "dato", "Aktuel  situation", "børn<18", "KONTAKTPERSON", "ma", "Onsdag", "Farve"],
            ["DD-75", "Krise", "2026-11-02", "Sover dårligt", "Ja", "CSA", "DEN+MJR", "csa: hjemmebesøg", "rød"],
        ],
        delimiter=";",
    )
    plan = plan_import(board, path)
    assert plan.template_id == "da"  # the file's words are Danish
    assert plan.unknown == ["I (Farve)"]
    assert plan.problems == []
    run_import(board, plan, USER)
    row = stored(board)["DD-75"]
    assert row["triage"] == "crisis" and row["date_on"] == date(2026, 11, 2) and row["children"] is True
    assert row["situation"] == "Sover dårligt" and row["primary_contact"] == "CSA"
    assert row["visits"] == {0: "DEN+MJR", 2: "CSA"} and row["notes"] == {2: "hjemmebesøg"}


def test_every_templates_labels_are_recognised_without_clashes() -> None:
    templates = [load_template(name) for name in ("sv", "da", "en")]
    aliases = header_aliases(templates)
    for template in templates:
        for key, label in template.columns.items():
            assert aliases[fold_label(label)] == key
        for index, short in enumerate(template.weekdays):
            assert aliases[fold_label(short)] == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[index]


def fold_label(text: str) -> str:
    from factboard_tui.core.domain.templates import fold

    return fold(text)


def test_dry_run_lists_every_problem_with_its_row_and_column(board: Board, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "board.csv",
        [
            ["Datum", "Patient", "Triage", "Kategori", "Må"],
            ["190327", "DD-75", "obs", "Symtomökning", "BS"],
            ["190399", "AA-80", "Kris", "", ""],
            ["2026-11-01", "NN-89", "Brådskande", "Ny patient", "den och mjr"],
            ["", "DD-75", "Stabil", "", ""],
        ],
    )
    plan = plan_import(board, path)
    assert [str(problem) for problem in plan.problems] == [
        "row 3, column A (Datum): Datum '190399' is not a date: write 2026-11-23 or 261123.",
        "row 4, column C (Triage): Triage 'Brådskande' is not a triage level of the board: use Kris, Inlagd, Ny, obs, "
        "Stabil.",
        "row 4, column E (Må): Må 'den och mjr' is not staff initials: use initials joined by +, like DEN+MJR.",
        "row 5: DD-75 is also in row 2 of the file: keep one of them.",
    ]
    assert plan.bad_lines == [3, 4, 5] and [row.line for row in plan.good_rows] == [2]


# -- all or nothing -----------------------------------------------------------------------------------------------


def test_one_bad_row_stops_the_whole_import_unless_skipped(board: Board, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "board.csv",
        [["Patient", "Triage"], ["DD-75", "obs"], ["AA-80", "okänd"], ["NN-89", "Kris"]],
    )
    plan = plan_import(board, path)
    version = board.data_version()
    with pytest.raises(ImportRefused, match=r"1 row has problems .* nothing was imported"):
        run_import(board, plan, USER)
    assert board.data_version() == version and board.rows() == []
    result = run_import(board, plan, USER, skip_bad=True)
    assert result.skipped == [3]
    assert sorted(stored(board)) == ["DD-75", "NN-89"]


def test_a_client_already_on_the_board_is_a_problem(board: Board, tmp_path: Path) -> None:
    board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    plan = plan_import(board, write_csv(tmp_path / "b.csv", [["Patient", "Triage"], ["dd-75", "Kris"]]))
    assert [str(problem) for problem in plan.problems] == [
        "row 2: DD-75 is already on the board: remove the row from the file."
    ]


def test_rows_taken_off_the_board_are_not_imported(board: Board, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [["Patient", "Triage", "Avslutad"], ["DD-75", "obs", "2026-11-01"]])
    plan = plan_import(board, path)
    assert "only rows still on the board are imported" in str(plan.problems[0])


# -- malformed files, through the CLI ----------------------------------------------------------------------------


def empty_workbook(path: Path) -> Path:
    workbook = Workbook()
    workbook.save(path)
    return path


MALFORMED: dict[str, tuple[Any, str]] = {
    "wrong headers": (
        lambda p: write_csv(p / "wrong.csv", [["Name", "Phone", "Notes"], ["x", "y", "z"]]),
        "has no header row FactBoard knows",
    ),
    "no client column": (
        lambda p: write_csv(p / "nocode.csv", [["Datum", "Triage", "Kategori"], ["190327", "obs", "Övrigt"]]),
        "has no column for Patient (client code)",
    ),
    "bad date": (
        lambda p: write_csv(p / "date.csv", [["Datum", "Patient", "Triage"], ["2019-02-30", "DD-75", "obs"]]),
        "row 2, column A (Datum): Datum '2019-02-30' is not a date",
    ),
    "unknown triage": (
        lambda p: write_csv(p / "triage.csv", [["Patient", "Triage"], ["DD-75", "Akut"]]),
        "Triage 'Akut' is not a triage level of the board",
    ),
    "binary file as xlsx": (
        lambda p: (p / "photo.xlsx").write_bytes(bytes(range(256)) * 40) and p / "photo.xlsx",
        "photo.xlsx is not a workbook FactBoard can read (it is damaged or another kind of file)",
    ),
    "binary file as csv": (
        lambda p: (p / "photo.csv").write_bytes(bytes(range(256)) * 40) and p / "photo.csv",
        "is a binary file, not CSV text",
    ),
    "empty sheet": (lambda p: empty_workbook(p / "empty.xlsx"), "is empty"),
    "empty csv": (lambda p: (p / "empty.csv").write_text("\n\n", encoding="utf-8") and p / "empty.csv", "is empty"),
    "not a spreadsheet": (
        lambda p: (p / "board.pdf").write_bytes(b"%PDF-1.4") and p / "board.pdf",
        "board.pdf is not a spreadsheet FactBoard reads",
    ),
}


def state(board: Board) -> tuple[int, dict[str, dict[str, Any]], list[Any]]:
    """Everything a write could change, read through an open board: newest change id, rows, the team list."""
    return board.data_version(), stored(board), [staff.model_dump() for staff in board.staff(True)]


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_get_one_line_a_nonzero_exit_and_change_nothing(
    cli: Cli, board: Board, tmp_path: Path, case: str
) -> None:
    assert cli.db == board.path
    run_import(board, plan_import(board, DATA / "reference_board.csv"), USER)
    before = state(board)
    make, message = MALFORMED[case]
    files = tmp_path / "files"
    files.mkdir()
    path = make(files)
    variants = [(), ("--dry-run",), ("--skip-bad",)] if case == "bad date" else [()]
    for extra in variants:
        result = cli("import", str(path), *extra, env=NOW_ENV)
        assert result.returncode != 0, result.stdout
        assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
        assert message in result.stderr
    assert state(board) == before


def test_cli_import_dry_run_then_real_import(cli: Cli) -> None:
    cli.ok("init", env=NOW_ENV)
    before = board_state(cli.db)
    result = cli.ok("import", str(DATA / "reference_board.xlsx"), "--dry-run", env=NOW_ENV)
    assert "5 rows would be imported, 0 have problems. Nothing was written." in result.stdout
    assert "DD-75" in result.stdout and "EE-68" in result.stdout
    assert board_state(cli.db) == before
    result = cli.ok("import", str(DATA / "reference_board.xlsx"), "--template", "sv", env=NOW_ENV)
    assert "Imported 5 rows from reference_board.xlsx" in result.stdout
    version, rows, _staff = board_state(cli.db)
    assert sorted(rows) == sorted(REFERENCE_ROWS) and version > before[0]


def test_cli_skip_bad_names_every_skipped_row(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", env=NOW_ENV)
    path = write_csv(
        tmp_path / "b.csv",
        [["Patient", "Triage", "Datum"], ["DD-75", "obs", ""], ["AA-80", "x", ""], ["NN-8", "Ny", "1"]],
    )
    refused = cli("import", str(path), env=NOW_ENV)
    assert refused.returncode != 0 and "2 rows have problems" in refused.stderr
    assert "problem row 3, column B (Triage)" in refused.stdout and "problem row 4, column C (Datum)" in refused.stdout
    result = cli.ok("import", str(path), "--skip-bad", env=NOW_ENV)
    assert "Imported 1 row from b.csv; skipped rows 3, 4" in result.stdout
    assert sorted(board_state(cli.db)[1]) == ["DD-75"]


def test_import_needs_to_know_who_writes(cli: Cli) -> None:
    cli.ok("init", env=NOW_ENV)
    result = cli("import", str(DATA / "reference_board.csv"), env=NOW_ENV | {"FACTBOARD_USER": None})
    assert result.returncode != 0 and "Say who is writing" in result.stderr


def test_an_unknown_template_is_refused(board: Board) -> None:
    with pytest.raises(FactBoardError, match="no board template 'fi'"):
        plan_import(board, DATA / "reference_board.csv", template_id="fi")


# -- the write path's bulk adds ---------------------------------------------------------------------------------


def raw_tables(board: Board) -> tuple[list[Any], list[Any], list[Any]]:
    """Rows, visits and change records exactly as stored (ids, stamps and txn ids left out; of the sync columns,
    whether each row has its uid and each change its clock and origin, and the sequence numbers)."""
    with board.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT client_code, date_on, triage, category, children, children_note, crisis_plan, evaluation_date, "
            "created_at, created_by, updated_at, updated_by, uid IS NOT NULL FROM board_row ORDER BY id"
        ).all()
        visits = connection.exec_driver_sql("SELECT row_id, day, staff, note FROM visit ORDER BY id").all()
        changes = connection.exec_driver_sql(
            "SELECT at, author, source, entity, row_id, op, field, old, new, undoes, seq, base, hlc IS NOT NULL, "
            "origin IS NOT NULL FROM change_log ORDER BY id"
        ).all()
    return rows, visits, changes


def test_many_new_rows_at_once_are_stored_exactly_as_one_by_one(tmp_path: Path) -> None:
    writes = [
        RowWrite(
            "add",
            values={"client_code": f"AB-{number}", "triage": "Kris", "category": "Övrigt", "children": "Ja"},
            visits={MONDAY: ("DEN+MJR", "hembesök" if number % 2 else None), MONDAY + timedelta(days=1): ("", None)},
        )
        for number in range(5)
    ]
    one, _key = Board.create(tmp_path / "one.db", PASSPHRASE, clock=frozen_clock(NOW))
    bulk, _key = Board.create(tmp_path / "bulk.db", PASSPHRASE, clock=frozen_clock(NOW))
    try:
        singles = [one.write_rows(USER, [write], source="test")[0] for write in writes]
        many = bulk.write_rows(USER, writes, source="test")
        assert raw_tables(one) == raw_tables(bulk)
        assert [(c.field, c.new) for c in many[1].changes] == [(c.field, c.new) for c in singles[1].changes]
        bulk.undo_last(USER)  # the five adds were one action (an import): one undo takes them all off
        assert [row.client_code for row in bulk.rows()] == []
        one.undo_last(USER)  # one by one, they were five actions
        assert [row.client_code for row in one.rows()] == ["AB-0", "AB-1", "AB-2", "AB-3"]
    finally:
        one.close()
        bulk.close()


def test_many_new_rows_with_a_duplicate_write_nothing(board: Board) -> None:
    board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    version = board.data_version()
    for codes in (["AA-80", "AA-80"], ["AA-80", "DD-75"]):
        with pytest.raises(FactBoardError, match="already on the board"):
            board.write_rows(USER, [RowWrite("add", values={"client_code": c, "triage": "Ny"}) for c in codes])
        assert board.data_version() == version and [row.client_code for row in board.rows()] == ["DD-75"]
