"""Hypothesis: random edits on two or three sites, bundles delivered in any order and more than once, end with the
same board on every site (compared by a hash of the board's content)."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from helpers.hunting import examples
from helpers.sites import Ticker, make_sites
from hypothesis import given, settings
from hypothesis import strategies as st

from factboard_tui.core.errors import FactBoardError, SyncRefused
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import compare, service

SITES = ["region", "muni", "town"]
CODES = ["DD-1", "DD-2", "DD-3", "EE-4"]
TEXTS = ["calm", "admitted", "moved", "call GP", ""]
TRIAGE = ["crisis", "new", "watch", "stable"]
MONDAY = date(2026, 11, 23)

site = st.integers(0, 2)
pick = st.integers(0, 10)
operation = st.one_of(
    st.tuples(st.just("add"), site, st.sampled_from(CODES), st.sampled_from(TRIAGE)),
    st.tuples(st.just("text"), site, pick, st.sampled_from(["situation", "actions"]), st.sampled_from(TEXTS)),
    st.tuples(st.just("triage"), site, pick, st.sampled_from(TRIAGE)),
    st.tuples(st.just("visit"), site, pick, st.integers(0, 4), st.sampled_from(["MJR", "DEN+CSA", ""])),
    st.tuples(st.just("off"), site, pick),
    st.tuples(st.just("undo"), site),
    st.tuples(st.just("staff"), site, st.sampled_from(["ABC", "DEF"]), st.sampled_from(["Anna", "Bo", "Cai"])),
    st.tuples(st.just("export"), site, site),
    st.tuples(st.just("deliver"), pick),
    st.tuples(st.just("deliver"), pick),
)


def _edit(board: Board, step: tuple[Any, ...]) -> None:
    kind, _site, *args = step
    user = board.site.name[:3].upper()
    rows = board.rows()
    try:
        if kind == "add":
            board.add_row(user, {"client_code": args[0], "triage": args[1]})
        elif kind == "undo":
            board.undo_last(user)
        elif kind == "staff":
            board.write_staff(user, args[0], name=args[1])
        elif rows:
            row = rows[args[0] % len(rows)]
            assert row.id is not None
            if kind == "text":
                board.set_field(user, row.id, args[1], args[2])
            elif kind == "triage":
                board.set_field(user, row.id, "triage", args[1])
            elif kind == "visit":
                board.write_row(user, "set", row_id=row.id, visits={MONDAY + timedelta(days=args[1]): (args[2], None)})
            elif kind == "off":
                board.take_off(user, row.id, "moved away")
    except FactBoardError:
        pass  # a refused edit (a duplicate, nothing to undo) changes nothing, as for a person


@settings(max_examples=examples(25))
@given(
    sites=st.integers(2, 3),
    clock_step=st.sampled_from([timedelta(0), timedelta(milliseconds=1), timedelta(seconds=1)]),
    steps=st.lists(operation, min_size=4, max_size=30),
)
def test_any_order_of_bundles_ends_in_the_same_board(sites: int, clock_step: timedelta, steps: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        names = SITES[:sites]
        boards = make_sites(Path(directory), names, Ticker(step=clock_step))
        try:
            pool: list[tuple[str, bytes]] = []
            for step in steps:
                if step[0] == "export":
                    source, target = names[step[1] % sites], names[step[2] % sites]
                    if source != target:
                        pool.append((target, service.export_bundle(boards[source], target).data))
                elif step[0] == "deliver":
                    if pool:
                        target, data = pool[step[1] % len(pool)]
                        try:
                            service.import_bundle(boards[target], data)
                        except SyncRefused as refused:
                            # Out of order or twice: refused whole, never for anything else.
                            assert refused.reason in ("replay", "gap"), str(refused)
                else:
                    _edit(boards[names[step[1] % sites]], step)
            for _round in range(3):
                for source in names:
                    for target in names:
                        if source != target:
                            service.import_bundle(boards[target], service.export_bundle(boards[source], target).data)
            hashes = {name: compare.board_state_hash(board) for name, board in boards.items()}
            assert len(set(hashes.values())) == 1, hashes
            for board in boards.values():  # never two open rows for one client
                codes = [row.client_code for row in board.rows()]
                assert len(codes) == len(set(codes))
        finally:
            for board in boards.values():
                board.close()
