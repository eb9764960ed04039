"""Sync on the wall: each site's last bundle in the board's header, the grid greyed out when the board cannot be read,
and rounds through the config's shared folder running in the background of the open board."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.boards import NOW, HandClock
from helpers.pilot import central_european_time, text_of, until
from helpers.sites import Ticker, send, sites_in_step
from rich.text import Text
from textual.widgets import Static

from factboard_tui.core.errors import DiskError
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import folder as SF
from factboard_tui.settings import Settings, SyncSettings
from factboard_tui.tui import app as app_module
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.board_parts import WARNING
from factboard_tui.tui.widgets.board_grid import BoardGrid


@pytest.fixture(autouse=True)
def _team_time_zone() -> Iterator[None]:
    with central_european_time():
        yield


@pytest.fixture
def quick_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's tick (and the poll's look that comes with it) is every 15 s on an idle board; the tests of greying
    out move a hand clock by seconds, so it comes often there (what it does is the same)."""
    monkeypatch.setattr(app_module, "TICK_SECONDS", 0.1)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[dict[str, Board], Ticker]]:
    yield from sites_in_step(tmp_path, ["region", "muni", "town"])


def _status(app: FactBoardApp) -> Static:
    return app.screen.query_one("#status", Static)


def _heard(app: FactBoardApp) -> Static:
    """The line under the status that says when each site was last heard from."""
    return app.screen.query_one("#heard", Static)


def _styled(status: Static, words: str) -> str | None:
    """The style of the words in the status line (None if they are not there)."""
    content = status.content
    assert isinstance(content, Text)
    start = content.plain.find(words)
    if start < 0:
        return None
    styles = [str(span.style) for span in content.spans if span.start <= start and span.end >= start + len(words)]
    return styles[-1] if styles else ""


def test_the_header_shows_each_sites_last_bundle_in_warning_colour_after_the_templates_hours(
    sites: tuple[dict[str, Board], Ticker],
) -> None:
    boards, ticker = sites
    region = boards["region"]
    boards["muni"].add_row("MJR", {"client_code": "DD-75", "triage": "new"})
    send(boards, "muni", "region")  # written at the start of the morning
    ticker.now += timedelta(hours=26)
    send(boards, "town", "region")  # written five minutes before the screen looks
    hand = HandClock(ticker.now + timedelta(minutes=5))
    region.clock = hand

    async def scenario() -> None:
        app = FactBoardApp(region.path, board=region, user="CSA", clock=hand)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "the board")
            await until(pilot, lambda: "town: 5 min ago" in text_of(_heard(app)), lambda: text_of(_heard(app)))
            heard = _heard(app)
            assert heard.display and text_of(heard).startswith("Last bundle from muni: 26 h ago")
            assert _styled(heard, "muni: 26 h ago") == WARNING
            assert _styled(heard, "town: 5 min ago") != WARNING
            hand.advance(hours=24)  # nothing from town for a day: it turns too
            app.feed.read_heard()  # type: ignore[union-attr]
            await until(pilot, lambda: "town: 24 h ago" in text_of(_heard(app)), lambda: text_of(_heard(app)))
            assert _styled(_heard(app), "town: 24 h ago") == WARNING

    asyncio.run(scenario())


@pytest.mark.usefixtures("quick_ticks")
def test_a_board_that_cannot_be_read_greys_out_and_says_since_when(
    sites: tuple[dict[str, Board], Ticker], monkeypatch: pytest.MonkeyPatch
) -> None:
    boards, _ticker = sites
    region = boards["region"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    hand = HandClock(NOW)
    region.clock = hand
    reading = region.rows_changed_since

    def failing_disk(version: int) -> object:  # a fault injected where the poll reads, as the proofs inject them
        raise DiskError("disk I/O error")

    async def scenario() -> None:
        app = FactBoardApp(region.path, board=region, user="CSA", clock=hand)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "the board")
            grid = app.screen.query_one(BoardGrid)
            hand.advance(seconds=40)  # the poll still reads: the board stays current
            readings = hand.readings
            await until(pilot, lambda: hand.readings > readings + 10, "the poll reading again")
            assert not grid.has_class("-not-current")
            monkeypatch.setattr(region, "rows_changed_since", failing_disk)
            hand.advance(seconds=29)
            readings = hand.readings
            await until(pilot, lambda: hand.readings > readings + 2, "two checks while the polls fail")
            assert not grid.has_class("-not-current")  # under the limit nothing shows yet
            hand.advance(seconds=2)
            await until(pilot, lambda: grid.has_class("-not-current"), "the grid greying out")
            assert "not current since 10:00" in text_of(_status(app))  # 09:00 UTC + 40 s, in Central Europe
            assert _styled(_status(app), "not current since 10:00") == WARNING
            monkeypatch.setattr(region, "rows_changed_since", reading)
            await until(pilot, lambda: not grid.has_class("-not-current"), "the grid coming back")
            assert "not current" not in text_of(_status(app))

    asyncio.run(scenario())


def test_the_open_board_syncs_through_the_config_folder_in_the_background(
    sites: tuple[dict[str, Board], Ticker], tmp_path: Path
) -> None:
    boards, _ticker = sites
    region, muni = boards["region"], boards["muni"]
    shared = tmp_path / "shared"
    shared.mkdir()
    muni.add_row("MJR", {"client_code": "EE-12", "triage": "watch", "situation": "Hembesök tisdag"})
    SF.SyncFolder(muni, shared, settle=0).round()
    settings = Settings(sync=SyncSettings(folder=shared, every=5))

    async def scenario() -> None:
        app = FactBoardApp(region.path, board=region, user="CSA", clock=region.clock, settings=settings)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "the board")
            assert [row.client_code for row in app.feed.rows] == []  # type: ignore[union-attr]
            await pilot.press("a")  # typing goes on while the rounds run
            await pilot.press("escape")
            await until(
                pilot,
                lambda: [row.client_code for row in app.feed.rows] == ["EE-12"],  # type: ignore[union-attr]
                "the muni's row arriving through the folder",
                seconds=60,
            )
            await until(pilot, lambda: "muni:" in text_of(_heard(app)), "the muni heard in the header")

    asyncio.run(scenario())
    answered = list(SF.inbox(shared, muni.site_id).glob("*.fbsync"))
    assert answered, "the region answered the muni through the folder"
    assert SF.ledger_entries(region, shared)


@pytest.mark.usefixtures("quick_ticks")
@pytest.mark.parametrize("state", ["heard", "not-current"])
def test_snapshot_freshness_on_the_wall(  # type: ignore[no-untyped-def]
    snap_compare, sites: tuple[dict[str, Board], Ticker], monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    boards, ticker = sites
    region = boards["region"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "Bor hemma"})
    boards["muni"].add_row("MJR", {"client_code": "EE-12", "triage": "watch"})
    send(boards, "muni", "region")
    ticker.now += timedelta(hours=26)
    send(boards, "town", "region")
    hand = HandClock(ticker.now + timedelta(minutes=5))
    region.clock = hand

    def failing_disk(version: int) -> object:
        raise DiskError("disk I/O error")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await until(pilot, lambda: "town: 5 min ago" in text_of(_heard(app)), lambda: text_of(_heard(app)))
        if state == "not-current":
            monkeypatch.setattr(region, "rows_changed_since", failing_disk)
            hand.advance(seconds=31)
            grid = app.screen.query_one(BoardGrid)
            await until(pilot, lambda: grid.has_class("-not-current"), "the grid greying out")

    app = FactBoardApp(region.path, board=region, user="CSA", clock=hand)
    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)
