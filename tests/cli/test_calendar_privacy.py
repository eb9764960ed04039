"""Calendar exports hold only what a visit needs, unless the person asks for more.

Calendars are often synced to cloud services. An event holds the client code, the staff initials and the visit
note; the row's actions, triage and other providers go in only with `--details` (or the dialog's checkbox), and the
command and the dialog say which of the two they wrote. The calendar is read back with icalendar's parser, and its
raw bytes (unfolded) are searched too, so nothing hides in a property the parser's test does not look at.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from helpers.boards import MONDAY_MORNING
from helpers.cli import Cli
from helpers.pilot import on_board, text_of, until
from helpers.week import NOW_ENV, cli_board, fill
from icalendar import Calendar
from textual.widgets import Checkbox, Input, Select, Static

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board
from factboard_tui.core.transfer.export import Format, Grouping, week_document
from factboard_tui.core.transfer.export_formats import render
from factboard_tui.tui.dialogs.export import ExportScreen

MONDAY = date(2026, 11, 23)
DETAILS = ("Krisplan ska upprättas", "Helsingborg", "Kris", "Kommunen följer upp", "Svalöv")
"""Actions, other providers and triage of the rows `fill` puts on the board: details a calendar leaves out."""


def unfolded(data: bytes) -> str:
    return data.replace(b"\r\n ", b"").decode("utf-8")


def events_text(data: bytes) -> list[str]:
    """Every property value of every event, as text."""
    calendar = Calendar.from_ical(data)
    return [str(value) for event in calendar.walk("VEVENT") for value in event.values()]


def test_a_calendar_holds_only_code_staff_and_note_by_default(board: Board) -> None:
    fill(board)
    data = render(week_document(board, MONDAY, Grouping.DAY), Format.ICS)
    raw = unfolded(data)
    for detail in DETAILS:
        assert detail not in raw, detail
    assert "CATEGORIES" not in raw
    summaries = sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(data).walk("VEVENT"))
    assert summaries == ["DD-75: BS", "DD-75: BS", "NN-89: DEN+MJR", "NN-89: KRO+CSA", "NN-89: MDN (telefon)"]
    assert any("telefon" in text for text in events_text(data))  # the visit note stays


def test_details_add_actions_triage_and_other_providers(board: Board) -> None:
    fill(board)
    data = render(week_document(board, MONDAY, Grouping.DAY, calendar_details=True), Format.ICS)
    raw = unfolded(data)
    for detail in DETAILS:
        assert detail in raw, detail
    assert "CATEGORIES:Kris" in raw


def test_the_command_says_which_it_wrote_and_details_apply_to_calendars_only(cli: Cli, tmp_path: Path) -> None:
    cli_board(cli)
    plain = tmp_path / "week.ics"
    result = cli.ok("export", "week", "-o", str(plain), env=NOW_ENV)
    assert "without details: client code, staff and visit note only" in result.stdout
    assert "--details adds the rest" in result.stdout
    assert "Krisplan" not in unfolded(plain.read_bytes())
    detailed = tmp_path / "week-details.ics"
    result = cli.ok("export", "week", "-o", str(detailed), "--details", env=NOW_ENV)
    assert "with details: also actions, triage and other providers" in result.stdout
    assert "Krisplan ska upprättas" in unfolded(detailed.read_bytes())
    refused = cli("export", "week", "-f", "csv", "--details", "-o", str(tmp_path / "week.csv"), env=NOW_ENV)
    assert refused.returncode != 0 and refused.stderr.count("\n") == 1 and "calendar exports (ics)" in refused.stderr
    assert not (tmp_path / "week.csv").exists()


def test_the_dialog_offers_details_for_calendars_and_says_which_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    create_demo_board(path, clock=frozen_clock(MONDAY_MORNING)).close()
    demo = Board.unlock(path, DEMO_PASSPHRASE, clock=frozen_clock(MONDAY_MORNING))
    actions = [row.actions for row in demo.rows() if row.actions]

    async def scenario() -> None:
        async with on_board(demo, lambda feed: ExportScreen(feed, MONDAY)).run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            dialog = pilot.app.screen
            details = dialog.query_one("#export-details", Checkbox)
            assert not details.display  # HTML: nothing to choose
            dialog.query_one("#export-format", Select).value = Format.ICS
            await until(pilot, lambda: bool(details.display), "the calendar-details checkbox")
            result = dialog.query_one("#export-result", Static)
            plain = tmp_path / "plain.ics"
            dialog.query_one("#export-path", Input).value = str(plain)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "NOT encrypted" in text_of(result), "the export")
            assert "without details: client code, staff and visit note only" in text_of(result)
            assert not any(action.splitlines()[0] in unfolded(plain.read_bytes()) for action in actions)
            details.value = True
            detailed = tmp_path / "detailed.ics"
            dialog.query_one("#export-path", Input).value = str(detailed)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "with details" in text_of(result), "the detailed export")
            assert any(action.splitlines()[0] in unfolded(detailed.read_bytes()) for action in actions)

    try:
        asyncio.run(scenario())
    finally:
        demo.close()
