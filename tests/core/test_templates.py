"""Board templates: the shipped ones load and are complete, broken ones are refused, a board keeps its own copy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlcipher3
from helpers.boards import PASSPHRASE

from factboard_tui.core.domain.templates import (
    COLUMN_KEYS,
    WEEKDAY_KEYS,
    BoardTemplate,
    available_templates,
    load_template,
)
from factboard_tui.core.errors import TemplateError
from factboard_tui.core.paths import templates_dir
from factboard_tui.core.store.board import Board

SV_TEXT = (templates_dir() / "sv.toml").read_text(encoding="utf-8")


def test_the_shipped_templates_are_there() -> None:
    assert {"sv", "da", "en"} <= set(available_templates())


@pytest.mark.parametrize("template_id", available_templates())
def test_every_shipped_template_is_complete(template_id: str) -> None:
    template = load_template(template_id)
    assert template.id == template_id
    assert len(COLUMN_KEYS) >= 15
    assert set(template.columns) >= set(COLUMN_KEYS)
    assert all(template.label(key).strip() for key in COLUMN_KEYS)
    assert len({template.label(key) for key in COLUMN_KEYS}) == len(COLUMN_KEYS)  # no two columns look alike
    assert len(template.triage) == 5
    assert len({level.colour.upper() for level in template.triage}) == 5
    assert len({level.label for level in template.triage}) == 5
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", level.colour) for level in template.triage)
    assert len(template.weekdays) == 7 and len(template.weekday_names) == 7
    for index, day in enumerate(WEEKDAY_KEYS[:5]):
        agenda = template.agenda_for(index)
        assert agenda, f"{template_id} has no agenda for {day}"
        times = [item.time for item in agenda]
        assert times == sorted(times)
    assert template.categories
    assert BoardTemplate.from_json(template.to_json()) == template  # the copy a board keeps reads back the same


def test_swedish_template_has_the_reference_boards_words() -> None:
    sv = load_template("sv")
    labels = {sv.label(key) for key in COLUMN_KEYS}
    assert {
        "Datum",
        "Patient",
        "Triage",
        "Kategori",
        "FVK",
        "Dr",
        "Övriga vårdgivare",
        "Barn <18",
        "Aktuell situation",
        "Aktuella åtgärder",
        "Säkerhet",
    } <= labels
    assert sv.weekdays == ("Må", "Ti", "On", "To", "Fr", "Lö", "Sö")
    assert {level.label for level in sv.triage} == {"obs", "Stabil", "Kris", "Ny", "Inlagd"}
    assert sv.triage[0].crisis and sv.triage[0].label == "Kris"  # the most urgent level comes first
    monday = sv.agenda_for(0)
    assert (monday[0].time, monday[0].title) == ("08:15", "Veckoplanering")
    assert sv.match_triage("OBS") == sv.match_triage("watch") == "watch"


# -- malformed templates ----------------------------------------------------------------------------------------

BROKEN = {
    "bad toml": (SV_TEXT.replace('yes = "Ja"', 'yes = "Ja'), "cannot be read"),
    "missing column": (SV_TEXT.replace('safety = "Säkerhet"\n', ""), "lacks safety"),
    "bad colour": (SV_TEXT.replace('colour = "#D55E00"', 'colour = "#D55E0G"'), "#RRGGBB"),
    "colour by name": (SV_TEXT.replace('colour = "#D55E00"', 'colour = "red"'), "#RRGGBB"),
    "agenda time with a dot": (
        SV_TEXT.replace('time = "08:15", title = "Veckoplanering"', 'time = "8.15", title = "V"'),
        "08:15",
    ),
    "six weekdays": (SV_TEXT.replace(', "Sö"]', "]", 1), "seven weekday"),
    "duplicate triage key": (SV_TEXT.replace('key = "admitted"', 'key = "crisis"'), "unique"),
    "agenda for an unknown day": (SV_TEXT.replace("sat = []", "saturday = []"), "keys among"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_malformed_template_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    text, words = BROKEN[case]
    assert text != SV_TEXT  # the edit really happened
    path = tmp_path / "sv.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as refused:
        load_template("sv", directory=tmp_path)
    message = str(refused.value)
    assert words in message
    assert "sv.toml" in message
    assert "\n" not in message


def test_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(TemplateError) as refused:
        load_template("xx")
    assert "'xx'" in str(refused.value) and "sv" in str(refused.value)


# -- a board keeps its own copy ---------------------------------------------------------------------------------


def test_board_keeps_its_own_copy_of_the_template(board_path: Path, tmp_path: Path) -> None:
    original = load_template("sv")
    board, _key = Board.create(board_path, PASSPHRASE, template_id="sv")
    board.close()

    edited_dir = tmp_path / "templates"
    edited_dir.mkdir()
    (edited_dir / "sv.toml").write_text(
        SV_TEXT.replace('label = "Kris"', 'label = "Akut"').replace(
            'client_code = "Patient"', 'client_code = "Klient"'
        ),
        encoding="utf-8",
    )
    edited = load_template("sv", directory=edited_dir)
    assert edited != original
    assert (edited.triage_level("crisis").label, edited.label("client_code")) == ("Akut", "Klient")

    with Board.unlock(board_path, PASSPHRASE) as reopened:
        assert reopened.template == original
        assert reopened.template.label("client_code") == "Patient"


def test_board_reads_its_template_from_its_own_database(board_path: Path) -> None:
    board, key = Board.create(board_path, PASSPHRASE, template_id="sv")
    board.close()

    connection = sqlcipher3.connect(str(board_path))
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    stored = json.loads(connection.execute("SELECT value FROM board_meta WHERE key = 'template'").fetchone()[0])
    for level in stored["triage"]:
        if level["key"] == "crisis":
            level["label"] = "Akut"
    with connection:
        connection.execute(
            "UPDATE board_meta SET value = ? WHERE key = 'template'", (json.dumps(stored, ensure_ascii=False),)
        )
    connection.close()

    with Board.unlock(board_path, PASSPHRASE) as reopened:
        assert reopened.template.triage_level("crisis").label == "Akut"
        row_id = reopened.add_row("CSA", {"client_code": "DD-75", "triage": "Akut"})
        assert reopened.row(row_id).triage == "crisis"
    assert load_template("sv").triage_level("crisis").label == "Kris"  # the shipped file is not what it read
