"""Sync between sites: real SQLCipher boards in tmp_path exchanging real signed, encrypted bundles."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.boards import NOW, PASSPHRASE
from helpers.faults import FaultPoints
from helpers.sites import Ticker, make_sites, send

from factboard_tui.core.domain.history import describe_change
from factboard_tui.core.errors import FactBoardError, SyncRefused
from factboard_tui.core.security import audit
from factboard_tui.core.security.audit_words import said
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.migrations import LATEST_VERSION
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import compare, service
from factboard_tui.core.sync.merge import DUPLICATE_REASON


def _change_count(board: Board) -> int:
    with board.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM change_log").scalar_one())


@pytest.fixture
def two(tmp_path: Path) -> dict[str, Board]:
    boards = make_sites(tmp_path, ["region", "muni"])
    yield boards
    for board in boards.values():
        board.close()


@pytest.fixture
def three(tmp_path: Path) -> dict[str, Board]:
    boards = make_sites(tmp_path, ["region", "muni", "town"])
    yield boards
    for board in boards.values():
        board.close()


# -- identity and the change log ------------------------------------------------------------------------------------


def test_a_new_board_has_a_site_identity_and_stamps_every_change(two: dict[str, Board]) -> None:
    region = two["region"]
    assert len(region.site_id) == 32 and region.site.name == "region"
    row_id = region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "start"})
    region.set_field("CSA", row_id, "situation", "next")
    region.write_staff("CSA", "ABC", name="Anna")
    history = region.history(row_id)
    assert all(change.origin == region.site_id for change in history)
    with region.engine.connect() as connection:
        seqs = [row[0] for row in connection.exec_driver_sql("SELECT seq FROM change_log ORDER BY id")]
        clocks = [row[0] for row in connection.exec_driver_sql("SELECT hlc FROM change_log ORDER BY id")]
    assert seqs == list(range(1, len(seqs) + 1))
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)
    assert history[-1].base is not None  # the second edit names the value it replaced
    assert region.row(row_id).uid and len(region.row(row_id).uid or "") == 32


def test_a_board_from_before_sync_gets_an_identity_and_its_changes_are_stamped_on_open(tmp_path: Path) -> None:
    board, key = Board.create(tmp_path / "old.db", PASSPHRASE, team="Old", clock=Ticker())
    board.add_row("CSA", {"client_code": "DD-1", "triage": "new"})
    with board.engine.begin() as connection:  # as a board written before sync existed would be
        connection.exec_driver_sql("DELETE FROM board_meta WHERE key LIKE 'site_%'")
        connection.exec_driver_sql("UPDATE change_log SET origin = NULL, seq = NULL, hlc = NULL")
    board.close()
    reopened = Board.open_with_key(tmp_path / "old.db", key)
    try:
        assert reopened.site.name == "Old"
        with reopened.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT origin, seq, hlc FROM change_log ORDER BY id").all()
        assert {row[0] for row in rows} == {reopened.site_id}
        assert [row[1] for row in rows] == list(range(1, len(rows) + 1))
        assert all(row[2] for row in rows)
    finally:
        reopened.close()


def test_trust_refuses_a_damaged_key_and_the_sites_own_key(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    key = muni.site.public.key_text()
    with pytest.raises(Exception, match="damaged or incomplete"):
        service.trust_peer(region, "other", key[:-3] + ("AAA" if not key.endswith("AAA") else "BBB"))
    with pytest.raises(Exception, match="own key"):
        service.trust_peer(region, "me", region.site.public.key_text())
    fingerprint = muni.site.public.fingerprint()
    assert len(fingerprint) == 19 and fingerprint.count("-") == 3


# -- syncing ----------------------------------------------------------------------------------------------------------


def test_two_sites_sync_both_ways_and_end_with_the_same_board(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    first = region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "moved"})
    region.write_staff("CSA", "ABC", name="Anna", discipline="nurse")
    report = send(two, "region", "muni")
    assert report.signer == "region" and report.applied.applied > 0
    row = muni.open_row_by_code("DD-75")
    assert row.situation == "moved" and row.uid == region.row(first).uid
    assert [member.initials for member in muni.staff()] == ["ABC"]
    monday = date(2026, 11, 23)
    muni.write_row("MJR", "set", row_id=row.id, values={"triage": "crisis"}, visits={monday: ("MJR", "home")})
    muni.add_row("MJR", {"client_code": "EE-2", "triage": "stable"})
    send(two, "muni", "region")
    assert region.row(first).triage == "crisis"
    assert region.week_visits(monday)[first][monday].staff == "MJR"
    assert compare.board_state_hash(region) == compare.board_state_hash(muni)
    # The imported changes are in history with their own author, origin and the sync source.
    imported = [c for c in region.history(first) if c.origin == muni.site_id]
    assert imported and all(c.author == "MJR" and c.source == "sync:muni" for c in imported)


def test_a_second_export_sends_only_what_the_peer_has_not_acknowledged(two: dict[str, Board]) -> None:
    region = two["region"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    send(two, "region", "muni")
    send(two, "muni", "region")  # carries muni's acknowledgement
    region.add_row("CSA", {"client_code": "DD-76", "triage": "new"})
    bundle = service.export_bundle(region, "muni")
    assert bundle.changes == 3  # client code, triage, date on of the new row
    assert list(bundle.ranges.values()) == [[4, 6]]


def test_three_sites_relay_changes_through_each_other(three: dict[str, Board]) -> None:
    region, muni, town = three["region"], three["muni"], three["town"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    send(three, "region", "muni")
    muni.set_field("MJR", muni.open_row_by_code("DD-75").id, "actions", "call GP")
    send(three, "muni", "town")  # town never hears from region directly
    assert town.open_row_by_code("DD-75").actions == "call GP"
    town.take_off("TOW", town.open_row_by_code("DD-75").id, "moved away")
    send(three, "town", "region")
    send(three, "region", "muni")
    for board in three.values():
        assert board.rows() == []  # taking off travelled as a tombstone
    hashes = {compare.board_state_hash(board) for board in three.values()}
    assert len(hashes) == 1


def test_concurrent_edits_of_free_text_become_one_conflict_with_the_same_provisional_value(
    two: dict[str, Board],
) -> None:
    region, muni = two["region"], two["muni"]
    row_id = region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "start"})
    send(two, "region", "muni")
    muni_row = muni.open_row_by_code("DD-75").id
    muni.set_field("MJR", muni_row, "situation", "admitted on Monday")
    region.set_field("CSA", row_id, "situation", "discharged Tuesday")
    send(two, "muni", "region")
    send(two, "region", "muni")
    open_here, open_there = service.conflicts(region), service.conflicts(muni)
    assert len(open_here) == len(open_there) == 1
    assert open_here[0].provisional == open_there[0].provisional == region.row(row_id).situation
    assert muni.row(muni_row).situation == region.row(row_id).situation
    assert {c["value"] for c in open_here[0].candidates} == {"admitted on Monday", "discharged Tuesday"}
    # The older edit is in the region's history, marked as not applied.
    lines = [describe_change(change, region.template) for change in region.history(row_id)]
    late = [line for line in lines if line.superseded]
    assert [(line.author, line.new, line.source) for line in late] == [("MJR", "admitted on Monday", "sync:muni")]
    assert late[0].what.endswith("(older, not applied)")
    # A person settles it at the region; the chosen value travels and settles it at the municipality too.
    service.settle_conflict(region, open_here[0].id, "CSA", "admitted on Monday, discharged Tuesday")
    send(two, "region", "muni")
    assert service.conflicts(region) == [] and service.conflicts(muni) == []
    assert muni.row(muni_row).situation == "admitted on Monday, discharged Tuesday"


def _open_conflict(folder: Path) -> tuple[Board, int, int]:
    """A region board with one open conflict over a row's situation (the municipality's board is closed again)."""
    sites = make_sites(folder, ["region", "muni"])
    region, muni = sites["region"], sites["muni"]
    row_id = region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "start"})
    send(sites, "region", "muni")
    muni.set_field("MJR", muni.open_row_by_code("DD-75").id or 0, "situation", "admitted on Monday")
    region.set_field("CSA", row_id, "situation", "discharged Tuesday")
    send(sites, "muni", "region")
    muni.close()
    (conflict,) = service.conflicts(region)
    return region, row_id, conflict.id


def test_settling_a_conflict_is_one_transaction_a_failed_commit_leaves_the_row_and_the_conflict_open(
    tmp_path: Path,
) -> None:
    region, row_id, conflict_id = _open_conflict(tmp_path / "listing")
    region.engine.dispose()  # connections made from here on count their commits
    with FaultPoints() as listing:
        service.settle_conflict(region, conflict_id, "CSA", "chosen")
    region.close()
    commits = [(at, label) for at, label in enumerate(listing.labels, 1) if label.startswith("commit ")]
    assert [label for _at, label in commits] == ["commit region.db"]  # the row and the conflict commit together
    for at, _label in commits:
        board, row_id, conflict_id = _open_conflict(tmp_path / f"fault-{at}")
        before = (board.row(row_id).situation, len(board.history(row_id)))
        board.engine.dispose()
        with FaultPoints(at=at), pytest.raises(FactBoardError):
            service.settle_conflict(board, conflict_id, "CSA", "chosen")
        assert [conflict.id for conflict in service.conflicts(board)] == [conflict_id]  # still to settle
        assert (board.row(row_id).situation, len(board.history(row_id))) == before  # and nothing half-written
        board.close()


def test_trusting_and_revoking_a_peer_are_entered_in_the_audit_log(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    service.revoke_peer(region, "muni")
    service.trust_peer(region, "Muni again", muni.site.public.key_text())
    with region.engine.connect() as connection:
        entries = audit.entries(connection)
        verdict = audit.verify(connection, region.site_id)
    named = [(entry.action, entry.subject, said(entry.detail)) for entry in entries if entry.action.endswith(" peer")]
    site = f"site {muni.site_id[:16]}"
    assert named == [("trust peer", "muni", site), ("revoke peer", "muni", site), ("trust peer", "Muni again", site)]
    assert verdict.ok


def test_an_edit_after_seeing_the_other_is_not_a_conflict(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "start"})
    send(two, "region", "muni")
    muni.set_field("MJR", muni.open_row_by_code("DD-75").id, "situation", "later")
    send(two, "muni", "region")
    assert service.conflicts(region) == [] and region.open_row_by_code("DD-75").situation == "later"


def test_the_same_client_added_at_two_sites_keeps_the_row_added_first(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "region's"})
    muni.add_row("MJR", {"client_code": "DD-75", "triage": "watch", "situation": "muni's"})
    report = send(two, "muni", "region")
    assert report.applied.duplicates_closed == ["DD-75"]
    send(two, "region", "muni")
    send(two, "muni", "region")
    for board in two.values():
        assert [row.situation for row in board.rows()] == ["region's"]
        closed = [row for row in board.rows(include_off=True) if row.date_off]
        assert [row.off_reason for row in closed] == [DUPLICATE_REASON]
    assert compare.board_state_hash(region) == compare.board_state_hash(muni)


def test_a_clock_far_in_the_future_is_flagged(tmp_path: Path) -> None:
    boards = make_sites(tmp_path, ["region", "muni"])
    try:
        boards["muni"].clock = Ticker(NOW + timedelta(days=3))
        boards["muni"].add_row("MJR", {"client_code": "DD-75", "triage": "new"})
        report = send(boards, "muni", "region")
        assert report.warnings and "far ahead" in report.warnings[0] and "muni" in report.warnings[0]
    finally:
        for board in boards.values():
            board.close()


# -- refusals: nothing applied, a clear reason -------------------------------------------------------------------------


def _refused(board: Board, data: bytes, reason: str) -> SyncRefused:
    before = (compare.board_state_hash(board), _change_count(board))
    with pytest.raises(SyncRefused) as caught:
        service.import_bundle(board, data)
    assert caught.value.reason == reason, str(caught.value)
    assert (compare.board_state_hash(board), _change_count(board)) == before
    return caught.value


def test_flipping_any_sampled_byte_of_a_bundle_is_refused(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    for number in range(1, 30):
        region.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new", "situation": "x" * 40})
    data = service.export_bundle(region, "muni").data
    header_end = 8 + 64 + 4 + int.from_bytes(data[72:76], "big")
    offsets = sorted(
        {0, 3, 6, 7}  # magic and format
        | set(range(8, 72, 7))  # signature
        | set(range(72, 76))  # header length
        | set(range(76, header_end, max(1, (header_end - 76) // 25)))  # header
        | set(range(header_end, len(data), max(1, (len(data) - header_end) // 40)))  # ciphertext
        | {len(data) - 1}
    )
    for offset in offsets:
        flipped = bytearray(data)
        flipped[offset] ^= 0x01
        with pytest.raises(SyncRefused):
            service.import_bundle(muni, bytes(flipped))
    assert muni.rows() == [] and _change_count(muni) == 0
    service.import_bundle(muni, data)  # the untouched bundle still imports
    assert len(muni.rows()) == 29


def test_truncated_and_extended_bundles_are_refused(two: dict[str, Board]) -> None:
    two["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    data = service.export_bundle(two["region"], "muni").data
    for cut in (len(data) - 1, len(data) // 2, 80, 10):
        with pytest.raises(SyncRefused):
            service.import_bundle(two["muni"], data[:cut])
    _refused(two["muni"], data + b"\x00", "signer")
    _refused(two["muni"], b"not a bundle at all", "invalid")


def test_an_unknown_or_revoked_signer_is_refused(tmp_path: Path, two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    stranger, _ = Board.create(tmp_path / "stranger.db", PASSPHRASE, team="stranger", clock=Ticker())
    try:
        service.trust_peer(stranger, "muni", muni.site.public.key_text())
        stranger.add_row("XYZ", {"client_code": "DD-1", "triage": "new"})
        message = _refused(muni, service.export_bundle(stranger, "muni").data, "signer")
        assert "trust" in str(message)
    finally:
        stranger.close()
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    data = service.export_bundle(region, "muni").data
    service.revoke_peer(muni, "region")
    assert "revoked" in str(_refused(muni, data, "revoked"))
    service.trust_peer(muni, "region", region.site.public.key_text())
    service.import_bundle(muni, data)


def test_a_bundle_for_another_site_or_written_here_is_refused(three: dict[str, Board]) -> None:
    three["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    data = service.export_bundle(three["region"], "muni").data
    assert "not addressed to this site" in str(_refused(three["town"], data, "recipient"))
    _refused(three["region"], data, "own")


def test_a_replayed_bundle_changes_nothing(two: dict[str, Board]) -> None:
    two["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    data = service.export_bundle(two["region"], "muni").data
    service.import_bundle(two["muni"], data)
    assert "already imported" in str(_refused(two["muni"], data, "replay"))
    # A different bundle carrying the same changes again skips them.
    again = service.import_bundle(two["muni"], service.export_bundle(two["region"], "muni").data)
    assert again.applied.applied == 0 and again.applied.skipped == 3


def test_a_bundle_that_skips_sequence_numbers_names_what_is_missing(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    send(two, "region", "muni")
    send(two, "muni", "region")
    region.add_row("CSA", {"client_code": "DD-76", "triage": "new"})
    with region.engine.begin() as connection:  # as if muni had acknowledged more than it holds (a restored backup)
        connection.exec_driver_sql("UPDATE sync_ack SET seq = seq + 2 WHERE origin = ?", (region.site_id,))
    message = _refused(muni, service.export_bundle(region, "muni").data, "gap")
    assert "skips changes 4–5 of region" in str(message)


def test_a_different_bundle_reusing_sequence_numbers_is_refused(tmp_path: Path) -> None:
    boards = make_sites(tmp_path, ["region", "muni"])
    region_path = tmp_path / "region.db"
    boards["region"].close()
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in tmp_path.glob("region.db*"):
        shutil.copy(path, backup / path.name)
    region = Board.unlock(region_path, PASSPHRASE, clock=Ticker())
    boards["region"] = region
    try:
        region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
        send(boards, "region", "muni")
        restored = Board.unlock(backup / "region.db", PASSPHRASE, clock=Ticker(NOW + timedelta(hours=1)))
        try:
            restored.add_row("CSA", {"client_code": "EE-1", "triage": "watch"})
            message = _refused(boards["muni"], service.export_bundle(restored, "muni").data, "reuse")
            assert "reuses sequence number 1 of region" in str(message)
        finally:
            restored.close()
    finally:
        for board in boards.values():
            board.close()


def _forged(region: Board, muni: Board, header: dict[str, object], payload: dict[str, object] | None = None) -> bytes:
    """A bundle signed with the region's real key (as a newer FactBoard at the region would write it)."""
    fields = {"schema": LATEST_VERSION, "ranges": {}, "changes": 0, "previous": None} | header
    body = payload or {"acks": {}, "changes": [], "site_name": "region"}
    return B.seal(region.site, [muni.site.public], fields, B.canonical_json(body))


def test_a_bundle_from_a_newer_schema_or_format_is_refused(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    message = _refused(muni, _forged(region, muni, {"schema": LATEST_VERSION + 1}), "schema")
    assert "update FactBoard" in str(message)
    # A newer FactBoard signs its own format number (the frame and the signature stay where they are).
    data = _forged(region, muni, {})
    prefix, body = B.MAGIC + (B.FORMAT_VERSION + 1).to_bytes(2, "big"), data[8 + 64 :]
    newer_format = prefix + region.site.signing.sign(prefix + body) + body
    assert "update FactBoard" in str(_refused(muni, newer_format, "format"))


@pytest.mark.parametrize("version", [B.FORMAT_VERSION + 1, 17986, 0, B.FORMAT_VERSION - 1])
def test_a_damaged_format_field_is_told_as_damage_not_as_a_newer_format(two: dict[str, Board], version: int) -> None:
    region, muni = two["region"], two["muni"]
    damaged = bytearray(_forged(region, muni, {}))
    damaged[6:8] = version.to_bytes(2, "big")  # the signature was made over the format written now
    message = str(_refused(muni, bytes(damaged), "invalid"))
    assert f"is damaged: its format field reads {version} where it was signed as {B.FORMAT_VERSION}" in message
    assert "newer" not in message and "update FactBoard" not in message


def test_unknown_tables_fields_and_values_are_refused_whole(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    good = [
        region.site_id,
        1,
        "001795597200000-00000",
        None,
        "row",
        "ab" * 16,
        "add",
        "client_code",
        "DD-1",
        "CSA",
        "2026-11-25 09:00:00.000000",
    ]
    for bad in (
        [*good[:4], "visit_plan", *good[5:]],  # unknown table
        [*good[:7], "password", *good[8:]],  # unknown field
        [*good[:8], "Anna Andersson", *good[9:]],  # a name where a client code belongs
        [*good[:8], 7, *good[9:]],  # not text
        good[:10],  # too short
    ):
        payload = {"acks": {}, "changes": [bad], "site_name": "region"}
        data = _forged(region, muni, {"ranges": {region.site_id: [1, 1]}, "changes": 1}, payload)
        _refused(muni, data, "invalid")
    extra = {"acks": {}, "changes": [], "site_name": "region", "debug": True}
    _refused(muni, _forged(region, muni, {}, extra), "invalid")


def test_export_and_import_report_progress_for_a_progress_bar(two: dict[str, Board]) -> None:
    region = two["region"]
    for number in range(1, 6):
        region.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new"})
    seen: list[tuple[str, int, int]] = []
    bundle = service.export_bundle(region, "muni", progress=lambda *report: seen.append(report))
    assert ("reading changes", 15, 15) in seen and seen[-1] == ("encrypting and signing", 1, 1)
    seen.clear()
    service.import_bundle(two["muni"], bundle.data, progress=lambda *report: seen.append(report))
    assert [stage for stage, *_ in seen] == ["checking changes", "checking changes", "merging", "merging"]
    assert seen[-1] == ("merging", 15, 15)


def test_keeping_the_standing_value_also_settles_the_conflict_at_the_other_site(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    row_id = region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "actions": "start"})
    send(two, "region", "muni")
    muni.set_field("MJR", muni.open_row_by_code("DD-75").id or 0, "actions", "call")
    region.set_field("CSA", row_id, "actions", "visit")
    send(two, "muni", "region")
    send(two, "region", "muni")
    standing = service.conflicts(muni)[0].provisional
    service.settle_conflict(muni, service.conflicts(muni)[0].id, "MJR", standing)
    send(two, "muni", "region")
    assert service.conflicts(region) == [] and service.conflicts(muni) == []
    assert region.row(row_id).actions == standing
    assert compare.board_state_hash(region) == compare.board_state_hash(muni)


def test_the_hybrid_clock_stays_in_order_when_the_wall_clock_stands_still() -> None:
    from factboard_tui.core.sync.hlc import format_hlc, next_hlc

    assert next_hlc(None, 5) == format_hlc(5, 0)
    assert next_hlc(format_hlc(9, 3), 5) == format_hlc(9, 4)  # behind what was seen: count on
    assert next_hlc(format_hlc(9, 3), 10) == format_hlc(10, 0)
    assert next_hlc(format_hlc(9, 99_999), 9) == format_hlc(10, 0)  # counter full: borrow a millisecond


def test_a_corrected_client_code_travels_to_the_other_site_with_the_rows_history(two: dict[str, Board]) -> None:
    region, muni = two["region"], two["muni"]
    row_id = region.add_row("CSA", {"client_code": "DD-57", "triage": "new", "situation": "start"})
    send(two, "region", "muni")
    region.correct_client_code("CSA", row_id, "DD-75", expected="DD-57")  # a typo, fixed on the same row
    send(two, "region", "muni")
    corrected = muni.open_row_by_code("DD-75")
    assert corrected.situation == "start" and [row.client_code for row in muni.rows()] == ["DD-75"]
    assert [change.field for change in muni.history(corrected.id or 0)][-1] == "client_code"
    assert compare.board_state_hash(region) == compare.board_state_hash(muni)
