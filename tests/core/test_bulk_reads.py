"""The collector waits while a bulk read builds its rows, and runs again afterwards (issue 15: `core.collector`).

A user notices the collector as a pause: a full collection over a heap of 20,000 rows froze typing for a second.
These tests read a real board of 800 rows (enough objects that the collector would start several times during each
read) and watch the collector through `gc.callbacks`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from factboard_tui.core.clock import week_start
from factboard_tui.core.collector import collector_paused
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.store.schema import RowValues, Visit

ROWS = 800


@pytest.fixture
def full_board(board: Board) -> Board:
    monday = week_start(board.today())
    writes = [
        RowWrite(
            "add",
            values={
                "client_code": f"K-{number:04d}",
                "triage": "Kris",
                "date_on": board.today(),
                "situation": "<b>[/]</b> =1+1",
            },
            visits={monday + timedelta(days=number % 7): ("CSA", "ring [red]x[/red]")},
        )
        for number in range(ROWS)
    ]
    board.write_rows("KOO", writes, source="test")
    return board


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations of the collections that start while the test runs."""
    seen: list[int] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(int(info["generation"]))

    gc.callbacks.append(watch)
    try:
        yield seen
    finally:
        gc.callbacks.remove(watch)


def reads(board: Board) -> dict[str, Callable[[], object]]:
    monday = week_start(board.today())
    return {
        "rows": board.rows,
        "visits": lambda: board.visits(monday, monday + timedelta(days=7)),
    }


@pytest.mark.parametrize("name", ["rows", "visits"])
def test_no_collection_runs_inside_a_bulk_read_and_the_collector_runs_after(
    full_board: Board, collections: list[int], name: str
) -> None:
    read = reads(full_board)[name]
    read()  # statements compiled, caches warm
    gc.collect()
    collections.clear()
    found = read()
    during = list(collections)
    assert len(found) == ROWS if name != "visits" else sum(len(days) for days in found.values()) == ROWS  # type: ignore[arg-type]
    # at most the one young collection the read owes as it ends, over the objects it made (800 rows started 4-14
    # collections, some of the older generations, before the collector waited)
    assert during in ([], [0]), f"{name}: {len(during)} collections started inside the read: {during}"
    assert gc.isenabled()
    garbage = [[index] for index in range(5_000)]  # the collector is back: these allocations start one
    del garbage
    assert collections, "the collector did not run again after the read"


def test_a_face_that_turned_the_collector_off_keeps_it_off(full_board: Board) -> None:
    gc.disable()
    try:
        full_board.rows()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_comes_back_after_a_read_that_failed() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the disk went away")
    assert gc.isenabled()


def test_overlapping_reads_in_two_threads_leave_the_collector_running(full_board: Board) -> None:
    inside = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with collector_paused():
                inside.wait(timeout=30)  # both inside at once
                full_board.visits(date(2000, 1, 1), date(2100, 1, 1))
                inside.wait(timeout=30)
                assert not gc.isenabled()  # the other read has not turned it back on under this one
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert gc.isenabled()


def test_the_plain_values_are_the_values_the_orm_reads_in_the_order_python_sorts_them(board: Board) -> None:
    """`rows()`, `top_rows()` and `rows_by_ids()` read tuples through the DB-API and convert them a column at a time
    (issue 15); every value must come back as the ORM reads it: dates, moments, yes/no/unknown, keys, hostile text."""
    triage = [level.key for level in board.template.triage]
    category = board.template.categories[0].key
    today = board.today()
    writes = [
        RowWrite(
            "add",
            values={
                "client_code": f"{'ÅÖ'[number % 2]}-{number % 7:02d}{number}",
                "triage": triage[number % len(triage)],
                "date_on": today - timedelta(days=number % 5),
                "category": category if number % 3 else None,
                "children": (True, False, None)[number % 3],
                "situation": "[/] <b>x</b> =1+1 😀 漢字\n" * (number % 4),
                "evaluation_date": today + timedelta(days=number) if number % 2 else None,
                "crisis_plan": "in_progress" if number % 5 == 0 else None,
                "primary_contact": "CSA" if number % 2 else None,
            },
        )
        for number in range(60)
    ]
    board.write_rows("KOO", writes, source="test")
    off = board.rows()[5].id
    board.take_off("KOO", off, "utskriven")

    every = board.rows(include_off=True)
    assert len(every) == 60 and all(type(row) is RowValues for row in every)
    for row in every:
        orm = board.row(row.id)
        assert row == tuple(getattr(orm, name) for name in RowValues._fields), row.client_code
        assert [type(value) for value in row] == [type(getattr(orm, name)) for name in RowValues._fields]
    python_order = sorted(sorted(every, key=lambda row: row.id), key=board.board_order())
    assert [row.id for row in every] == [row.id for row in python_order]
    shown = board.rows()
    assert [row.id for row in shown] == [row.id for row in python_order if row.date_off is None]
    first, counts = board.top_rows(17)
    assert first == shown[:17]
    assert counts == {
        key: sum(row.triage == key for row in shown) for key in triage if any(r.triage == key for r in shown)
    }
    asked = set(range(1, 25_000))  # more ids than one statement binds: read in chunks
    assert sorted(board.rows_by_ids(asked)) == sorted(every)


def test_visits_are_what_the_orm_reads_for_any_span_and_any_rows(board: Board) -> None:
    """`visits()` reads tuples through the DB-API and shares each distinct day and staff text (issue 15): what comes
    back must be exactly the stored visits of the span (its first day in, its end out), of the rows asked for."""
    monday = week_start(board.today())
    notes = [None, "ring [red]x[/red]", "=1+1", "😀 漢字\nrad två"]
    writes = [
        RowWrite(
            "add",
            values={"client_code": f"V-{number}", "triage": "Kris"},
            visits={
                monday + timedelta(days=offset): (("DEN", "DEN+MJR", "CSA")[offset % 3], notes[(number + offset) % 4])
                for offset in range(-2, 10)
                if (number + offset) % 3
            },
        )
        for number in range(40)
    ]
    ids = [result.row_id for result in board.write_rows("KOO", writes, source="test")]
    with board.session() as session:
        stored = [(visit.row_id, visit.day, visit.staff, visit.note) for visit in session.exec(select(Visit))]
    for start, end in ((monday, monday + timedelta(days=7)), (monday - timedelta(days=2), monday), (monday, monday)):
        for asked in (None, set(ids[::3]), set(), set(range(1, 25_000))):
            found = board.visits(start, end, asked)
            expected: dict[int, dict[date, tuple[Any, ...]]] = {}
            for row_id, day, staff, note in stored:
                if start <= day < end and (asked is None or row_id in asked):
                    expected.setdefault(row_id, {})[day] = (row_id, day, staff, note)
            assert {row: {day: tuple(cell) for day, cell in days.items()} for row, days in found.items()} == expected
            assert all(type(cell.day) is date for days in found.values() for cell in days.values())
    week = board.visits(monday, monday + timedelta(days=7))
    mondays = {id(cell.day) for days in week.values() for day, cell in days.items() if day == monday}
    assert len(mondays) == 1  # one Monday shared by every visit on it, not a date object each
