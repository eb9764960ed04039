"""Pilot tests for `BoardGrid`: what a person at the board notices when moving around and data refreshes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rich.segment import Segment
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.grid_rows import GridCell, GridColumn, GridRow

SIZE = (120, 40)
COLUMNS = (
    GridColumn("name", "Name", 12),
    GridColumn("triage", "Triage", 6),
    GridColumn("plan", "Plan", 20),
)


def make_rows(count: int, prefix: str = "") -> list[GridRow]:
    """Rows keyed "0", "1", … whose first cell repeats the key, so a rendered line shows which row it is."""
    return [
        GridRow(
            f"{prefix}{i}",
            (GridCell(f"{prefix}r{i}"), GridCell("Kris" if i % 5 == 0 else "Grön"), GridCell(f"plan {i}")),
        )
        for i in range(count)
    ]


class GridApp(App[None]):
    """One grid filling the screen; records every `CursorMoved` it receives."""

    def __init__(self, columns: tuple[GridColumn, ...] = COLUMNS) -> None:
        super().__init__()
        self.columns = columns
        self.moves: list[tuple[str | None, str | None]] = []

    def compose(self) -> ComposeResult:
        yield BoardGrid(self.columns)

    def on_board_grid_cursor_moved(self, message: BoardGrid.CursorMoved) -> None:
        self.moves.append((message.row_key, message.column_key))


def run(
    scenario: Callable[[GridApp, BoardGrid, Pilot[None]], Awaitable[None]],
    rows: list[GridRow],
    columns: tuple[GridColumn, ...] = COLUMNS,
) -> None:
    """Run `scenario` against a focused grid holding `rows`, at a fixed terminal size."""

    async def main() -> None:
        app = GridApp(columns)
        async with app.run_test(size=SIZE) as pilot:
            grid = app.query_one(BoardGrid)
            grid.focus()
            grid.set_rows(rows)
            await pilot.pause()
            await scenario(app, grid, pilot)

    asyncio.run(main())


def screen_lines(grid: BoardGrid) -> list[str]:
    """The text of every line the grid shows."""
    return [grid.render_line(y).text for y in range(grid.scrollable_content_region.height)]


def cursor_is_visible(grid: BoardGrid) -> bool:
    row, _ = grid.cursor_coordinate
    top = grid.scroll_offset.y
    return top <= row < top + grid.scrollable_content_region.height - 1


def test_arrow_and_vim_keys_move_the_cursor_cell() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        assert app.moves == [("0", "name")]  # announced once when the rows arrive
        await pilot.press("down", "right")
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("1", "triage")
        await pilot.press("j", "l")
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("2", "plan")
        await pilot.press("l")  # already in the last column
        assert grid.cursor_column_key == "plan"
        await pilot.press("k", "h")
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("1", "triage")
        await pilot.press("up", "left", "up")  # the last "up" is at the top: nothing to do
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("0", "name")
        assert app.moves[-1] == ("0", "name")
        assert ("2", "plan") in app.moves
        await pilot.press("end")
        assert grid.cursor_column_key == "plan"
        await pilot.press("home")
        assert grid.cursor_column_key == "name"

    run(scenario, make_rows(10))


def test_cursor_line_is_highlighted_and_the_labels_keep_their_text() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        lines = screen_lines(grid)
        assert "Name" in lines[0] and "Triage" in lines[0]
        assert "Kris" in lines[1] and "Grön" in lines[2]
        cursor_cell = grid.get_component_rich_style("board-grid--cursor-cell")
        assert cursor_cell.bgcolor is not None
        assert any(s.style and s.style.bgcolor == cursor_cell.bgcolor for s in grid.render_line(1))
        assert not any(s.style and s.style.bgcolor == cursor_cell.bgcolor for s in grid.render_line(2))

    run(scenario, make_rows(3))


def test_long_text_is_cut_with_an_ellipsis() -> None:
    rows = [
        GridRow("1", (GridCell("Anna Andersson-Lindqvist"), GridCell("Kris", "bold white on red"))),
        GridRow("2", (GridCell("漢字漢字漢字"), GridCell("two\nlines"))),
    ]
    columns = (GridColumn("name", "Name", 10), GridColumn("note", "Note", 10))

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        assert "Anna Ande…│ Kris" in grid.render_line(1).text
        # Wide characters are cut by cells, not by characters.
        assert " 漢字漢字… │" in grid.render_line(2).text
        assert "two lines" in grid.render_line(2).text
        assert grid.render_line(1).cell_length == grid.render_line(2).cell_length
        kris = next(segment for segment in grid.render_line(1) if "Kris" in segment.text)
        assert kris.style is not None and kris.style.bgcolor is not None

    run(scenario, rows, columns)


def test_set_rows_keeps_the_cursor_on_the_same_row() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "down", "right")
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("3", "triage")
        moves_before = len(app.moves)
        # New rows arrive above and the old ones come back in another order.
        grid.set_rows(make_rows(4, prefix="new") + make_rows(10)[::-1])
        await pilot.pause()
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("3", "triage")
        assert grid.cursor_coordinate == (4 + 6, 1)
        assert len(app.moves) == moves_before  # the cursor did not move, as far as anyone can tell
        # The row under the cursor goes away: the cursor stays at the same place in the list.
        grid.set_rows([row for row in make_rows(10)[::-1] if row.key != "3"])
        await pilot.pause()
        assert grid.cursor_row_key is not None and grid.cursor_row_key != "3"
        assert app.moves[-1] == (grid.cursor_row_key, "triage")

    run(scenario, make_rows(10))


def test_update_row_changes_only_that_line() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        before = screen_lines(grid)
        grid.update_row(GridRow("2", (GridCell("renamed"), GridCell("Gul"), GridCell("call GP"))))
        await pilot.pause()
        after = screen_lines(grid)
        assert "renamed" in after[3] and "call GP" in after[3]
        del before[3], after[3]
        assert after == before

    run(scenario, make_rows(5))


def test_a_cursor_move_changes_only_the_two_lines_it_touches() -> None:
    """What the screen shows changes on the two lines the cursor left and reached, nowhere else; the same rows set
    again change nothing. (How fast a move repaints is timed in benchmarks/bench_tui.py.)"""

    def styled_lines(grid: BoardGrid) -> list[list[Segment]]:
        return [list(grid.render_line(y)) for y in range(grid.scrollable_content_region.height)]

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        before = styled_lines(grid)
        await pilot.press("down")
        await pilot.pause()
        after = styled_lines(grid)
        changed = [y for y, (old, new) in enumerate(zip(before, after, strict=True)) if old != new]
        assert changed == [1, 2]  # the first row's line (under the header) and the second's
        grid.set_rows(make_rows(100))  # the same rows again
        await pilot.pause()
        assert styled_lines(grid) == after

    run(scenario, make_rows(100))


def test_pagedown_and_ctrl_end_scroll_the_cursor_into_view() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        await pilot.press("pagedown")
        assert grid.cursor_coordinate[0] > 30
        assert grid.scroll_offset.y > 0 and cursor_is_visible(grid)
        await pilot.press("pagedown", "pageup")
        assert cursor_is_visible(grid)
        await pilot.press("ctrl+end")
        assert grid.cursor_row_key == "199"
        assert grid.scroll_offset.y == grid.max_scroll_y and cursor_is_visible(grid)
        lines = screen_lines(grid)
        assert "Name" in lines[0]  # the header stays on top
        assert lines[-1].startswith(" r199 ")
        await pilot.press("ctrl+home")
        assert grid.cursor_row_key == "0" and grid.scroll_offset.y == 0

    run(scenario, make_rows(200))


def test_a_page_drawn_ahead_shows_what_its_rows_hold_when_it_is_reached() -> None:
    """After a page down the grid draws the next page before the next key (issue 15: page down then repaints from
    its cache): a row of that page changed meanwhile, or the styles, must show as it is now, and each page down and
    up shows exactly the rows a freshly drawn grid shows there."""

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        await pilot.press("pagedown")
        await pilot.pause()
        next_page = grid.scroll_offset.y + grid.scrollable_content_region.height - 1
        grid.update_row(GridRow(str(next_page + 2), (GridCell("renamed"), GridCell("Gul"), GridCell("call GP"))))
        await pilot.press("pagedown")
        await pilot.pause()
        lines = screen_lines(grid)
        top = grid.scroll_offset.y
        assert [line.split()[0] for line in lines[1:]] == [
            "renamed" if index == next_page + 2 else f"r{index}" for index in range(top, top + len(lines) - 1)
        ]
        await pilot.press("pagedown", "pageup", "pageup")
        await pilot.pause()
        shown = screen_lines(grid)
        grid._line_cache.clear()  # drawn afresh, nothing from the cache
        assert screen_lines(grid) == shown

    run(scenario, make_rows(500))


def test_two_thousand_rows_load_and_the_last_row_and_column_are_reachable() -> None:
    wide = (*COLUMNS, *(GridColumn(f"extra{i}", f"Extra {i}", 30) for i in range(4)))
    rows = [GridRow(str(i), tuple(GridCell(f"{i}/{c.key}") for c in wide)) for i in range(2000)]

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        assert grid.row_count == 2000
        assert grid.virtual_size.height == 2001
        await pilot.press("G", "end")
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("1999", "extra3")
        assert cursor_is_visible(grid) and grid.scroll_offset.x > 0
        assert "1999/extra3" in screen_lines(grid)[-1]
        assert "Extra 3" in screen_lines(grid)[0]  # the header scrolls sideways with the rows
        await pilot.press("g", "home")
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("0", "name")
        assert grid.scroll_offset == (0, 0)

    run(scenario, rows, wide)


def test_clicking_a_cell_moves_the_cursor_there() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        plan_x = (12 + 2 + 1) + (6 + 2 + 1) + 1  # past "name" and "triage" (padding and separator)
        await pilot.click(BoardGrid, offset=(plan_x, 4))  # line 4 is the fourth row under the header
        assert (grid.cursor_row_key, grid.cursor_column_key) == ("3", "plan")
        assert app.moves[-1] == ("3", "plan")

    run(scenario, make_rows(10))


def test_empty_grid_says_so() -> None:
    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        assert grid.cursor_row_key is None and app.moves == []
        assert grid.render_line(1).text.strip() == "No rows"
        grid.empty_text = "Nobody on the board today"
        await pilot.pause()
        assert grid.render_line(1).text.strip() == "Nobody on the board today"
        await pilot.press("down", "pagedown", "G")  # nothing to move to, nothing breaks
        assert grid.cursor_row_key is None

    run(scenario, [])


def same_as_textual(grid: BoardGrid) -> bool:
    """What the grid shows now is exactly what Textual's own line styling gives for the same region."""
    crop = grid.size.region
    kept = [list(strip) for strip in grid.render_lines(crop)]
    fresh = [list(strip) for strip in StylesCache().render_widget(grid, crop)]
    return kept == fresh


def test_scrolled_lines_look_exactly_as_textual_draws_them_and_follow_a_theme_change() -> None:
    """The grid keeps each styled line made from a row's strip (a scroll then costs no restyling): what it shows
    must still be exactly what Textual's own line styling gives, after scrolling, a theme change and a blur."""

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        assert same_as_textual(grid)
        await pilot.press("pagedown")
        await pilot.pause()
        await pilot.press("down")  # the cursor was on the last line: the view scrolls by one (timed in benchmarks/)
        await pilot.pause()
        assert grid.scroll_offset.y > 0
        assert same_as_textual(grid)
        await pilot.press("pageup", "pageup")
        await pilot.pause()
        assert same_as_textual(grid)
        before = [list(strip) for strip in grid.render_lines(grid.size.region)]
        app.theme = "textual-light"
        await pilot.pause()
        assert same_as_textual(grid)
        assert [list(strip) for strip in grid.render_lines(grid.size.region)] != before
        grid.blur()
        await pilot.pause()
        assert same_as_textual(grid)

    run(scenario, make_rows(200))


def test_a_page_styled_ahead_looks_as_textual_draws_it_after_a_theme_change_and_a_blur() -> None:
    """The grid styles the next page before it is asked for (issue 15: styling was most of a page down's frame).
    A page styled ahead in one theme, or with the focus on the grid, must show as Textual draws it now."""

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        for change in ("none", "theme", "blur", "focus"):
            grid.action_cursor_page_down()  # what the key does (a blurred grid gets no keys): the page after
            await pilot.pause()  # this one is styled ahead, the way things look now
            if change == "theme":
                app.theme = "textual-light"
            elif change == "blur":
                grid.blur()
            elif change == "focus":
                grid.focus()
            await pilot.pause()
            top = grid.scroll_offset.y
            grid.action_cursor_page_down()
            await pilot.pause()
            assert grid.scroll_offset.y > top
            assert same_as_textual(grid), change

    run(scenario, make_rows(600))


def test_splice_takes_rows_out_and_puts_them_in_as_a_list_would_and_the_cursor_keeps_its_row() -> None:
    """A live change reaches the grid as rows taken out and put in (`splice`, what `RowStore` moves record): the
    rows shown are those of the same changes made to a plain list, the changed rows are drawn anew, and the cursor
    stays on its row (wherever that row went) unless it was taken off."""
    import random

    async def scenario(app: GridApp, grid: BoardGrid, pilot: Pilot[None]) -> None:
        rng = random.Random(15)
        model = [row.key for row in make_rows(300)]
        grid.move_cursor(row_key="40")
        await pilot.pause()
        for step in range(60):
            changes: list[tuple[int, GridRow | None]] = []
            for _ in range(rng.randint(1, 4)):
                if model and rng.random() < 0.6:
                    index = rng.randrange(len(model))
                    key = model.pop(index)
                    changes.append((index, None))
                    if rng.random() < 0.7:  # read back and put in again elsewhere (a changed triage)
                        index = rng.randint(0, len(model))
                        model.insert(index, key)
                        changes.append((index, GridRow(key, (GridCell(f"moved {step}"), GridCell(""), GridCell("")))))
                else:
                    index = rng.randint(0, len(model))
                    key = f"new{step}"
                    model.insert(index, key)
                    changes.append((index, GridRow(key, (GridCell(f"new {step}"), GridCell(""), GridCell("")))))
            before = grid.cursor_row_key
            grid.splice(changes)
            await pilot.pause()
            assert [grid.row(index).key for index in range(grid.row_count)] == model
            if before in model:
                assert grid.cursor_row_key == before
            assert cursor_is_visible(grid)
            shown = screen_lines(grid)
            for _index, row in changes:
                if row is not None and row.key in model and row.cells[0].text.startswith(("moved", "new")):
                    at = model.index(row.key) + 1 - grid.scroll_offset.y
                    if 1 <= at < len(shown) and grid.row(model.index(row.key)) is row:
                        assert row.cells[0].text in shown[at]  # drawn anew, not from a cached line

    run(scenario, make_rows(300))
