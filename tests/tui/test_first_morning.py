"""The first morning's surprises, each as a nurse or the chair meets it: initials nobody has, placeholders that
read as data, a meeting that cannot be left, counts that disagree (issue 16).

Pilot drives the real app on a real encrypted demo board; a second `Board` on the same file checks what was
written.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from helpers.board_app import CHECK_IN, line_of, run_board, run_meeting, start_meeting, writes_done
from helpers.boards import HandClock
from helpers.bursts import ENTER, ESCAPE, TAB, Key, burst
from helpers.pilot import screen_text, text_of, until
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from factboard_tui.core.domain.changes import Op
from factboard_tui.core.domain.meetings import DISCUSSED, SKIPPED
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.minutes import load_meeting, meeting_ids
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.attendance import AttendanceScreen, CheckList
from factboard_tui.tui.dialogs.confirm import ConfirmDialog, ConflictDialog
from factboard_tui.tui.dialogs.visits import VisitsDialog
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.board_view import FLAGS, FLAGS_HEADER, WIDE_COLUMNS
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.meeting_header import agenda_line
from factboard_tui.tui.widgets.meeting_list import MeetingList

WEDNESDAY = date(2026, 11, 25)
FRIDAY = date(2026, 11, 27)


def hint(app: FactBoardApp) -> str:
    return text_of(app.screen.query_one("#cell-hint", Static))


async def edit(pilot: Pilot[None], grid: BoardGrid, code: str, column: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    row = next(row for row in screen.feed.rows if row.client_code == code)
    grid.move_cursor(row_key=str(row.id), column_key=column)
    await pilot.pause()


def test_a_typo_in_a_weekday_cell_is_warned_with_the_closest_staff_and_fixed_with_ctrl_f(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row_id = board.open_row_by_code("GH-77").id or 0
        await edit(pilot, grid, "GH-77", "wed")
        await burst(pilot, ENTER, "dne: hembesök", ENTER)
        await writes_done(pilot)
        assert WEDNESDAY not in board.week_visits().get(row_id, {})  # nothing saved yet
        assert app.screen.query_one(CellEditor).display
        assert "DNE (did you mean DEN?)" in hint(app)
        await burst(pilot, Key("ctrl+f"), ENTER)  # take DEN, save
        await until(pilot, lambda: WEDNESDAY in board.week_visits().get(row_id, {}), "the visit saved")
        visit = board.week_visits()[row_id][WEDNESDAY]
        assert (visit.staff, visit.note) == ("DEN", "hembesök")

    run_board(tmp_path, scenario)


def test_initials_nobody_has_are_saved_only_when_saved_again(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row_id = board.open_row_by_code("GH-77").id or 0
        await edit(pilot, grid, "GH-77", "wed")
        await burst(pilot, ENTER, "XYZ", ENTER)
        await writes_done(pilot)
        assert "Not on the team list: XYZ." in hint(app)
        assert WEDNESDAY not in board.week_visits().get(row_id, {})
        await burst(pilot, ENTER)  # the same again: a locum, say; kept as typed
        await until(pilot, lambda: WEDNESDAY in board.week_visits().get(row_id, {}), "the visit saved")
        assert board.week_visits()[row_id][WEDNESDAY].staff == "XYZ"
        assert "XYZ" in line_of(grid, "GH-77")

    run_board(tmp_path, scenario)


def test_the_visits_dialog_warns_of_a_typo_and_shows_empty_days_empty(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        await burst(pilot, "v")
        dialog = app.screen
        assert isinstance(dialog, VisitsDialog)
        empty = [field for field in dialog.query(Input) if not field.value]
        assert empty and all(not field.placeholder for field in empty)  # no grey sample initials in empty days
        await burst(pilot, TAB, TAB, TAB, TAB, Key("ctrl+u"), "kor+csa: hembesök", Key("ctrl+s"))
        assert app.screen is dialog  # not closed: warned
        assert "KOR (did you mean KRO?)" in text_of(dialog.query_one("#visits-error", Static))
        await burst(pilot, Key("ctrl+f"), Key("ctrl+s"))
        await until(pilot, lambda: FRIDAY in board.week_visits().get(row_id, {}), "Friday's visit saved")
        assert board.week_visits()[row_id][FRIDAY].staff == "KRO+CSA"

    run_meeting(tmp_path, scenario)


def test_copying_last_weeks_visits_is_one_u_away_from_undone(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        next_monday = date(2026, 11, 30)
        week = (next_monday, next_monday + timedelta(days=7))
        await burst(pilot, "]", "c")  # next week, copy this week's visits into it
        await burst(pilot, ENTER)  # confirm
        await until(pilot, lambda: len(board.visits(*week)) > 3, "the week copied")
        copied = sum(len(days) for days in board.visits(*week).values())
        await burst(pilot, "u")
        await until(pilot, lambda: board.visits(*week) == {}, f"all {copied} copied visits undone by one u")
        toasts = lambda: " ".join(str(toast.message) for toast in app._notifications)  # noqa: E731
        await until(pilot, lambda: "Undone in one step" in toasts(), lambda: f"the undo said, not {toasts()!r}")

    run_board(tmp_path, scenario)


# -- the meeting -------------------------------------------------------------------------------------------------


def test_esc_on_check_in_starts_no_meeting(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        held = meeting_ids(board)  # the demo's past meetings
        await burst(pilot, "m", ESCAPE)  # an accidental m, taken back at once
        await until(pilot, lambda: isinstance(app.screen, BoardScreen), "back on the board")
        assert not any(isinstance(screen, MeetingScreen) for screen in app.screen_stack)
        clock.advance(minutes=1)
        await burst(pilot, "q")  # nothing runs: q quits without a question
        await until(pilot, lambda: not app.is_running, "the app closed")
        assert meeting_ids(board) == held

    run_meeting(tmp_path, scenario)


def test_esc_in_a_meeting_asks_to_store_or_discard_and_stay_is_the_safe_answer(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        held = meeting_ids(board)  # the demo's past meetings
        screen = await start_meeting(pilot)
        await burst(pilot, ESCAPE, ENTER)  # Esc asks; Enter on the focused answer keeps the meeting running
        await until(pilot, lambda: app.screen is screen, "the meeting again")
        assert screen.running
        await burst(pilot, ESCAPE, TAB, TAB, ENTER)  # Esc, then "Discard it"
        await until(pilot, lambda: isinstance(app.screen, BoardScreen), "back on the board")
        await writes_done(pilot)
        assert meeting_ids(board) == held  # discarded: no junk minutes
        await burst(pilot, "m", *[Key(k) if len(k) > 1 else k for k in CHECK_IN], Key("ctrl+s"))
        await until(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.running, "a new meeting")
        await burst(pilot, ESCAPE, TAB, ENTER)  # Esc, then "Store the minutes"
        await until(pilot, lambda: len(meeting_ids(board)) == len(held) + 1, "the meeting stored")

    run_meeting(tmp_path, scenario)


def test_quitting_during_a_meeting_focuses_the_safe_answer(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        await burst(pilot, "q", ENTER)  # q asks; a stray Enter must not quit
        await until(pilot, lambda: app.screen is screen, "the meeting again")
        assert app.is_running and screen.running

    run_meeting(tmp_path, scenario)


def test_counts_agree_after_a_skipped_row_is_discussed_at_the_end(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        held = meeting_ids(board)  # the demo's past meetings
        screen = await start_meeting(pilot)
        session = screen.session
        assert session is not None
        total = len(session.order)
        await burst(pilot, "s")  # skip the first row
        for _ in range(total - 1):
            clock.advance(seconds=30)
            await burst(pilot, ENTER)  # discuss the rest
        header = lambda: text_of(screen.query_one("#meeting-title", Static))  # noqa: E731
        assert session.outcome(session.order[0]) == SKIPPED
        assert "done" not in header()  # a skipped row still waits
        await burst(pilot, ENTER)  # back on the skipped row: discussed
        assert all(session.outcome(row_id) == DISCUSSED for row_id in session.order)
        assert not any(line.lstrip().startswith("▶") for line in screen.query_one(MeetingList).lines)
        await until(pilot, lambda: "done" in header(), "the header saying done")
        await burst(pilot, "e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the end question")
        assert "0 rows are not discussed" in text_of(app.screen.query_one(".dialog-title", Static))
        await burst(pilot, ENTER)
        await until(pilot, lambda: len(meeting_ids(board)) == len(held) + 1, "the meeting stored")
        record = load_meeting(board, meeting_ids(board)[0])
        assert len(record.codes(DISCUSSED)) == total and record.codes(SKIPPED) == []

    run_meeting(tmp_path, scenario)


def test_check_in_ticks_show_a_mark_not_only_a_colour(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        await burst(pilot, "m")
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff), "check-in")
        listing = app.screen.query_one(CheckList)
        texts = [listing.render_line(y).text for y in range(len(app.screen.staff))]
        ticked = [text for text in texts if "CSA" in text]
        unticked = [text for text in texts if "DEN" in text]
        assert "✓" in ticked[0] and "✓" not in unticked[0] and "X" not in unticked[0]

    run_meeting(tmp_path, scenario)


def test_the_agenda_item_running_now_is_highlighted_and_the_budget_is_the_days_slot(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        assert screen.session is not None and screen.session.budget_minutes == 135  # Monday 08:15-10:30

        def highlighted() -> list[str]:
            title = screen.query_one("#meeting-title", Static).render()
            plain = str(getattr(title, "plain", ""))
            return [
                plain[s.start : s.end].strip() for s in getattr(title, "spans", []) if "reverse=True" in repr(s.style)
            ]

        assert highlighted() == ["08:15 Veckoplanering"]
        clock.advance(minutes=40)  # 08:55
        screen.tick()
        await until(pilot, lambda: highlighted() == ["08:50 Vecko-/dagsplanering"], "the next item highlighted")

    run_meeting(tmp_path, scenario)


def test_a_day_with_no_meeting_says_so() -> None:
    template = load_template("sv")
    saturday = date(2026, 11, 28)
    line = agenda_line(template, saturday, datetime(2026, 11, 28, 8, 15).astimezone())
    assert line.plain == "No meeting on Lördag in the board's template: 15 min."
    assert template.meeting_slot(5) is None and template.meeting_budget(5) == template.meeting_minutes
    assert template.meeting_slot(0) == (8 * 60 + 15, 10 * 60 + 30)


# -- editing: children, conflicts, mouse -------------------------------------------------------------------------


def test_the_children_cell_takes_ja_with_a_note_and_one_u_takes_both_back(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row_id = board.open_row_by_code("ST-88").id or 0
        before = board.row(row_id)
        await edit(pilot, grid, "ST-88", "children")
        await burst(pilot, ENTER, "Ja, 2 st", ENTER)
        await until(pilot, lambda: board.row(row_id).children_note == "2 st", "the note saved")
        assert board.row(row_id).children is True
        await until(pilot, lambda: "Ja*" in line_of(grid, "ST-88"), "the note marked in the grid")
        await burst(pilot, ENTER)  # open again: the note is there to edit
        assert app.screen.query_one(CellEditor).text == "Ja, 2 st"
        await burst(pilot, ESCAPE, "u")
        await until(pilot, lambda: board.row(row_id).children_note == before.children_note, "one u undid both")
        assert board.row(row_id).children == before.children

    run_board(tmp_path, scenario)


def test_the_grid_shows_the_stored_value_while_the_conflict_is_decided(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        await edit(pilot, grid, "BB-90", "safety")
        await burst(pilot, ENTER, "Mina ord")
        board.set_field("MJR", board.open_row_by_code("BB-90").id or 0, "safety", "Deras ord")
        await burst(pilot, ENTER)
        await until(pilot, lambda: isinstance(app.screen, ConflictDialog), "the conflict question")
        await until(pilot, lambda: "Deras" in line_of(grid, "BB-90"), "the stored value in the grid")
        assert "Mina" not in line_of(grid, "BB-90")

    run_board(tmp_path, scenario)


def test_a_double_click_edits_a_cell_and_the_wheel_scrolls(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        grid.move_cursor(column_key="triage")
        await pilot.pause()
        x = grid.cursor_cell_region().x - grid.region.x
        await pilot.click(BoardGrid, offset=(x + 1, 3), times=2)  # the third row's triage
        await until(pilot, lambda: app.screen.query_one(CellEditor).display, "the editor open")
        assert grid.cursor_coordinate[0] == 2
        await burst(pilot, ESCAPE)
        adds = [RowWrite(Op.ADD, values={"client_code": f"WH-{n}", "triage": "obs"}) for n in range(10, 25)]
        board.write_rows("MJR", adds)  # another terminal: now more rows than the window shows
        await until(pilot, lambda: grid.row_count == 25, "the new rows shown")
        assert grid.scroll_offset.y == 0
        for _ in range(3):  # the wheel: three notches down over the grid
            grid.post_message(events.MouseScrollDown(grid, 5, 5, 0, 0, 0, False, False, False))
        await until(pilot, lambda: grid.scroll_offset.y > 0, "the grid scrolled by the wheel")

    run_board(tmp_path, scenario, size=(80, 24))


# -- screens at every size -------------------------------------------------------------------------------------------


def test_below_a_usable_size_the_board_says_so_and_the_legend_shows(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        assert "* note" in screen_text(app)  # the legend on the rule above the detail panel
        assert "too small" not in screen_text(app)
        await pilot.resize_terminal(60, 15)
        await until(pilot, lambda: "too small for the board (60×15)" in screen_text(app), "the size message")
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: "too small" not in screen_text(app), "the message gone")

    run_board(tmp_path, scenario, size=(120, 40))


def test_in_the_wall_theme_the_whole_current_row_stands_out(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        app.use_theme("factboard-wall")
        await until(pilot, lambda: app.theme == "factboard-wall", "the wall theme")
        await pilot.pause()
        cursor_line = grid.render_line(grid.header_height + grid.cursor_coordinate[0])
        other_line = grid.render_line(grid.header_height + 1 + grid.cursor_coordinate[0])
        last = list(cursor_line)[-1].style  # the row's end, away from the cursor cell
        assert last is not None and last.bold and last.bgcolor != list(other_line)[-1].style.bgcolor  # type: ignore[union-attr]

    run_board(tmp_path, scenario)


def test_the_meetings_triage_pick_list_is_framed_and_wide(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await start_meeting(pilot)
        await burst(pilot, "t")
        editor = app.screen.query_one(CellEditor)
        assert editor.outer_size.width >= 60 and editor.outer_size.height >= 5
        assert "Kris · Inlagd · Ny · obs · Stabil" in screen_text(app)

    run_meeting(tmp_path, scenario)


def test_scrolling_right_keeps_the_client_code_and_triage_in_view(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        await burst(pilot, Key("end"))  # the last column: the grid scrolls right
        await until(pilot, lambda: grid.scroll_offset.x > 0, "the grid scrolled right")
        header = grid.render_line(0).text
        assert header.split("│")[0].strip().startswith("Pati") and "Triage" in header
        line = grid.render_line(1).text
        assert "NN-89" in line and "Kris" in line
        assert grid.cursor_cell_region().right <= grid.region.right  # the cursor cell in view
        await burst(pilot, Key("home"))
        await until(pilot, lambda: grid.scroll_offset.x == 0, "back to the left")
        # A click on the frozen code column lands on it, also while scrolled.
        await burst(pilot, Key("end"))
        await until(pilot, lambda: grid.scroll_offset.x > 0, "the grid scrolled right again")
        code_x = grid.render_line(1).text.index("NN-89")
        await pilot.click(BoardGrid, offset=(code_x + 1, 1))
        await until(pilot, lambda: grid.cursor_column_key == "client_code", "the click on the code")

    run_board(tmp_path, scenario, size=(80, 24))


@pytest.mark.parametrize("size", [(200, 50), (120, 40), (80, 24)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_every_column_at_every_size_headers_whole_where_there_is_room(tmp_path: Path, size: tuple[int, int]) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        keys = [column.key for column in grid.columns]
        assert {"category", "doctor", "other_providers", "safety", "sat", "sun", "mon"} <= set(keys)  # none dropped
        header = grid.render_line(0).text
        in_view = header.split("│")
        assert any("Må" in part for part in in_view)  # the week's first day in view without scrolling
        assert "DEN+MJR" in line_of(grid, "NN-89")  # a visit whole, not `DEN+…`
        if size[0] == 200:  # the wall screen: every header whole, a long one on two lines ("Övriga / vårdgivare")
            own = [key for key in keys if key in WIDE_COLUMNS]  # plans and the measure follow, scrolled to
            labels = [
                " ".join(grid.render_line(y).text.split("│")[at].strip() for y in range(grid.header_height))
                for at in range(len(own))
            ]
            expected = [FLAGS_HEADER if key == FLAGS else board.template.label(key) for key in own]
            assert [label.strip() for label in labels] == expected
            assert "Utvärdering" in header and "…" not in header
            assert grid.virtual_size.width >= grid.scrollable_content_region.width - 1  # no free columns at the right

    run_board(tmp_path, scenario, size=size)


def test_a_mistyped_client_code_is_corrected_in_its_cell_keeping_the_rows_history(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row_id = board.open_row_by_code("NN-89").id
        await edit(pilot, grid, "NN-89", "client_code")
        await burst(pilot, ENTER, "NN-98", ENTER)
        await until(pilot, lambda: board.open_row_by_code("NN-98").id == row_id, "the code corrected")
        assert board.history(row_id or 0)[-1].field == "client_code"
        assert "NN-98" in line_of(grid, "NN-98")

    run_board(tmp_path, scenario)


def test_a_client_is_added_in_nine_keys(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        keys = ["a", *"QX-12", TAB, "N", Key("ctrl+s")]  # ctrl+s takes the triage's completion, Ny
        assert len(keys) == 9
        await burst(pilot, *keys)
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and grid.row_count == 11, "the row added")
        assert board.open_row_by_code("QX-12").triage == "new"

    run_board(tmp_path, scenario)


def test_the_column_bars_line_up_on_every_row_with_the_cursor_on_an_overdue_row(tmp_path: Path) -> None:
    """The bars between columns are drawn in their own, dimmer colour, so every renderer places each bar at its
    own cell: they used to take the text's colour and merge with it into long runs, and a browser or an SVG viewer
    that draws a long run a little narrower (another font than the terminal's) showed the weekday bars one cell off
    on every row but those where a highlighted `!` date broke the run."""

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row = next(row for row in app.screen.feed.rows if row.client_code == "KL-71")  # type: ignore[attr-defined]
        grid.move_cursor(row_key=str(row.id), column_key="evaluation_date")  # !261113, and !120 on board
        await pilot.pause()
        svg = app.export_screenshot()
        lines: dict[int, list[tuple[float, str]]] = {}
        pattern = (
            r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
            r'clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>'
        )
        for x, line, text in re.findall(pattern, svg):
            lines.setdefault(int(line), []).append((float(x), html.unescape(text)))
        last = grid.header_height + grid.row_count
        grid_lines = [runs for line, runs in sorted(lines.items()) if 1 <= line <= last]
        assert len(grid_lines) == last  # the header's lines and every row
        bars: list[list[float]] = []
        for runs in grid_lines:
            assert all(text == "│" or "│" not in text for _x, text in runs), runs  # each bar a run of its own
            bars.append([x for x, text in runs if text == "│"])
        in_view = grid.render_line(0).text.count("│")  # the board's own columns; plans and measure follow, scrolled to
        assert len(bars[0]) == in_view >= len(WIDE_COLUMNS) - 1
        assert all(row_bars == bars[0] for row_bars in bars)  # at the same place on every line
        separator = grid.render_line(grid.header_height + grid.cursor_coordinate[0])
        texts = [segment for segment in separator if segment.text == "│"]
        cells = [segment for segment in separator if segment.text.strip() and segment.text != "│"]
        assert texts[0].style is not None and cells[0].style is not None
        assert texts[0].style.color != cells[0].style.color  # dimmer than the text, as the grid's style says

    run_board(tmp_path, scenario)
