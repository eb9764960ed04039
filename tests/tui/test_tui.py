"""The terminal UI as a person uses it: unlock, read the board, move the cursor, see others' changes live.

Every screen is snapshotted as SVG at the wall-screen size (200x50) and the laptop size (120x40), on a demo
board made with a frozen clock so the pictures do not change from day to day.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

import pytest
from helpers import prepared
from helpers.board_app import detail_text, rows_at, wait_for_rows
from helpers.boards import MONDAY_MORNING
from helpers.bursts import ENTER, burst
from helpers.pilot import text_of, until
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.feed import BoardFeed
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.unlock import UnlockScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.row_detail import RowDetail

SIZES = [(200, 50), (120, 40)]


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    return frozen_clock(MONDAY_MORNING)


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A demo board of the test's own, made at MONDAY_MORNING (a copy, see tests/helpers/prepared.py)."""
    path = tmp_path / "demo.db"
    prepared.demo(path)
    return path


async def wait_for_detail(pilot: Pilot[None], text: str) -> None:
    """Wait until the detail panel shows `text`: it follows once the cursor rests (later on a busy machine)."""
    await until(pilot, lambda: text in detail_text(pilot.app), f"{text!r} in the detail panel")  # type: ignore[arg-type]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_unlock_screen(snap_compare, demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(FactBoardApp(demo_path, clock=clock), terminal_size=size)


def test_a_focused_field_looks_the_same_whenever_its_picture_is_taken(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """A snapshot of a focused field must not depend on the moment it is taken (under load it was taken with the
    blinking cursor off): over three blink periods (0.5 s each) the unlock screen never changes."""

    async def scenario() -> None:
        app = FactBoardApp(demo_path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: getattr(app.focused, "id", None) == "passphrase", "the passphrase field's focus")
            first = app.export_screenshot()
            for _ in range(15):
                await pilot.pause(0.1)  # each picture is the thing checked: a moment later, the same screen
                assert app.export_screenshot() == first

    asyncio.run(scenario())


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_board(snap_compare, demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
    app = FactBoardApp(demo_path, board=board, user="KOO", clock=clock)

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        await pilot.press("down", "down", "right")  # the cursor on the third row, shown whole below
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_unlock_refuses_a_wrong_passphrase_then_opens_the_board(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        app = FactBoardApp(demo_path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            assert isinstance(app.screen, UnlockScreen)
            await pilot.press(*"not the passphrase", "enter")
            await pilot.press(*"CSA", "enter")
            error = app.screen.query_one("#unlock-error", Static)
            await until(pilot, lambda: "Wrong passphrase" in str(error.render()), "the wrong passphrase said")
            assert isinstance(app.screen, UnlockScreen)
            assert app.screen.query_one("#passphrase", Input).value == ""  # cleared for another try
            await pilot.press(*DEMO_PASSPHRASE, "enter")
            await wait_for_rows(pilot)
            status = str(app.screen.query_one("#status", Static).render())
            assert "signed in: CSA" in status
            assert "2026-W48" in status
            assert "10 rows" in status

    asyncio.run(scenario())


def test_unlock_asks_for_initials_and_refuses_bad_ones(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        app = FactBoardApp(demo_path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*DEMO_PASSPHRASE, "enter")
            assert app.focused is not None and app.focused.id == "initials"
            await pilot.press("1", "2", "enter")
            assert "initials" in str(app.screen.query_one("#unlock-error", Static).render())
            assert isinstance(app.screen, UnlockScreen)

    asyncio.run(scenario())


def test_board_lists_rows_in_triage_order_and_the_cursor_shows_the_whole_row(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)

    async def scenario() -> None:
        app = FactBoardApp(demo_path, board=board, user="KOO", clock=clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            grid = app.screen.query_one(BoardGrid)
            triage_column = [column.key for column in grid.columns].index("triage")
            labels = [grid.render_line(y).text.split("│")[triage_column].strip() for y in rows_at(grid)]
            assert labels == ["Kris", "Kris", "Inlagd", "Ny", "Ny", "obs", "obs", "Stabil", "Stabil", "Stabil"]
            # The long actions text is cut in the grid but shown whole in the detail panel.
            first = app.screen.feed.rows[0]  # type: ignore[attr-defined]
            assert first.actions and len(first.actions) > 80
            assert first.actions not in grid.render_line(grid.header_height).text
            assert "…" in grid.render_line(grid.header_height).text
            await wait_for_detail(pilot, first.actions.split(".")[0])
            await pilot.press("j", "j")
            third = app.screen.feed.rows[2]  # type: ignore[attr-defined]
            assert grid.cursor_row_key == str(third.id)
            await wait_for_detail(pilot, third.client_code)

    asyncio.run(scenario())


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_detail_panel_keeps_its_height_so_the_grid_never_jumps(demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    """Stepping through rows whose text wraps to different lengths, the grid above the panel stays put."""

    async def scenario() -> None:
        board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
        app = FactBoardApp(demo_path, board=board, user="KOO", clock=clock)
        async with app.run_test(size=size) as pilot:
            await wait_for_rows(pilot)
            grid = app.screen.query_one(BoardGrid)
            panel = app.screen.query_one(RowDetail)
            heights = set()
            for row in app.screen.feed.rows:  # type: ignore[attr-defined]
                await wait_for_detail(pilot, row.client_code)
                await pilot.pause()
                heights.add((panel.region.height, grid.region.height))
                await pilot.press("j")
            assert len(heights) == 1, f"the panel and grid changed height between rows: {sorted(heights)}"

    asyncio.run(scenario())


def test_a_change_from_another_process_appears_and_keeps_the_cursor(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
    other = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)  # a second terminal on the same file

    async def scenario() -> None:
        app = FactBoardApp(demo_path, board=board, user="KOO", clock=clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            grid = app.screen.query_one(BoardGrid)
            await pilot.press("down", "down", "down")
            cursor_key = grid.cursor_row_key
            target = other.open_row_by_code("PL-85")
            assert target.id is not None
            other.set_field("CSA", target.id, "situation", "Sover bättre efter medicinjustering.")
            await until(
                pilot,
                lambda: "Sover bätt" in "".join(grid.render_line(y).text for y in rows_at(grid)),
                "the other process's change showing",
                seconds=20,  # a bound, not a promise: benchmarks/bench_tui.py times it (budget 1 s)
            )
            assert grid.cursor_row_key == cursor_key

    try:
        asyncio.run(scenario())
    finally:
        other.close()


def board_app(demo_path: Path, clock) -> FactBoardApp:  # type: ignore[no-untyped-def]
    return FactBoardApp(demo_path, board=Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock), user="CSA", clock=clock)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_cell_editor_with_pick_list(snap_compare, demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        pilot.app.screen.query_one(BoardGrid).move_cursor(column_key="triage")
        await pilot.press("down", "enter")
        await pilot.pause()

    assert snap_compare(board_app(demo_path, clock), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_long_text_editor(snap_compare, demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        pilot.app.screen.query_one(BoardGrid).move_cursor(column_key="actions")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(board_app(demo_path, clock), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_add_form(snap_compare, demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        await pilot.press("a")
        # The form is up and its first field has the focus before typing (a busy CI is slow).
        await until(pilot, lambda: getattr(pilot.app.focused, "id", None) == "field-client_code", "the code field")
        await pilot.press(*"DD-75")  # a code already on the board: the form says so
        error = pilot.app.screen.query_one("#error-client_code", Static)
        await until(pilot, lambda: "already on the board" in str(error.render()), "the form saying so")

    assert snap_compare(board_app(demo_path, clock), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_help(snap_compare, demo_path: Path, clock, size, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FACTBOARD_CONFIG", "/etc/factboard-example/config.toml")  # the help names it: keep it stable

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(board_app(demo_path, clock), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_history(snap_compare, demo_path: Path, clock, size) -> None:  # type: ignore[no-untyped-def]
    board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
    row_id = board.open_row_by_code("NN-89").id or 0
    board.set_field("MJR", row_id, "triage", "Inlagd")
    board.set_field("CSA", row_id, "actions", "Inlagd avd. 56 sedan söndag. DEN besöker onsdag.")
    board.close()

    async def run_before(pilot: Pilot[None]) -> None:
        await wait_for_rows(pilot)
        grid = pilot.app.screen.query_one(BoardGrid)
        grid.move_cursor(row_key=str(row_id))
        await pilot.press("H")
        screen = pilot.app.screen  # the history, read by a worker: wait until its title and changes show
        await until(pilot, lambda: screen.query_one("#history-table", DataTable).row_count > 0, "the row's changes")
        assert "Loading" not in text_of(screen.query_one("#history-title", Static))

    assert snap_compare(board_app(demo_path, clock), terminal_size=size, run_before=run_before)


def test_help_lists_every_board_key_with_its_id(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from factboard_tui.tui.screens.help import HelpScreen

    async def scenario() -> None:
        app = board_app(demo_path, clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            ids = {entry.binding_id for entry in app.screen.entries}
            for wanted in (
                "board.edit",
                "board.add",
                "board.off",
                "board.undo",
                "board.filter",
                "board.history",
                "board.previous_week",
                "board.next_week",
                "board.copy_week",
                "board.staff",
                "app.help",
                "app.quit",
                "grid.cursor_down",
            ):
                assert wanted in ids
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    asyncio.run(scenario())


def test_keys_are_remapped_from_the_config_file(demo_path: Path, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from factboard_tui.settings import Settings

    async def scenario() -> None:
        board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
        settings = Settings(keys={"board.add": "n"})
        app = FactBoardApp(demo_path, board=board, user="CSA", clock=clock, settings=settings)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            await pilot.press("n")
            await pilot.pause()
            from factboard_tui.tui.dialogs.row_form import AddRowForm

            assert isinstance(app.screen, AddRowForm)

    asyncio.run(scenario())


def test_the_palette_offers_board_commands_and_themes_cycle(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    async def scenario() -> None:
        app = board_app(demo_path, clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            labels = [command.label for command in app.screen.palette_commands()]  # type: ignore[attr-defined]
            assert any(label.startswith("row: take off board") for label in labels)
            assert "view: my rows" in labels
            assert any(command.label == "theme: wall" for command in app.palette_commands())
            first = app.theme
            await pilot.press("ctrl+t")
            assert app.theme != first and app.theme.startswith("factboard-")

    asyncio.run(scenario())


@pytest.mark.parametrize("theme", ["factboard-wall", "factboard-light", "factboard-high-contrast", "textual-light"])
def test_a_board_started_in_a_theme_looks_as_one_switched_to_it(demo_path: Path, clock, theme: str) -> None:  # type: ignore[no-untyped-def]
    """The config's theme is taken before any style sheet is parsed (`FactBoardApp._start_in_theme`), not through
    Textual's theme watcher: the board must look exactly as Textual draws it after a switch from another theme of
    the other darkness (its class, as the wall's cursor row uses, the dark or light colours, the ANSI colour map)."""
    from factboard_tui.settings import Settings

    async def drawn(start_in: str, switch_to: str | None) -> tuple[str, list[str], list[object]]:
        board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
        app = FactBoardApp(demo_path, board=board, user="CSA", clock=clock, settings=Settings(theme=start_in))
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for_rows(pilot)
            if switch_to is not None:
                app.theme = switch_to
                await pilot.pause()
            await pilot.pause()
            assert app.theme == theme
            ansi_maps = [getattr(line_filter, "_terminal_theme", None) for line_filter in app.get_line_filters()]
            return app.export_screenshot(), sorted(app.classes), ansi_maps

    other = "textual-dark" if theme in ("factboard-light", "textual-light") else "textual-light"
    started = asyncio.run(drawn(theme, None))
    switched = asyncio.run(drawn(other, theme))
    assert started[0] == switched[0]  # what the board looks like
    assert started[1:] == switched[1:]  # what Textual draws by next: the dark or light classes, ANSI colours


def test_a_theme_the_config_names_that_is_not_installed_is_said_once_and_the_default_is_used(  # type: ignore[no-untyped-def]
    demo_path: Path, clock
) -> None:
    from factboard_tui.settings import Settings

    async def scenario() -> None:
        board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
        app = FactBoardApp(demo_path, board=board, user="CSA", clock=clock, settings=Settings(theme="factboard-gone"))
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_for_rows(pilot)
            assert app.theme == "factboard-laptop"
            said = [str(notification.message) for notification in app._notifications]
            assert said == ["Theme 'factboard-gone' from the config is not installed; using factboard-laptop."]

    asyncio.run(scenario())


def test_the_unlock_screen_remembers_who_edited_on_this_machine(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    from factboard_tui.settings import load_settings

    async def first_time() -> None:
        app = FactBoardApp(demo_path, clock=clock, settings=load_settings())
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*DEMO_PASSPHRASE, "enter", *"MJR", "enter")
            await wait_for_rows(pilot)

    async def next_time() -> None:
        app = FactBoardApp(demo_path, clock=clock, settings=load_settings())
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.screen.query_one("#initials", Input).value == "MJR"  # filled in, still asked
            await pilot.press(*DEMO_PASSPHRASE, "enter")  # Enter-Enter: the remembered initials are used
            await wait_for_rows(pilot)
            assert "signed in: MJR" in str(app.screen.query_one("#status", Static).render())

    asyncio.run(first_time())
    assert load_settings().user == "MJR"
    asyncio.run(next_time())


def test_unlock_refuses_a_damaged_database_and_shows_no_rows(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """A page the first read needs fails its HMAC as it is read: the board stays closed, nothing shows."""
    data = bytearray(demo_path.read_bytes())
    data[len(data) - 4096 + 1000] ^= 0x01  # a byte in the last page: only the whole-file check notices it
    demo_path.write_bytes(bytes(data))

    async def scenario() -> None:
        app = FactBoardApp(demo_path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*DEMO_PASSPHRASE, "enter", *"CSA", "enter")
            error = app.screen.query_one("#unlock-error", Static)
            await until(pilot, lambda: "damaged" in str(error.render()), "the damage said")
            assert "restore it from a backup" in str(error.render())
            assert isinstance(app.screen, UnlockScreen)

    asyncio.run(scenario())
    assert demo_path.read_bytes() == bytes(data)  # nothing was written


def damage_a_page_the_first_read_skips(path: Path) -> bytes:
    """Flip a byte in the last page of the file that the board's first read does not touch (only the whole-file
    check can notice it); returns the damaged file's bytes."""
    from factboard_tui.tui.row_store import first_read

    key = Board.read_slot(path).unwrap(DEMO_PASSPHRASE)
    intact = path.read_bytes()
    for page in range(len(intact) // 4096 - 1, 0, -1):
        data = bytearray(intact)
        data[page * 4096 + 1000] ^= 0x01
        path.write_bytes(bytes(data))
        try:
            with Board.open_with_key(path, key, integrity=False) as board:
                first_read(board)
        except FactBoardError:
            continue
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return bytes(data)
    raise AssertionError("every page is read by the first read")


def test_a_damaged_page_found_after_the_first_frame_closes_the_board_and_says_so(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """The whole-file check runs once the board is drawn (each page read is verified as it is read); a page that
    fails it closes the board, takes its screens away, writes nothing, and the next unlock checks first."""
    data = damage_a_page_the_first_read_skips(demo_path)

    def damage_said(app: FactBoardApp) -> bool:
        shown = app.screen.query("#unlock-error") if isinstance(app.screen, UnlockScreen) else None
        return bool(shown) and "damaged" in str(shown.first().render())  # type: ignore[union-attr]

    async def scenario() -> None:
        app = FactBoardApp(demo_path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*DEMO_PASSPHRASE, "enter", *"CSA", "enter")
            await until(pilot, lambda: damage_said(app), "the damage said")
            assert "restore it from a backup" in str(app.screen.query_one("#unlock-error", Static).render())
            assert not any(isinstance(screen, BoardScreen) for screen in app.screen_stack)  # no row left on screen
            assert app.feed is None and app.board is None
            await until(pilot, lambda: app.focused is not None and app.focused.id == "passphrase", "the field")
            await pilot.press(*DEMO_PASSPHRASE, "enter")  # again: now every page is checked before anything shows
            await until(pilot, lambda: "Unlocking" not in str(app.screen.query_one("#unlock-error").render()), "")
            assert damage_said(app) and not any(isinstance(screen, BoardScreen) for screen in app.screen_stack)

    asyncio.run(scenario())
    assert demo_path.read_bytes() == bytes(data)  # nothing was written


def test_a_large_board_shows_its_first_screenful_first_then_every_row(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """The first read after unlocking takes only the top of the board; the status counts the whole board."""
    from factboard_tui.core.store.rows import RowWrite
    from factboard_tui.tui.row_store import FIRST_SCREENFUL, first_read

    path = tmp_path / "large.db"
    board, _key = Board.create(path, DEMO_PASSPHRASE, clock=clock)
    triage = ["crisis", "admitted", "new", "watch", "stable"]
    writes = [
        RowWrite(
            "add",
            values={"client_code": f"LB-{n:03d}", "triage": triage[n % 5], "date_on": f"2026-10-{1 + n % 28:02d}"},
        )
        for n in range(FIRST_SCREENFUL + 30)
    ]
    board.write_rows("CSA", writes)
    everything = board.rows()
    board.close()
    with Board.unlock(path, DEMO_PASSPHRASE, clock=clock, integrity=False) as opened:
        top = first_read(opened)
    assert [row.id for row in top.rows] == [row.id for row in everything[:FIRST_SCREENFUL]]  # the same order
    assert top.triage_counts == {key: sum(row.triage == key for row in everything) for key in triage}

    async def scenario() -> None:
        app = FactBoardApp(path, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await burst(pilot, DEMO_PASSPHRASE, ENTER)  # through the unlock screen, by keys, a field at a time
            await until(pilot, lambda: getattr(app.focused, "id", None) == "initials", "the initials field")
            await burst(pilot, "CSA", ENTER)
            await wait_for_rows(pilot)
            status = app.screen.query_one("#status", Static)
            assert f"{len(everything)} rows" in str(status.render())  # the whole board, from the first frame
            grid = app.screen.query_one(BoardGrid)
            await until(pilot, lambda: grid.row_count == len(everything), "the rest of the rows arriving")
            assert f"{len(everything)} rows" in str(status.render())

    asyncio.run(scenario())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's word on written files (inotify)")
def test_another_processs_commit_is_read_with_a_few_looks_not_a_seconds_worth(  # type: ignore[no-untyped-def]
    demo_path: Path, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change poll sleeps until the board's files are written. A commit completes after its last write to the
    WAL, so the poll then looks quickly until it has read the commit, and once more; it used to look ten times
    whatever it found, and each look of an idle app costs CPU (issue 15)."""
    board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
    other = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
    looks: list[object] = []
    poll = BoardFeed._poll

    def counted(feed: BoardFeed, version: int, monday: date) -> object:
        found = poll(feed, version, monday)
        looks.append(found)  # whether it read a change
        return found

    monkeypatch.setattr(BoardFeed, "_poll", counted)

    async def scenario() -> None:
        app = FactBoardApp(demo_path, board=board, user="KOO", clock=clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            await pilot.pause(1.2)  # the looks after the app's own first writes (the access log) are over
            looks.clear()
            other.add_row("CSA", {"client_code": "ZZ-98", "triage": other.template.triage[0].key})
            codes = lambda: [row.client_code for row in app.feed.rows]  # type: ignore[union-attr]  # noqa: E731
            await until(pilot, lambda: "ZZ-98" in codes(), "the other process's row on the board", seconds=10)
            await pilot.pause(1.5)  # past the second of quick looks
            assert len(looks) <= 4, looks  # a look once the commit may be complete, and one more: not ten

    asyncio.run(scenario())
    other.close()


def test_another_processs_changes_keep_the_grid_in_the_order_a_fresh_read_gives(demo_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    """Rows another process moves (a new triage), takes off and adds reach the grid as moves, not as a new list of
    the whole board: afterwards the grid shows exactly the order a fresh read of the board gives, the status counts
    match, and the cursor is still on its row."""
    from factboard_tui.core.store.rows import RowWrite

    board = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)
    other = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=clock)

    async def scenario() -> None:
        app = FactBoardApp(demo_path, board=board, user="KOO", clock=clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            grid = app.screen.query_one(BoardGrid)
            await pilot.press("down", "down")
            cursor_key = grid.cursor_row_key
            rows = [row for row in other.rows() if str(row.id) != cursor_key]
            levels = [level.key for level in other.template.triage]
            for number, row in enumerate(rows[:6]):
                other.set_field("CSA", row.id or 0, "triage", levels[(levels.index(row.triage) + 2 + number) % 5])
            other.take_off("CSA", rows[7].id or 0, "Stabil")
            other.write_rows("CSA", [RowWrite("add", values={"client_code": "ZZ-99", "triage": levels[0]})])
            expected = [str(row.id) for row in other.rows()]
            await until(
                pilot,
                lambda: [grid.row(index).key for index in range(grid.row_count)] == expected,
                lambda: f"the grid in board order: {[grid.row(i).key for i in range(grid.row_count)]} != {expected}",
                seconds=20,
            )
            assert grid.cursor_row_key == cursor_key
            status = str(app.screen.query_one("#status", Static).render())
            assert f"{len(expected)} rows" in status
            for level in other.template.triage:
                assert f"{level.label} {sum(row.triage == level.key for row in other.rows())}" in status

    try:
        asyncio.run(scenario())
    finally:
        other.close()
