"""A large sync bundle takes the merge's bulk path (`changelog.append_many`: the change log's seal trigger and indexes
set aside and made again inside the one transaction); these tests hold it to what the per-record way promised.

The expectations are independent of the path under test: the sending site's own board and change log (every
record arrives with its origin, clock, base, author, time, old and new value), the seal recomputed record by record
from the tables (`seal.differences`), the schema text as it was before the import, SQLite's integrity check, and the
audit chain's verification. The per-record path (the same bundle with `BULK_RECORDS` above its size) must give the
same board and log too. Hostile values from the corpus ride along in the bundle.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from data.hostile_values import STORED
from helpers.boards import state
from helpers.faults import FaultPoints
from helpers.hostile import fill_board
from helpers.sites import forge, make_sites

from factboard_tui.core.domain.changes import Op
from factboard_tui.core.errors import SyncRefused
from factboard_tui.core.security import seal
from factboard_tui.core.store import changelog
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.events import audit_verify
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import service

BULK_ROWS = 850
"""Rows added on top of the hostile corpus: about 10,000 change records in all."""


def _fill_region(region: Board) -> None:
    """The hostile corpus, then rows in bulk, then later edits (old values and bases) and a row taken off."""
    fill_board(region)
    monday = date(2026, 11, 23)
    levels = [level.key for level in region.template.triage]
    writes = [
        RowWrite(
            Op.ADD,
            values={
                "client_code": f"BK-{number}",
                "triage": levels[number % len(levels)],
                "situation": STORED[number % len(STORED)].value,
                "actions": f"plan {number}",
                "children": True if number % 2 == 0 else None,  # see the report: an added False is not logged
                "evaluation_date": date(2027, 1, 1) + timedelta(days=number % 60),
                "crisis_plan": "exists",
            },
            visits={monday + timedelta(days=d): ("DEN", STORED[(number + d) % len(STORED)].value) for d in (0, 2)},
        )
        for number in range(BULK_ROWS)
    ]
    for start in range(0, len(writes), 250):
        region.write_rows("CSA", writes[start : start + 250], source="test")
    rows = {row.client_code: row.id for row in region.rows()}
    assert rows["BK-1"] is not None and rows["BK-2"] is not None
    region.write_row("MJR", "set", row_id=rows["BK-1"], values={"situation": "later <b>[red]x[/red]</b>"})
    region.write_row("MJR", "set", row_id=rows["BK-1"], values={"situation": "=cmd|' /C calc'!A0"})
    region.write_row("MJR", "off", row_id=rows["BK-2"], values={"off_reason": "Avslutad"})


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Board]]:
    """A region with about 10,000 change records, and two empty sites that trust it."""
    found = make_sites(tmp_path_factory.mktemp("bulk"), ["region", "muni", "slow"])
    _fill_region(found["region"])
    yield found
    for board in found.values():
        board.close()


def _log(board: Board, uid_of_row: bool = True) -> list[tuple[Any, ...]]:
    """Every change record as it travels (rows named by uid, staff by initials), with its old value, by id."""
    with board.engine.connect() as connection:
        return [
            tuple(found)
            for found in connection.exec_driver_sql(
                "SELECT c.origin, c.seq, c.hlc, c.base, c.entity, coalesce(r.uid, s.initials), c.op, c.field, c.old, "
                "c.new, c.author, c.at FROM change_log c LEFT JOIN board_row r ON r.id = c.row_id "
                "LEFT JOIN staff s ON s.id = c.staff_id ORDER BY c.hlc, c.origin"
            )
        ]


def _board(board: Board) -> tuple[Any, ...]:
    """The board as a person sees it, by row uid: every field, every visit, every staff member."""
    rows = {
        row.uid: {
            key: value
            for key, value in row._asdict().items()
            if key not in {"id", "created_at", "updated_at", "created_by", "updated_by"}
        }
        for row in board.rows(include_off=True)
    }
    uid = {row.id: row.uid for row in board.rows(include_off=True)}
    visits = board.visits(date(1900, 1, 1), date(2999, 1, 1))
    flat = sorted((uid[row_id], day, v.staff, v.note) for row_id, days in visits.items() for day, v in days.items())
    staff = sorted(repr(member.model_dump(exclude={"id"})) for member in board.staff(include_inactive=True))
    return rows, flat, staff


def _schema(board: Board) -> list[tuple[str, str, str]]:
    with board.engine.connect() as connection:
        return [
            (str(kind), str(name), str(sql))
            for kind, name, sql in connection.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
            )
        ]


def _sound(board: Board) -> None:
    """The seal recomputed from the tables matches the stored one, its triggers are as made, the file is whole."""
    with board.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert seal.differences(raw) is None
        assert seal.triggers_intact(raw) is None
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    assert audit_verify(board).ok


def test_a_large_bundle_gives_the_senders_board_and_log_and_a_true_seal_by_either_path(
    sites: dict[str, Board], monkeypatch: pytest.MonkeyPatch
) -> None:
    region, muni, slow = sites["region"], sites["muni"], sites["slow"]
    records = len(_log(region))
    assert records >= max(10_000, changelog.BULK_RECORDS)  # the bulk path, its indexes built again after the insert
    # The region's hundreds of rows and visits go the bulk way too (a real one takes it from 5,000 of each).
    monkeypatch.setattr(changelog, "BULK_RECORDS", min(len(region.rows(include_off=True)), changelog.BULK_RECORDS))
    schema = _schema(muni)
    report = service.import_bundle(muni, service.export_bundle(region, "muni").data)
    assert report.applied.applied == records and report.applied.conflicts == []
    assert _board(muni) == _board(region)
    assert _log(muni) == _log(region)
    assert _schema(muni) == schema
    _sound(muni)

    monkeypatch.setattr(changelog, "BULK_RECORDS", records + 1)  # the per-record way, trigger by trigger
    service.import_bundle(slow, service.export_bundle(region, "slow").data)
    assert _log(slow) == _log(muni) and _board(slow) == _board(muni)
    _sound(slow)
    with muni.engine.connect() as bulk, slow.engine.connect() as single:
        query = "SELECT id, row_id, staff_id, source, outcome, old, new FROM change_log ORDER BY id"
        assert bulk.exec_driver_sql(query).all() == single.exec_driver_sql(query).all()
    histories = [[c.model_dump(exclude={"txn"}) for c in board.history(1)] for board in (muni, slow)]
    assert histories[0] == histories[1] and len(histories[0]) >= 6

    # The board goes on as before: an edit there is sealed by the trigger made again, and travels back.
    row = next(row for row in muni.rows() if row.client_code == "BK-3")
    assert row.id is not None
    muni.write_row("ABC", "set", row_id=row.id, values={"situation": "after the sync"})
    _sound(muni)
    service.import_bundle(region, service.export_bundle(muni, "region").data)
    assert next(r.situation for r in region.rows() if r.client_code == "BK-3") == "after the sync"


def _export(region: Board, target: Board, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a real export from the region to `target` (trusted there as `name`)."""
    bundle = service.export_bundle(region, name)
    opened = B.open_bundle(bundle.data, target.site, {region.site_id: region.site.public}, {}, {})
    return opened.header, json.loads(opened.payload)


def _bundle_with(region: Board, muni: Board, name: str, change: Any) -> bytes:
    """The region's real export to `muni`, with `change(changes)` done to its list, signed with the region's key."""
    header, payload = _export(region, muni, name)
    assert len(payload["changes"]) >= 10_000
    change(payload["changes"])
    kept = {name: header[name] for name in ("schema", "ranges", "changes")}
    return forge(region, muni, lambda sealed: sealed.update(kept), B.canonical_json(payload))


def _bad_value(changes: list[list[Any]]) -> None:
    middle = next(c for c in changes[len(changes) // 2 :] if c[7] == "situation")
    middle[8] = "tail \x1b]52;c;aGk=\x07"


def _unknown_row(changes: list[list[Any]]) -> None:
    middle = next(c for c in changes[len(changes) // 2 :] if c[7] == "actions")
    middle[5] = "f" * 32  # a row no change puts on the board


@pytest.mark.parametrize("damage", [_bad_value, _unknown_row], ids=["refused value", "row never added"])
def test_a_bad_record_in_the_middle_of_a_10000_change_bundle_changes_nothing(
    tmp_path: Path, damage: Any, sites: dict[str, Board]
) -> None:
    region, name = sites["region"], damage.__name__.strip("_")
    muni = _fresh(tmp_path / "fresh.db", region, name)
    before, schema = state(muni), _schema(muni)
    data = _bundle_with(region, muni, name, damage)
    with pytest.raises(SyncRefused) as refused:
        service.import_bundle(muni, data)
    assert "nothing was applied" in str(refused.value) and "\n" not in str(refused.value)
    assert state(muni) == before and _schema(muni) == schema
    _sound(muni)
    service.revoke_peer(region, name)
    muni.close()


def test_a_fault_at_every_commit_of_a_large_import_leaves_it_whole_or_undone(
    tmp_path: Path, sites: dict[str, Board]
) -> None:
    """The bulk path's trigger and indexes are made again before the commit: a failed commit (SQLite's own disk I/O
    error at each commit point in turn) leaves the board as it was, trigger and indexes included."""
    region = sites["region"]
    data_for: dict[str, bytes] = {}
    with FaultPoints() as counting:
        muni = _fresh(tmp_path / "count.db", region, "count")
        data_for["count"] = service.export_bundle(region, "count").data
        start = len(counting.labels)
        service.import_bundle(muni, data_for["count"])
        points = counting.labels[start:]
    muni.close()
    service.revoke_peer(region, "count")
    assert any(label.startswith("commit") for label in points), points
    for at, label in enumerate(points, start=1):
        name = f"fault{at}"
        with FaultPoints() as faults:  # the board's connections made here are the ones whose commits count
            muni = _fresh(tmp_path / f"{name}.db", region, name)
            data = service.export_bundle(region, name).data
            before, schema = state(muni), _schema(muni)
            faults.at = len(faults.labels) + at
            with contextlib.suppress(Exception):  # the injected disk I/O error, whatever the import makes of it
                service.import_bundle(muni, data)
            assert len(faults.labels) >= faults.at, label  # the fault did happen
        muni.close()
        muni = Board.unlock(tmp_path / f"{name}.db", "a passphrase for the test")
        assert _schema(muni) == schema, label
        if label.startswith("committed"):
            assert len(muni.rows(include_off=True)) == len(region.rows(include_off=True)), label
        else:
            assert state(muni)[1:] == before[1:], label
        _sound(muni)
        muni.close()
        service.revoke_peer(region, name)


def _fresh(path: Path, region: Board, name: str) -> Board:
    muni, _key = Board.create(path, "a passphrase for the test", template_id="sv", team=name)
    service.trust_peer(muni, "region", region.site.public.key_text())
    service.trust_peer(region, name, muni.site.public.key_text())
    return muni


def test_the_bulk_path_seals_exactly_what_the_triggers_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`append_many` both ways on hostile text (staff records; at a threshold of 1 the log's indexes are built again
    too): the seal folded in is the one recomputed from the table, the trigger and indexes are back as they were."""
    sites = make_sites(tmp_path, ["one", "two"])
    records = [
        ("2026-11-30 08:00:00.000000", "CSA", "test", "staff", None, None, "set", "name", None, entry.value, f"t{i}")
        + (None,) * 5
        for i, entry in enumerate(STORED)
    ]
    for name, threshold in (("one", 1), ("two", len(records) + 1)):
        monkeypatch.setattr(changelog, "BULK_RECORDS", threshold)
        board = sites[name]
        with board.engine.connect() as connection, connection.begin():
            pending: seal.Pending = connection.info["seal"]
            pending.clear()
            changelog.append_many(connection, iter(records), len(records))
            seal.fold(connection.connection.dbapi_connection, pending)
        with board.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert seal.differences(raw) is None and seal.triggers_intact(raw) is None, name
        assert _schema(board) == _schema(sites["two" if name == "one" else "one"]), name
    for board in sites.values():
        board.close()


def test_a_records_hash_is_still_blake2b_of_its_text_personalised_by_its_table() -> None:
    """Seals stored by earlier FactBoards must still verify: the prepared-copy hash is the same BLAKE2b as before."""
    for table in seal.SEALED:
        for entry in STORED[:20]:
            text = json.dumps([1, entry.value, None])
            data = text.encode("utf-8", "surrogatepass")
            expected = hashlib.blake2b(data, digest_size=16, person=table.encode()).digest()
            assert seal.record_hash(table, text) == int.from_bytes(expected, "big"), (table, entry.name)
