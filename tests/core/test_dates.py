"""Dates as the team writes them: the board's template decides the order of a date typed or imported without a
four-digit year, and how dates are shown in the grid, forms, exports and the import's dry run (issue 17)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from helpers.boards import USER
from helpers.cli import Cli
from hypothesis import given
from hypothesis import strategies as st

from factboard_tui.core.domain.dates import DateFormats, format_date, parse_date
from factboard_tui.core.domain.templates import BoardTemplate, load_template
from factboard_tui.core.errors import InvalidValue

NOW_ENV = {"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"}
DANISH = load_template("da").dates
SWEDISH = load_template("sv").dates


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("template", "stored", "shown_as"),
    [("da", "2026-11-02", "02.11.2026"), ("sv", "2002-11-26", "2002-11-26")],
)
def test_six_digits_follow_the_boards_date_order_and_the_dry_run_shows_the_stored_date(
    cli: Cli, tmp_path: Path, template: str, stored: str, shown_as: str
) -> None:
    cli.ok("init", "--template", template, env=NOW_ENV)
    header = "Dato;Borger;Triage" if template == "da" else "Datum;Patient;Triage"
    triage = "Krise" if template == "da" else "Kris"
    path = write_csv(tmp_path / "tavle.csv", header, f"021126;DD-75;{triage}")
    dry = cli.ok("import", str(path), "--dry-run", env=NOW_ENV)
    assert shown_as in dry.stdout and "021126" not in dry.stdout
    cli.ok("import", str(path), "--user", USER, env=NOW_ENV)
    listed = json.loads(cli.ok("rows", "list", "--json", env=NOW_ENV).stdout)
    assert [row["date_on"] for row in listed] == [stored]


def test_an_ambiguous_date_is_refused_with_both_readings(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--template", "sv", env=NOW_ENV)
    path = write_csv(tmp_path / "tavla.csv", "Datum;Patient;Triage", "10.11.12;DD-75;Kris")
    result = cli("import", str(path), "--user", USER, env=NOW_ENV)
    assert result.returncode != 0 and result.stderr.count("\n") == 1
    assert "'10.11.12' can be read two ways, 2012-11-10 (day first) or 2010-11-12 (year first)" in result.stderr
    assert json.loads(cli.ok("rows", "list", "--json", env=NOW_ENV).stdout) == []


def test_typed_dates_go_through_the_same_rules_on_every_way_in(cli: Cli) -> None:
    cli.ok("init", "--template", "da", env=NOW_ENV)
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Krise", "--date", "29.11.26", "--user", USER, env=NOW_ENV)
    cli.ok("rows", "set", "DD-75", "evaluation_date", "021226", "--user", USER, env=NOW_ENV)
    (row,) = json.loads(cli.ok("rows", "list", "--json", env=NOW_ENV).stdout)
    assert (row["date_on"], row["evaluation_date"]) == ("2026-11-29", "2026-12-02")
    refused = cli("rows", "set", "DD-75", "evaluation_date", "31.02.26", "--user", USER, env=NOW_ENV)
    assert refused.returncode != 0 and "'31.02.26' is not a date: write 23.11.2026 or 23.11.26." in refused.stderr


@pytest.mark.parametrize(
    "text", ["29.11.2026", "29/11/2026", "29-11-2026", "2026-11-29", "20261129", "29112026", "29.11.26", "291126"]
)
def test_day_first_input_is_accepted_on_a_danish_board(text: str) -> None:
    assert parse_date(text, "date_on", "Dato", DANISH) == date(2026, 11, 29)


@pytest.mark.parametrize("text", ["29.11.2026", "29/11/2026", "2026-11-29", "20261129", "261129"])
def test_a_swedish_board_reads_four_digit_years_either_way_and_six_digits_year_first(text: str) -> None:
    assert parse_date(text, "date_on", "Datum", SWEDISH) == date(2026, 11, 29)


def test_a_day_first_date_with_a_short_year_is_not_ambiguous_when_only_one_reading_is_a_date() -> None:
    with pytest.raises(InvalidValue, match=r"2026-11-29 \(day first\) or 2029-11-26 \(year first\)"):
        parse_date("29.11.26", "date_on", "Datum", SWEDISH)
    assert parse_date("31.11.26", "date_on", "Datum", SWEDISH) == date(2031, 11, 26)  # 31 Nov is no date


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_every_format_reads_back_as_the_same_date(day: date) -> None:
    for formats in (DANISH, SWEDISH, DateFormats("DD-MM-YYYY", "DD-MM-YY")):
        assert parse_date(format_date(day, formats), "date_on", "Date", formats) == day
        if day.year >= 2000:
            assert parse_date(format_date(day, formats, short=True), "date_on", "Date", formats) == day


def test_the_templates_say_how_dates_are_written() -> None:
    assert format_date(date(2026, 11, 2), DANISH) == "02.11.2026"
    assert format_date(date(2026, 11, 2), DANISH, short=True) == "02.11.26"
    assert format_date(date(2026, 11, 2), SWEDISH, short=True) == "261102"
    assert format_date(date(2026, 11, 2), load_template("en").dates) == "2026-11-02"


def test_a_board_made_before_date_formats_takes_its_languages_order() -> None:
    copy = json.loads(load_template("da").to_json())
    del copy["dates"]
    assert BoardTemplate.from_json(json.dumps(copy)).dates == DANISH
    copy["id"], copy["language"] = "team-nl", "nl"  # a team's own template: no shipped file of its id
    assert BoardTemplate.from_json(json.dumps(copy)).dates.long == "DD-MM-YYYY"
    copy["dates"] = {"long": "MM/DD/YYYY?", "short": "YYMMDD"}
    with pytest.raises(Exception, match="date_format"):
        BoardTemplate.from_json(json.dumps(copy))
