"""The CLI speaks the board's language: errors in Swedish for a Swedish board and in Danish for a Danish one,
`--lang` and the config's `language` over the board's, `LANG` when no board is open, help in the chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import prepared
from helpers.cli import Cli

BOARD_LANGUAGE = {"FACTBOARD_LANG": None}
"""The test helpers speak English; these calls let the board (or the person) decide, as outside the tests."""


def board_in(cli: Cli, language: str) -> None:
    prepared.blank(cli.db, template=language)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", "fel: Ingen patient ZZ-99 finns på tavlan: kontrollera koden med `factboard rows list`."),
        ("da", "fejl: Ingen borger ZZ-99 står på tavlen: tjek koden med `factboard rows list`."),
        ("nb", "feil: Ingen pasient ZZ-99 står på tavla: sjekk koden med `factboard rows list`."),
        ("nl", "fout: Er staat geen cliënt ZZ-99 op het bord: controleer de code met `factboard rows list`."),
    ],
)
def test_an_error_on_a_board_is_said_in_the_boards_language(cli: Cli, language: str, expected: str) -> None:
    board_in(cli, language)
    refused = cli("rows", "set", "ZZ-99", "actions", "x", env=BOARD_LANGUAGE)
    assert refused.returncode == 16  # not found
    assert refused.stderr.strip() == expected


def test_a_value_that_does_not_fit_is_refused_in_danish_on_a_danish_board(cli: Cli) -> None:
    board_in(cli, "da")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Krise", env=BOARD_LANGUAGE)
    refused = cli("rows", "set", "DD-75", "triage", "Panik", env=BOARD_LANGUAGE)
    assert refused.returncode == 1
    assert "'Panik' er ikke et triageniveau på denne tavle: brug" in refused.stderr
    listed = cli.ok("rows", "list", env=BOARD_LANGUAGE)
    assert "1 række" in listed.stdout and "Krise" in listed.stdout


def test_lang_and_the_config_override_the_boards_language(cli: Cli, tmp_path: Path) -> None:
    board_in(cli, "sv")
    english = cli("--lang", "en", "rows", "set", "ZZ-99", "actions", "x", env=BOARD_LANGUAGE)
    assert english.stderr.startswith("error: No client ZZ-99 is on the board")
    config = tmp_path / "config.toml"
    config.write_text('language = "nl"\n', encoding="utf-8")
    dutch = cli("rows", "set", "ZZ-99", "actions", "x", env={**BOARD_LANGUAGE, "FACTBOARD_CONFIG": str(config)})
    assert dutch.stderr.startswith("fout: Er staat geen cliënt ZZ-99 op het bord")
    unknown = cli("--lang", "de", "rows", "list", env=BOARD_LANGUAGE)
    assert unknown.returncode == 2 and "de is not a language FactBoard speaks" in unknown.stderr


def test_without_a_board_the_cli_follows_lang(cli: Cli, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.db")
    danish = cli("rows", "list", "--db", missing, env={**BOARD_LANGUAGE, "LANG": "da_DK.UTF-8", "LC_ALL": None})
    assert danish.returncode == 16  # no board there
    assert danish.stderr.startswith(f"fejl: Der er ingen tavle i {missing}")
    helped = cli("--help", env={**BOARD_LANGUAGE, "LANG": "sv_SE.UTF-8", "LC_ALL": None, "COLUMNS": "200"})
    assert "FACT-teamets morgontavla i en krypterad lokal databas" in helped.stdout
    assert "Öppna tavlan i terminalgränssnittet." in helped.stdout
