"""The feed's row store keeps board order and triage counts by what changed, never by copying the board.

Another process's change used to re-sort, rebuild and recount every row on the UI thread (issue 15: 479 ms of CPU
per change at 20,000 rows), and saving a cell copied the whole row list. The store now places a changed row by
bisection and counts by difference: these tests hold it to the order a full sort gives, after any mix of reads
back, rows taken off, new rows and values saved on screen, and check that the list shown is changed in place.
"""

from __future__ import annotations

import gc
from collections import Counter
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.store.schema import BoardRow, RowValues
from factboard_tui.tui.row_store import FIRST_SCREENFUL, BoardRead, RowsRead, RowStore, read_board, read_changes

TEMPLATE = load_template("sv")
TRIAGE = [level.key for level in TEMPLATE.triage]
DAY = date(2026, 11, 30)


def order(row: RowValues) -> tuple[object, ...]:
    """The board's order, as `reads.board_order` gives it for the Swedish template."""
    return (row.date_off is not None, TEMPLATE.triage_rank(row.triage), row.date_on, row.client_code)


def make_row(row_id: int, triage: int, days: int, off: bool = False) -> RowValues:
    moment = datetime(2026, 11, 30, 8, 0)
    made = BoardRow(
        id=row_id,
        client_code=f"AB-{row_id:04d}",
        date_on=DAY - timedelta(days=days),
        triage=TRIAGE[triage % len(TRIAGE)],
        date_off=DAY if off else None,
        created_at=moment,
        created_by="CSA",
        updated_at=moment,
        updated_by="CSA",
    )
    return RowValues._make(getattr(made, name) for name in RowValues._fields)


def read(rows: list[RowValues]) -> BoardRead:
    return BoardRead(sorted(rows, key=order), {}, DAY, 1, [])


def expected(rows: dict[int, RowValues]) -> list[int | None]:
    return [row.id for row in sorted(rows.values(), key=order)]


change = st.tuples(
    st.sampled_from(["read back", "taken off", "new", "saved on screen"]),
    st.integers(0, 60),
    st.integers(0, 9),
    st.integers(0, 30),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 30)), max_size=40), st.lists(change, max_size=40))
def test_the_order_and_the_counts_follow_every_change_as_a_full_sort_would(
    first: list[tuple[int, int]], changes: list[tuple[str, int, int, int]]
) -> None:
    model = {index: make_row(index, triage, days) for index, (triage, days) in enumerate(first)}
    store = RowStore(order)
    store.replace(read(list(model.values())))
    shown = store.in_order()
    for kind, row_id, triage, days in changes:
        if kind == "saved on screen":
            if row_id in model:
                model[row_id] = model[row_id]._replace(triage=TRIAGE[triage % len(TRIAGE)])
                store.set_value(row_id, "triage", model[row_id].triage)
                store.place(row_id)  # as the feed does once a value saved on screen is read back
        else:
            row = make_row(row_id, triage, days, off=kind == "taken off")
            if kind == "taken off":
                model.pop(row_id, None)
            else:
                model[row_id] = row
            store.apply(RowsRead([row], {row_id}, {}, 2, None))
        assert [row.id for row in store.in_order()] == expected(model)
        assert {key: n for key, n in store.triage_count().items() if n} == Counter(r.triage for r in model.values())
        assert store.in_order() is shown  # changed in place: never a copy of the board


def test_a_value_saved_on_screen_replaces_its_row_where_it_stands_and_copies_no_list() -> None:
    rows = [make_row(index, index, index) for index in range(200)]
    store = RowStore(order)
    store.replace(read(rows))
    shown = store.in_order()
    before = list(shown)
    store.set_value(7, "triage", TRIAGE[-1])  # a value that would move the row: it stays until read back
    assert store.in_order() is shown
    assert [row.id for row in shown] == [row.id for row in before]
    assert store.get(7) is not None and store.get(7).triage == TRIAGE[-1]  # type: ignore[union-attr]
    assert sum(1 for a, b in zip(before, shown, strict=True) if a is not b) == 1  # just that row's object


def test_the_boards_reads_for_the_screen_make_no_orm_object_per_row(board: Board) -> None:
    """The full read, the first screenful and the change poll give plain values: at 20,000 rows an ORM object per
    row cost a third of the read and a heap the collector walked while someone typed (issue 15)."""
    board.write_rows(
        "KOO", [RowWrite("add", values={"client_code": f"K-{n:03d}", "triage": "Kris"}) for n in range(300)]
    )
    monday = week_start(board.today())
    gc.collect()
    before = sum(isinstance(thing, BoardRow) for thing in gc.get_objects())
    held = [
        read_board(board, monday).rows,
        read_board(board, monday, limit=FIRST_SCREENFUL).rows,
        (read_changes(board, 0, monday) or RowsRead([], set(), {}, 0, None)).rows,
    ]
    made = sum(isinstance(thing, BoardRow) for thing in gc.get_objects()) - before
    assert [len(rows) for rows in held] == [300, FIRST_SCREENFUL, 300]
    assert made == 0, f"{made} ORM row objects made by the screen's reads"
    assert {type(row) for rows in held for row in rows} == {RowValues}
