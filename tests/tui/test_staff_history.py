"""The team list, its member form and a row's history, as a person uses them; and the history's wording.

`describe_change` is tested as a pure function on hand-made changes. The screens run in a tiny host app on a
real demo board (frozen clock, Central European time) and are snapshotted at the wall-screen size (200x50) and
the laptop size (120x40).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from helpers.board_app import staff_loaded
from helpers.pilot import central_european_time, on_board, until
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.history import EMPTY, ChangeLine, describe_change
from factboard_tui.core.domain.templates import BoardTemplate, load_template
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import Change
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board
from factboard_tui.tui.dialogs.history import HistoryScreen, history_title
from factboard_tui.tui.dialogs.staff_form import StaffForm
from factboard_tui.tui.screens.staff import StaffScreen

MONDAY_MORNING = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
"""When the demo board is made (09:15 in Sweden)."""
LATER = datetime(2026, 11, 23, 9, 2, tzinfo=UTC)
"""When a test edits the board after the demo was made (10:02 in Sweden)."""
"""The team's time zone as a POSIX rule, so no time-zone database is needed."""
SIZES = [(200, 50), (120, 40)]

S = TypeVar("S", bound=Screen[Any])


@pytest.fixture(autouse=True)
def _team_time_zone() -> Iterator[None]:
    """Local time is Central European, whatever the machine says: times on screen are stable and converted."""
    with central_european_time():
        yield


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    create_demo_board(path, clock=frozen_clock(MONDAY_MORNING)).close()
    return path


@pytest.fixture
def board(demo_path: Path) -> Iterator[Board]:
    """The demo board opened a little later than it was made, so new changes read as newer."""
    opened = Board.unlock(demo_path, DEMO_PASSPHRASE, clock=frozen_clock(LATER))
    yield opened
    opened.close()


@pytest.fixture
def template() -> BoardTemplate:
    return load_template("sv")


def table_rows(screen: Screen[Any], selector: str) -> list[list[str]]:
    """A DataTable's cells as plain text, top to bottom."""
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def static_text(widget: Static) -> str:
    """What a Static shows, as plain text on one line."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return " ".join(console.export_text().split())


def on_screen(app: App[None], kind: type[S]) -> S:
    """The screen on top, which must be a `kind`."""
    screen = app.screen
    assert isinstance(screen, kind), f"{type(screen).__name__} is on top, not {kind.__name__}"
    return screen


def history_loaded(app: App[None]) -> bool:
    return isinstance(app.screen, HistoryScreen) and app.screen.query_one("#history-table", DataTable).row_count > 0


def row_id_of(board: Board, code: str) -> int:
    row_id = board.open_row_by_code(code).id
    assert row_id is not None
    return row_id


# -- describe_change ---------------------------------------------------------------------------------------------


def change(field: str, old: str | None, new: str | None, op: str = "set", entity: str = "row") -> Change:
    return Change(
        at=datetime(2026, 11, 23, 8, 15),
        author="CSA",
        source="tui",
        entity=entity,
        op=op,
        field=field,
        old=old,
        new=new,
    )


def test_triage_and_category_read_as_the_boards_labels(template: BoardTemplate) -> None:
    line = describe_change(change("triage", "watch", "crisis"), template)
    assert (line.field_label, line.old, line.new) == ("Triage", "obs", "Kris")
    line = describe_change(change("category", None, "symptom_increase", op="add"), template)
    assert (line.field_label, line.old, line.new) == ("Kategori", EMPTY, "Symtomökning")


def test_visits_are_labelled_with_weekday_and_date(template: BoardTemplate) -> None:
    line = describe_change(change("visit:2026-11-23", None, "DEN+MJR"), template)
    assert (line.field_label, line.old, line.new) == ("Må 2026-11-23", "—", "DEN+MJR")
    note = describe_change(change("visit_note:2026-11-27", "Hembesök", None), template)
    assert (note.field_label, note.old, note.new) == ("Fr 2026-11-27 note", "Hembesök", "—")


def test_yes_no_fields_use_the_boards_words_and_text_stays_as_typed(template: BoardTemplate) -> None:
    line = describe_change(change("crisis_plan", "false", "true"), template)
    assert (line.field_label, line.old, line.new) == ("Krisplan", "Nej", "Ja")
    text = describe_change(change("situation", "true", ""), template)
    assert (text.old, text.new) == ("true", EMPTY)  # only yes/no fields translate true/false; empty reads as —


def test_missing_values_read_as_a_dash_and_the_time_is_utc(template: BoardTemplate) -> None:
    line = describe_change(change("doctor", None, None), template)
    assert line == ChangeLine(
        at=datetime(2026, 11, 23, 8, 15, tzinfo=UTC),
        author="CSA",
        source="tui",
        op="set",
        field_label="Dr",
        old="—",
        new="—",
    )


def test_staff_changes_use_team_list_labels(template: BoardTemplate) -> None:
    discipline = describe_change(change("discipline", "nurse", "psychologist", entity="staff"), template)
    assert (discipline.field_label, discipline.old, discipline.new) == ("Discipline", "Sjuksköterska", "Psykolog")
    organisation = describe_change(change("organisation", None, "municipality", "add", "staff"), template)
    assert (organisation.field_label, organisation.new) == ("Organisation", "Kommun")
    active = describe_change(change("active", "true", "false", entity="staff"), template)
    assert (active.field_label, active.old, active.new) == ("Active", "Ja", "Nej")


def test_undo_keeps_its_op_and_says_so(template: BoardTemplate) -> None:
    line = describe_change(change("triage", "crisis", "watch", op="undo"), template)
    assert line.op == "undo"
    assert line.what == "Triage (undo)"
    assert describe_change(change("triage", "watch", "crisis"), template).what == "Triage"


def test_unknown_fields_and_values_pass_through(template: BoardTemplate) -> None:
    line = describe_change(change("mystery", "a", "b"), template)
    assert (line.field_label, line.old, line.new) == ("mystery", "a", "b")
    assert describe_change(change("triage", None, "gone"), template).new == "gone"
    assert describe_change(change("visit:not-a-date", None, "X"), template).field_label == "visit:not-a-date"


# -- the team list ------------------------------------------------------------------------------------------------


def test_adding_a_member_through_the_form_shows_them_in_the_list(board: Board) -> None:
    async def scenario() -> None:
        app = on_board(board, StaffScreen, "CSA")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: staff_loaded(app), "the team list loading")
            await pilot.press("a")
            assert isinstance(app.screen, StaffForm)
            assert app.focused is not None and app.focused.id == "staff-initials"
            await pilot.press(*"abc", "enter", *"Anna Berg", "tab")  # enter moves on from the initials
            assert app.focused is not None and app.focused.id == "staff-discipline"
            await pilot.press("enter", *"sj", "enter")  # open the pick-list, type to find, choose
            await pilot.pause()
            assert app.screen.query_one("#staff-discipline", Select).value == "nurse"
            app.screen.query_one("#staff-organisation", Select).value = "municipality"
            await pilot.press("ctrl+s")
            await until(
                pilot,
                lambda: staff_loaded(app) and "ABC" in on_screen(app, StaffScreen).members,
                "the new member in the list",
            )
            rows = table_rows(on_screen(app, StaffScreen), "#staff-table")
            assert ["ABC", "Anna Berg", "Sjuksköterska", "Kommun", "Ja"] in rows
            table = app.screen.query_one("#staff-table", DataTable)
            assert rows[table.cursor_row][0] == "ABC"  # the cursor went to the member just saved

    asyncio.run(scenario())
    added = {member.initials: member for member in board.staff()}["ABC"]
    assert (added.name, added.discipline, added.organisation, added.active) == (
        "Anna Berg",
        "nurse",
        "municipality",
        True,
    )


def test_invalid_initials_show_an_error_under_the_field_and_write_nothing(board: Board) -> None:
    before = board.staff(include_inactive=True)
    version = board.data_version()

    async def scenario() -> None:
        app = on_board(board, StaffScreen, "CSA")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: staff_loaded(app), "the team list loading")
            await pilot.press("a", *"1x", "ctrl+s")
            error = app.screen.query_one("#staff-initials-error", Static)
            await until(pilot, lambda: error.has_class("-shown"), "the initials error")
            assert "not staff initials" in static_text(error)
            assert isinstance(app.screen, StaffForm)  # nothing closed
            assert not app.screen.query_one("#staff-form-error", Static).has_class("-shown")
            # Known initials are refused too: adding must not quietly edit someone else.
            await pilot.press("ctrl+a", "ctrl+k", *"CSA", "ctrl+s")
            await until(pilot, lambda: "already on the team list" in static_text(error), "the duplicate error")
            await pilot.press("escape")
            assert isinstance(app.screen, StaffScreen)

    asyncio.run(scenario())
    assert board.staff(include_inactive=True) == before
    assert board.data_version() == version


def test_editing_a_members_name_and_marking_them_inactive(board: Board) -> None:
    async def scenario() -> None:
        app = on_board(board, StaffScreen, "KOO")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: staff_loaded(app), "the team list loading")
            await pilot.press("down", "enter")  # BS, then CSA
            assert isinstance(app.screen, StaffForm)
            assert app.screen.query_one("#staff-initials", Input).disabled
            assert app.focused is not None and app.focused.id == "staff-name"
            await pilot.press("ctrl+a", "ctrl+k", *"C Sand", "tab", "tab", "tab", "space")
            assert not app.screen.query_one("#staff-active", Checkbox).value
            await pilot.click("#staff-save")
            await until(
                pilot,
                lambda: staff_loaded(app) and on_screen(app, StaffScreen).members["CSA"].name == "C Sand",
                "the new name in the list",
            )
            rows = table_rows(on_screen(app, StaffScreen), "#staff-table")
            assert ["CSA", "C Sand", "Sjuksköterska", "Region", "Nej"] in rows
            assert "1 inactive" in static_text(app.screen.query_one("#staff-title", Static))

    asyncio.run(scenario())
    csa = {member.initials: member for member in board.staff(include_inactive=True)}["CSA"]
    assert (csa.name, csa.active) == ("C Sand", False)
    assert "CSA" not in {member.initials for member in board.staff()}


# -- a row's history -------------------------------------------------------------------------------------------------


def test_history_lists_a_rows_changes_newest_first_in_the_boards_words(board: Board) -> None:
    row_id = row_id_of(board, "DD-75")
    board.set_field("CSA", row_id, "triage", "Kris")
    long_actions = "Tät kontakt hela veckan. " * 12
    board.set_field("DEN", row_id, "actions", long_actions)

    async def scenario() -> None:
        app = on_board(board, lambda feed: HistoryScreen(feed, row_id))
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: history_loaded(app), "the history loading")
            title = static_text(app.screen.query_one("#history-title", Static))
            assert title.startswith("History of DD-75 (on board since 2026-10-02)")
            rows = table_rows(on_screen(app, HistoryScreen), "#history-table")
            assert rows[0][:3] == ["2026-11-23 10:02", "DEN", "Aktuella åtgärder"]  # local time, newest first
            assert rows[0][4].endswith("…") and len(rows[0][4]) < len(long_actions)
            assert rows[1] == ["2026-11-23 10:02", "CSA", "Triage", "obs", "Kris", "app"]
            assert rows[-1] == ["2026-11-23 09:15", "KOO", "Patient", "—", "DD-75", "demo"]  # the oldest: the add
            assert ["2026-11-23 09:15", "KOO", "Må 2026-11-23", "—", "BS", "demo"] in rows
            detail = app.screen.query_one("#history-detail", Static)
            assert long_actions.strip() in static_text(detail)  # the highlighted change, whole
            await pilot.press("down")
            assert "obs" in static_text(detail) and "Kris" in static_text(detail)
            await pilot.press("q")
            assert not isinstance(app.screen, HistoryScreen)

    asyncio.run(scenario())


def test_history_title_says_how_long_the_row_was_on_the_board(board: Board) -> None:
    row = board.row(row_id_of(board, "DD-75"))
    assert history_title(row, 1) == "History of DD-75 (on board since 2026-10-02) · 1 change"
    board.take_off("CSA", row.id or 0, "Klar")
    closed = board.row(row.id or 0)
    assert history_title(closed, 18) == "History of DD-75 (on board 2026-10-02 to 2026-11-23) · 18 changes"


# -- snapshots -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_history(snap_compare, board: Board, size) -> None:  # type: ignore[no-untyped-def]
    row_id = row_id_of(board, "DD-75")
    board.set_field("CSA", row_id, "triage", "Kris")
    board.set_field("CSA", row_id, "actions", "Kommunen följer upp dagligen. " * 6)

    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: history_loaded(pilot.app), "the history loading")

    assert snap_compare(
        on_board(board, lambda feed: HistoryScreen(feed, row_id)), terminal_size=size, run_before=run_before
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_staff(snap_compare, board: Board, size) -> None:  # type: ignore[no-untyped-def]
    board.write_staff("KOO", "SNG", active=False)

    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: staff_loaded(pilot.app), "the team list loading")
        await pilot.press("down")

    assert snap_compare(on_board(board, StaffScreen, "KOO"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_staff_form_editing(snap_compare, board: Board, size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: staff_loaded(pilot.app), "the team list loading")
        await pilot.press("down", "e")
        await pilot.pause()

    assert snap_compare(on_board(board, StaffScreen, "KOO"), terminal_size=size, run_before=run_before)


def test_snapshot_staff_form_with_an_error(snap_compare, board: Board) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: staff_loaded(pilot.app), "the team list loading")
        await pilot.press("a", *"1x", "ctrl+s")
        error = pilot.app.screen.query_one("#staff-initials-error", Static)
        await until(pilot, lambda: error.has_class("-shown"), "the initials error")

    assert snap_compare(on_board(board, StaffScreen, "KOO"), terminal_size=(120, 40), run_before=run_before)


def test_an_undo_in_the_store_reads_as_an_undo(board: Board) -> None:
    row_id = row_id_of(board, "DD-75")
    board.set_field("CSA", row_id, "triage", "Kris")
    board.undo_last("CSA")
    newest = describe_change(board.history(row_id)[-1], board.template)
    assert (newest.op, newest.what, newest.old, newest.new) == ("undo", "Triage (undo)", "Kris", "obs")


def notes_of(board: Board, row_id: int) -> list[str | None]:
    """The notes of a row's visits this week, as stored."""
    return [visit.note for visit in board.week_visits().get(row_id, {}).values()]


def test_history_shows_at_once_while_a_write_waits_for_another_programs_lock(board: Board) -> None:
    """H reads the row's history beside the board's writer: a cell's write waiting for another program's write
    lock (or a long backup or export ahead of it) does not hold the history back; the view enters the access log
    once the writer gets to it."""
    from factboard_tui.tui.app import FactBoardApp
    from factboard_tui.tui.screens.board import BoardScreen
    from factboard_tui.tui.widgets.board_grid import BoardGrid

    other = Board.unlock(board.path, DEMO_PASSPHRASE, clock=board.clock)
    row_id = row_id_of(other, "NN-89")

    async def scenario() -> None:
        app = FactBoardApp(board.path, board=board, user="KOO", clock=board.clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows), "rows")
            app.screen.query_one(BoardGrid).move_cursor(row_key=str(row_id), column_key="wed")
            lock = other.engine.connect().execution_options(immediate=True)
            held = lock.begin()  # another program is writing: the cell's write below waits for it
            try:
                await pilot.press("enter", *"KOO: Hembesök", "enter", "H")
                await until(pilot, lambda: history_loaded(app), "the history while the write waits")
                title = static_text(on_screen(app, HistoryScreen).query_one("#history-title", Static))
                assert "NN-89" in title
            finally:
                held.rollback()
                lock.close()
            await until(pilot, lambda: "Hembesök" in notes_of(other, row_id), "the cell's write")

    try:
        asyncio.run(scenario())
    finally:
        other.close()
