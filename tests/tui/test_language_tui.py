"""The TUI in the team's language: the board, the meeting, the help and the add form in Swedish and Danish, the
board in Norwegian and Dutch (SVG snapshots at the wall size), no English word in the footer or the status line of
a Swedish board, and the keys Nordic keyboards reach without AltGr."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from helpers.board_app import start_meeting, wait_for_rows
from helpers.boards import MONDAY_MORNING, HandClock
from helpers.languages import language_board
from helpers.pilot import text_of, until
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input, Static

from factboard_tui.core.i18n import start_language
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.help import HelpScreen
from factboard_tui.tui.widgets.key_bar import KeyBar

WALL = (200, 50)
CHECK_IN = ("down", "space", "down", "space", "down", "space")
"""Ticks BOL, CIK and DAS besides ANE, who starts ticked: a nurse, a doctor, a social worker, a psychologist."""


@pytest.fixture(autouse=True)
def _the_board_decides() -> None:
    """As outside the tests: no person's choice, so the board's template decides the language."""
    start_language()


def app_in(tmp_path: Path, language: str, clock: HandClock | None = None) -> FactBoardApp:
    clock = clock or HandClock(MONDAY_MORNING)
    board = language_board(tmp_path / "board.db", language, MONDAY_MORNING, clock)
    return FactBoardApp(tmp_path / "board.db", board=board, user="ANE", clock=clock)


@pytest.mark.parametrize("language", ["sv", "da", "nb", "nl"])
def test_snapshot_board_in_the_teams_language(snap_compare, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        await pilot.press("down", "right")
        await pilot.pause()

    assert snap_compare(app_in(tmp_path, language), terminal_size=WALL, run_before=run_before)


@pytest.mark.parametrize("language", ["sv", "da"])
def test_snapshot_meeting_in_the_teams_language(snap_compare, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    clock = HandClock(MONDAY_MORNING)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await start_meeting(pilot, CHECK_IN)
        clock.advance(minutes=1, seconds=30)
        await pilot.press("enter")
        clock.advance(seconds=40)
        screen.tick()
        await pilot.pause()

    assert snap_compare(app_in(tmp_path, language, clock), terminal_size=WALL, run_before=run_before)


@pytest.mark.parametrize("language", ["sv", "da"])
def test_snapshot_help_in_the_teams_language(snap_compare, tmp_path: Path, language: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FACTBOARD_CONFIG", "/etc/factboard-example/config.toml")  # the help names it: keep it stable

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help screen")

    assert snap_compare(app_in(tmp_path, language), terminal_size=WALL, run_before=run_before)


@pytest.mark.parametrize(
    ("language", "said"), [("sv", "redan på tavlan"), ("da", "allerede på tavlen")], ids=["sv", "da"]
)
def test_snapshot_add_form_in_the_teams_language(snap_compare, tmp_path: Path, language: str, said: str) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        await pilot.press("a")
        await until(pilot, lambda: getattr(pilot.app.focused, "id", None) == "field-client_code", "the code field")
        await pilot.press(*"AB-12")  # a code already on the board: the form says so, in the team's words
        error = pilot.app.screen.query_one("#error-client_code", Static)
        await until(pilot, lambda: said in text_of(error), "the form saying so")

    assert snap_compare(app_in(tmp_path, language), terminal_size=WALL, run_before=run_before)


def test_a_swedish_board_shows_no_english_word_in_its_footer_or_status_line(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = app_in(tmp_path, "sv")
        async with app.run_test(size=WALL) as pilot:
            await wait_for_rows(pilot)
            footer = text_of(app.screen.query_one(KeyBar))
            status = text_of(app.screen.query_one("#status", Static))
        assert footer.startswith("⏎ Redigera a Lägg till o Av tavlan u Ångra f Filter H Historik , Förra veckan")
        assert "m Möte" in footer and "f1 Tangenter" in footer
        english = ("Edit", "Add", "Off board", "Undo", "History", "Prev week", "Next week", "Staff", "Meeting", "Keys")
        assert not [word for word in english if word in footer]
        assert "vecka 2026-W48 (23–29 nov.)" in status and "5 rader:" in status and "inloggad:" in status
        for word in ("week", "rows", "signed in", "Nov"):
            assert word not in status

    import asyncio

    asyncio.run(scenario())


def test_nordic_keyboards_reach_the_filter_and_the_weeks_without_altgr(tmp_path: Path) -> None:
    """`/`, `[` and `]` need AltGr or Shift on Swedish, Danish and Norwegian keyboards: f, comma and full stop do the
    same, and the footer and the help show them."""

    async def scenario() -> None:
        app = app_in(tmp_path, "en")
        async with app.run_test(size=WALL) as pilot:
            await wait_for_rows(pilot)
            screen = app.screen
            assert isinstance(screen, BoardScreen)
            monday = screen.feed.monday
            footer = text_of(screen.query_one(KeyBar))
            assert "f Filter" in footer and ", Prev week" in footer and ". Next week" in footer
            await pilot.press("full_stop", "full_stop")
            await until(pilot, lambda: screen.feed.monday == monday + timedelta(days=14), "two weeks on")
            await pilot.press("comma")
            await until(pilot, lambda: screen.feed.monday == monday + timedelta(days=7), "a week back")
            await pilot.press("f")
            await until(pilot, lambda: app.focused is screen.query_one("#filter", Input), "the filter's focus")
            await pilot.press("escape", "f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            keys = {entry.binding_id: entry.keys for entry in help_screen.entries}
        assert keys["board.filter"] == ("f", "slash")
        assert keys["board.previous_week"] == ("comma", "[") and keys["board.next_week"] == (".", "]")

    import asyncio

    asyncio.run(scenario())


def test_the_command_palette_asks_in_swedish(tmp_path: Path) -> None:
    """Textual's palette said "Search for commands…" and "No matches found" on a Swedish board (its own words)."""

    async def scenario() -> None:
        app = app_in(tmp_path, "sv")
        async with app.run_test(size=WALL) as pilot:
            await wait_for_rows(pilot)
            await pilot.press("ctrl+p")
            await until(pilot, lambda: bool(app.screen.query("#--input Input")), "the palette's search field")
            placeholder = str(app.screen.query_one("#--input Input", Input).placeholder)
            await pilot.press(*"zqxj")
            said = ""

            def nothing_matched() -> bool:
                nonlocal said
                said = " ".join(str(option.prompt) for option in app.screen.query_one(CommandList).options)
                return "Inga träffar" in said or "No matches" in said

            await until(pilot, nothing_matched, "the palette's no-match line")
        assert placeholder == "Sök bland kommandon…"
        assert "Inga träffar" in said and "No matches" not in said

    import asyncio

    asyncio.run(scenario())
