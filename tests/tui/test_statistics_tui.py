"""The statistics screen: S (or the palette's `view: statistics`) on the board shows the fidelity report of the
known history (tests/helpers/history.py), the weeks as sparklines, each criterion met or not; p steps the period.

The figures are those tests/core/test_statistics.py works out by hand; here a user opens the screen by keys and
reads them, and the screen is snapshotted at 200x50, 120x40 and 80x24.
"""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.board_app import board_app, board_shown, open_demo
from helpers.history import seed_history
from helpers.pilot import central_european_time, on_board, screen_text, text_of, until
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Sparkline, Static

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.statistics import StatisticsScreen

SIZES = [(200, 50), (120, 40), (80, 24)]
END = datetime(2026, 11, 29, 12, tzinfo=UTC)
"""The Sunday the screen is looked at: four weeks back is the hand-worked period, 2-29 November."""


@pytest.fixture(autouse=True)
def _team_time_zone() -> Iterator[None]:
    with central_european_time():
        yield


@pytest.fixture
def history(board: Board) -> Board:
    seed_history(board)
    board.clock = frozen_clock(END)
    return board


def counted(screen: object) -> bool:
    return isinstance(screen, StatisticsScreen) and screen.report is not None and bool(screen.query(Sparkline))


def test_s_opens_the_statistics_and_p_steps_the_period(history: Board) -> None:
    async def scenario() -> None:
        app = board_app(history, user="KOO")
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: board_shown(app), "the board")
            labels = [command.label for command in app.screen.palette_commands()]  # type: ignore[attr-defined]
            assert "view: statistics" in labels
            await pilot.press("S")
            await until(pilot, lambda: counted(app.screen), "the statistics")
            screen = app.screen
            assert isinstance(screen, StatisticsScreen) and screen.report.statistics.days == 365
            await pilot.press("p", "p")  # a quarter, then four weeks
            await until(pilot, lambda: counted(screen) and screen.report.statistics.days == 28, "four weeks counted")
            assert "2026-11-02 to 2026-11-29 (28 days)" in screen_text(app)  # the title, on screen
            text = " | ".join(text_of(widget) for widget in screen.query(Static))  # the body, scrolled or not
            for line in (
                "Re-entries within 90 days 1",
                "Flyttat 2",
                "Seen by 4 or more staff within 14 days 1 (50 %)",
                "Clients on the board on 2026-11-29 2",
            ):
                assert line in text
            assert "At least 90 % of board clients seen by more than one staff member within 2 weeks" in text
            assert (
                "Every client on the board discussed at each meeting DACTS item H3 (program meeting) 71 % not met"
                in text
            )
            spark = screen.query_one("#statistics-meetings Sparkline", Sparkline)
            assert list(spark.data or []) == [3.0, 1.0, 0.0, 2.0]  # meetings a week, 45-48
            crisis = screen.query_one("#statistics-triage-crisis Sparkline", Sparkline)
            assert list(crisis.data or []) == [1.0, 0.0, 0.0, 1.0]
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "back on the board")

    asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_statistics(snap_compare, history: Board, size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: counted(pilot.app.screen), "the statistics")

    app = on_board(history, lambda feed: StatisticsScreen(feed, days=28), "KOO")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_snapshot_statistics_criteria(snap_compare, history: Board) -> None:  # type: ignore[no-untyped-def]
    """The end of the screen: the legal measures, the plans week by week, and each criterion, met or not, with its
    source."""

    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: counted(pilot.app.screen), "the statistics")
        await pilot.press("end")
        await pilot.pause()

    app = on_board(history, lambda feed: StatisticsScreen(feed, days=28), "KOO")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_snapshot_statistics_plans(snap_compare, history: Board) -> None:  # type: ignore[no-untyped-def]
    """The plans and legal measures on the period's last day (tests/core/test_plan_statistics.py works them out)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: counted(pilot.app.screen), "the statistics")
        heading = next(w for w in pilot.app.screen.query(".statistics-heading").results(Static) if
                       text_of(w) == "Plans and legal measures")  # fmt: skip
        pilot.app.screen.query_one("#statistics-body", VerticalScroll).scroll_to_widget(heading, top=True,
                                                                                         animate=False)  # fmt: skip
        await pilot.pause()

    app = on_board(history, lambda feed: StatisticsScreen(feed, days=28), "KOO")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_snapshot_statistics_of_the_demo(snap_compare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The demo's quarter of history (`factboard demo`) on the statistics screen: README's picture
    (docs/statistics.svg is a copy of this snapshot)."""
    demo = open_demo(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: counted(pilot.app.screen), "the statistics")

    app = on_board(demo, lambda feed: StatisticsScreen(feed, days=91), "KOO")
    try:
        assert snap_compare(app, terminal_size=(200, 50), run_before=run_before)
    finally:
        demo.close()


def test_a_reason_that_looks_like_markup_shows_as_typed(history: Board) -> None:
    """A reason for going off is free text: `[bold red]…[/]` and `[link=…]` are characters on the screen."""
    hostile = "[bold red]FAKE[/] [link=https://evil.example]klick[/link]"
    history.clock = frozen_clock(datetime(2026, 11, 28, 12, tzinfo=UTC))
    row = history.add_row("KOO", {"client_code": "HH-66", "triage": "watch"})
    history.take_off("KOO", row, hostile)
    history.clock = frozen_clock(END)

    async def scenario() -> None:
        app = on_board(history, lambda feed: StatisticsScreen(feed, days=28), "KOO")
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: counted(app.screen), "the statistics")
            text = " | ".join(text_of(widget) for widget in app.screen.query(Static))
            assert hostile in text

    asyncio.run(scenario())


def test_x_writes_the_report_as_a_file_and_says_it_is_not_encrypted(
    history: Board, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "coordinator"
    folder.mkdir()
    monkeypatch.chdir(folder)

    async def scenario() -> None:
        app = on_board(history, lambda feed: StatisticsScreen(feed, days=28), "KOO")
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: counted(app.screen), "the statistics")
            await pilot.press("x")
            await until(pilot, lambda: bool(app._notifications), "the notification")
            (notice,) = list(app._notifications)
            assert "NOT encrypted" in notice.message and "factboard-report-2026-11-02-2026-11-29.html" in notice.message

    asyncio.run(scenario())
    target = folder / "factboard-report-2026-11-02-2026-11-29.html"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "<svg" in target.read_text(encoding="utf-8")
    with history.engine.connect() as connection:
        exports = connection.exec_driver_sql("SELECT subject, detail FROM audit_log WHERE action = 'export'").all()
    assert exports == [(target.name, "report (html), tui")]
