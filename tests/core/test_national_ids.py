"""National identity numbers never reach the board: every free-text field, every way in, one line, nothing written.

The numbers below are real in form (right dates, right check digits: Skatteverket's own examples, CPR and
fødselsnummer with computed check digits, BSNs that pass the 11-proof), so they would be refused by the people who
issue them too. The ordinary numbers a FACT team writes (phone numbers of four countries, dates, times, rooms,
amounts, postal codes) must pass: that list is the false-positive promise the README makes.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from helpers.boards import USER, snapshot_files
from helpers.cli import Cli

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.national_ids import DANISH, DUTCH, NORWEGIAN, SWEDISH, find_national_id
from factboard_tui.core.errors import InvalidValue, SyncRefused
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.importer import plan_import

IDENTITY_NUMBERS: dict[str, tuple[str, str]] = {
    "Swedish, 12 digits with dash": ("Pnr 19121212-1212 ringde", SWEDISH),
    "Swedish, the issue's example (century form, any check digit)": ("Pnr 19800101-1234 ringde", SWEDISH),
    "Swedish, 10 digits with dash": ("121212-1212", SWEDISH),
    "Swedish, 10 digits with plus (100 years or older)": ("121212+1212", SWEDISH),
    "Swedish, 10 digits plain": ("ringde 1212121212 igår", SWEDISH),
    "Swedish, 12 digits plain": ("198001011009", SWEDISH),
    "Swedish samordningsnummer (day + 60)": ("samnr 701063-2391", SWEDISH),
    "Swedish, en dash from a word processor": ("121212\u20131212", SWEDISH),
    "Swedish, full-width digits": ("\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12", SWEDISH),
    "Swedish, glued to letters": ("pnr:121212-1212.", SWEDISH),
    "Danish CPR with dash (date is enough)": ("CPR 010180-1234", DANISH),
    "Danish CPR plain, modulus 11": ("3112851002", DANISH),
    "Danish CPR plain, 29 February 2000 by the seventh digit": ("2902004001", DANISH),
    "Norwegian fødselsnummer": ("fnr 01010101006", NORWEGIAN),
    "Norwegian with a space": ("010101 01006", NORWEGIAN),
    "Norwegian D-number (day + 40)": ("41018012365", NORWEGIAN),
    "Norwegian H-number (month + 40)": ("01518030074", NORWEGIAN),
    "Dutch BSN": ("BSN 111222333", DUTCH),
    "Dutch BSN, another": ("123456782", DUTCH),
    "Dutch BSN with dots": ("1112.22.333", DUTCH),
}

ORDINARY_NUMBERS: dict[str, str] = {
    "Swedish mobile, grouped": "Ring 070-123 45 67 efter lunch",
    "Swedish mobile, plain": "0701234567",
    "Stockholm number": "08-123 456 78",
    "Danish mobile with country code": "+45 20 25 57 98",
    "Danish number plain": "20255798",
    "Norwegian mobile with country code": "+47 912 34 567",
    "Dutch mobile": "06-12345678",
    "Dutch mobile with country code": "+31 6 12345678",
    "Swedish mobile with country code, plain": "+46701234567",
    "Dutch mobile with country code, plain": "+31612345678",
    "Swedish mobile, 0046 prefix": "0046 70 123 45 67",
    "ISO date": "Utvärdering 2026-11-29",
    "reference board date": "291126",
    "reference board date (another)": "190327",
    "a date and a time": "291126 1400",
    "client code": "Samma som DD-75",
    "time": "kl. 14.30, 08:15",
    "room number": "Rum 1204, avd B-312",
    "amount": "1 250 kr",
    "large amount": "12 500 000 kr",
    "ordinal count": "3:e gången, 2nd time",
    "Swedish postal code": "411 05 Göteborg",
    "Danish postal code": "8000 Aarhus C",
    "Norwegian postal code": "0150 Oslo",
    "Dutch postal code": "1012 AB Amsterdam",
    "9 digits failing the 11-proof": "Ärende 123456789",
    "10 digits, no valid date": "9999999999",
    "11 digits failing both checks": "01010101007",
    "Swedish 10 digits with dash, Luhn wrong": "800101-1234",
    "version and IP address": "v1.2.3 på 192.168.100.200",
}


@pytest.mark.parametrize(("text", "kind"), IDENTITY_NUMBERS.values(), ids=IDENTITY_NUMBERS.keys())
def test_identity_numbers_of_the_four_countries_are_found(text: str, kind: str) -> None:
    assert find_national_id(text) == kind


@pytest.mark.parametrize("text", ORDINARY_NUMBERS.values(), ids=ORDINARY_NUMBERS.keys())
def test_ordinary_numbers_pass(text: str) -> None:
    assert find_national_id(text) is None


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


FREE_TEXT_FIELDS = [key for key, spec in F.ROW_FIELDS.items() if spec.kind in (F.Kind.TEXT, F.Kind.LONG_TEXT)]


@pytest.mark.parametrize("key", FREE_TEXT_FIELDS)
def test_every_free_text_field_refuses_an_identity_number_and_writes_nothing(board: Board, key: str) -> None:
    row_id = board.add_row(USER, {"client_code": "DD-75", "triage": "new"})
    version = board.data_version()
    label = board.template.label(key)
    for text, _kind in IDENTITY_NUMBERS.values():
        with pytest.raises(InvalidValue) as caught:
            if key == "off_reason":
                board.take_off(USER, row_id, text)
            else:
                board.set_field(USER, row_id, key, text)
        message = str(caught.value)
        assert caught.value.field == key and message.startswith(label)
        assert "identity number" in message and "remove it" in message
        assert _digits(text)[:6] not in _digits(message)  # the number is never echoed
    with pytest.raises(InvalidValue):
        board.add_row(USER, {"client_code": "EE-1", "triage": "new", key: "Pnr 19121212-1212"})
    assert board.data_version() == version
    for text in ORDINARY_NUMBERS.values():
        if key == "off_reason":
            continue
        board.set_field(USER, row_id, key, text)
        assert getattr(board.row(row_id), key) == text


def test_visit_notes_staff_names_and_the_team_name_refuse_one_too(board: Board, tmp_path: Path) -> None:
    row_id = board.add_row(USER, {"client_code": "DD-75", "triage": "new"})
    version = board.data_version()
    monday = date(2026, 11, 23)
    with pytest.raises(InvalidValue, match=r"^Visit note holds what looks like a Swedish"):
        board.write_row(USER, "set", row_id=row_id, visits={monday: ("DEN", "hembesök 121212-1212")})
    with pytest.raises(InvalidValue, match=r"^Name holds what looks like a Dutch"):
        board.write_staff(USER, "DEN", name="Dana 111222333")
    assert board.data_version() == version
    with pytest.raises(InvalidValue, match=r"^Team name holds"):
        Board.create(tmp_path / "other.db", "correct horse battery", team="FACT 010180-1234")
    assert not (tmp_path / "other.db").exists()
    board.write_row(USER, "set", row_id=row_id, visits={monday: ("DEN", "ring 070-123 45 67")})


def test_a_client_code_that_looks_like_an_identity_number_is_not_echoed(board: Board) -> None:
    with pytest.raises(InvalidValue) as caught:
        board.add_row(USER, {"client_code": "19121212-1212", "triage": "new"})
    assert "national ID" in str(caught.value) and "1212" not in str(caught.value)


def test_the_cli_refuses_with_one_line_naming_the_field_and_changes_nothing(cli: Cli) -> None:
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Ny")
    before = snapshot_files(cli.db.parent)
    for args in (
        ["rows", "set", "DD-75", "situation", "Pnr 19121212-1212 ringde"],
        ["rows", "set", "DD-75", "Säkerhet", "CPR 010180-1234"],
        ["rows", "set", "DD-75", "wed", "DEN: fnr 01010101006"],
        ["rows", "off", "DD-75", "--reason", "Flyttat, BSN 111222333"],
        ["rows", "add", "--code", "EE-1", "--triage", "Ny", "--actions", "Ring 1212121212"],
        ["staff", "add", "DEN", "--name", "Dana 121212-1212"],
    ):
        result = cli(*args)
        assert result.returncode == 1, (args, result.stderr)
        line = result.stderr.strip()
        assert len(line.splitlines()) == 1 and "identity number" in line and "Traceback" not in line
        assert "1212-1212" not in line and "0180-1234" not in line and "01006" not in line
    assert snapshot_files(cli.db.parent) == before
    cli.ok("rows", "set", "DD-75", "situation", "Ring 070-123 45 67 eller +45 20 25 57 98")


def test_an_import_with_an_identity_number_names_the_cell_and_writes_nothing(
    board: Board, tmp_path: Path, cli: Cli
) -> None:
    path = tmp_path / "tavlan.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Patient", "Triage", "Aktuell situation", "Säkerhet"])
        writer.writerow(["DD-75", "Ny", "Slutat ta medicin", "OK"])
        writer.writerow(["EE-1", "Ny", "Pnr 19121212-1212", "OK"])
    plan = plan_import(board, path)
    assert [(problem.row, "identity number" in problem.message) for problem in plan.problems] == [(3, True)]
    assert all("1212-1212" not in problem.message for problem in plan.problems)
    board.close()  # the same board, now through the command
    result = cli("import", str(path))
    assert result.returncode != 0 and "identity number" in result.stdout + result.stderr
    assert "EE-1" not in cli.ok("rows", "list", "--json").stdout


def test_a_sync_bundle_carrying_an_identity_number_is_refused_whole(tmp_path: Path) -> None:
    """Only an old or hostile sender can send one: here an old FactBoard wrote it straight into its change log."""
    region = Cli(tmp_path / "region" / "board.db", home=tmp_path / "region", tmpdir=tmp_path / "region" / "tmp")
    muni = Cli(tmp_path / "muni" / "board.db", home=tmp_path / "muni", tmpdir=tmp_path / "muni" / "tmp")
    region.ok("init", "--team", "Region")
    muni.ok("init", "--team", "Silkeborg")
    key_of = {
        cli: next(line for line in cli.ok("sync", "identity").stdout.splitlines() if line.startswith("fbsite1:"))
        for cli in (region, muni)
    }
    region.ok("sync", "trust", "Silkeborg", key_of[muni])
    muni.ok("sync", "trust", "Region", key_of[region])
    region.ok("rows", "add", "--code", "DD-75", "--triage", "Ny", "--situation", "Ringde")
    region.ok("rows", "add", "--code", "EE-1", "--triage", "Ny")
    old = Board.unlock(region.db, "correct horse battery")
    with old.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE change_log SET new = 'Pnr 19121212-1212 ringde' WHERE field = 'situation' AND new = 'Ringde'"
        )
    old.close()
    bundle = region.home / "to-muni.fbsync"
    region.ok("sync", "export", "--to", "Silkeborg", "-o", str(bundle))
    before = snapshot_files(muni.db.parent)
    result = muni("sync", "import", str(bundle))
    assert result.returncode == SyncRefused.exit_code == 8
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "looks like a Swedish personal identity number" in line
    assert "refused" in line and "nothing was applied" in line and "1212-1212" not in line
    assert bundle.is_file()
    assert snapshot_files(muni.db.parent) == before
    assert "DD-75" not in muni.ok("rows", "list", "--json").stdout
