"""Sync through a shared folder: real boards in tmp_path, real bundles and signature files in a real folder, files
arriving the way a copy engine delivers them (slowly, in pieces, twice, damaged, as links)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.boards import PASSPHRASE
from helpers.faults import FaultPoints
from helpers.sites import Ticker, sites_in_step

from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.security.backups import restore_backup
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import compare, freshness, minisign, service
from factboard_tui.core.sync import folder as SF
from factboard_tui.settings import load_settings, save_theme


class Looks:
    """A monotonic clock the test moves by hand: the settle time passes only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[dict[str, Board], Ticker]]:
    yield from sites_in_step(tmp_path, ["region", "muni", "town"])


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    path = tmp_path / "shared"
    path.mkdir()
    return path


def _changes(board: Board) -> int:
    with board.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM change_log").scalar_one())


def _bundles_in(board: Board) -> int:
    with board.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM sync_bundle WHERE direction = 'in'").scalar_one())


def _written_for(report: SF.RoundReport, peer: str) -> list[SF.Written]:
    return [item for item in report.written if item.peer == peer]


def _every_file(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_rounds_converge_three_boards_then_fall_quiet(sites: tuple[dict[str, Board], Ticker], shared: Path) -> None:
    boards, _ticker = sites
    rounds = {name: SF.SyncFolder(board, shared, settle=0) for name, board in boards.items()}
    boards["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "Bor hemma"})
    boards["town"].add_row("CSA", {"client_code": "EE-12", "triage": "watch"})
    written = rounds["region"].round().written
    assert sorted(item.peer for item in written) == ["muni", "town"]
    for item in written:  # each into the inbox named by the peer's site id, its signature beside it
        peer = boards[item.peer]
        assert item.path.parent == shared / peer.site_id
        assert item.path.with_name(item.path.name + ".minisig").is_file()
    for _ in range(4):
        for name in ("muni", "town", "region"):
            rounds[name].round()
    hashes = {compare.board_state_hash(board) for board in boards.values()}
    assert len(hashes) == 1
    assert {len(board.rows()) for board in boards.values()} == {2}
    quiet = [rounds[name].round() for name in ("region", "muni", "town")]
    assert [report.written for report in quiet] == [[], [], []], "no bundles ping-pong once every site is in step"
    assert all(not report.imported for report in quiet)
    # Each site removed its own bundles that the peer holds, keeping its newest: the folder does not grow for ever.
    for board in boards.values():
        names = [path.name for path in SF.inbox(shared, board.site_id).glob("*.fbsync")]
        senders = [name.split("-")[0] for name in names]
        assert sorted(senders) == sorted({other.site_id for other in boards.values()} - {board.site_id}), names
        assert set(SF.ledger_entries(board, shared)) == set(names)  # the ledger forgot what its writer removed
        signatures = {path.name for path in SF.inbox(shared, board.site_id).glob("*.minisig")}
        assert signatures == {name + ".minisig" for name in names}


def test_a_quiet_site_still_sends_a_heartbeat_after_the_heartbeat_time(
    sites: tuple[dict[str, Board], Ticker], shared: Path
) -> None:
    boards, ticker = sites
    region = SF.SyncFolder(boards["region"], shared, settle=0, heartbeat=timedelta(hours=6))
    assert len(region.round().written) == 2  # the first round tells every peer what it holds
    assert region.round().written == []
    ticker.now += timedelta(hours=7)
    assert sorted(item.peer for item in region.round().written) == ["muni", "town"]


def test_nothing_is_imported_twice_not_even_a_copy_under_another_name(
    sites: tuple[dict[str, Board], Ticker], shared: Path
) -> None:
    boards, _ticker = sites
    boards["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    (bundle,) = _written_for(SF.SyncFolder(boards["region"], shared, settle=0).round(), "muni")
    muni = SF.SyncFolder(boards["muni"], shared, settle=0)
    assert [item.path for item in muni.round().imported] == [bundle.path]
    before = (_changes(boards["muni"]), _bundles_in(boards["muni"]))
    assert muni.round().imported == []  # the ledger knows it
    # A Syncthing conflict copy, a share's "copy (2)": the same bytes under another name.
    copy = bundle.path.with_name("copy-" + bundle.path.name)
    shutil.copyfile(bundle.path, copy)
    shutil.copyfile(bundle.path.with_name(bundle.path.name + ".minisig"), copy.with_name(copy.name + ".minisig"))
    again = muni.round()
    assert again.imported == [] and again.already == [copy]
    # A second process on the same board, with an empty ledger: the database still refuses the replay.
    SF.ledger_path(boards["muni"]).unlink()
    fresh = SF.SyncFolder(boards["muni"], shared, settle=0).round()
    assert fresh.imported == [] and sorted(fresh.already) == sorted([bundle.path, copy])
    assert (_changes(boards["muni"]), _bundles_in(boards["muni"])) == before


def test_a_file_still_arriving_is_never_read_and_a_stable_broken_one_is_refused_then_looked_at_again(
    sites: tuple[dict[str, Board], Ticker], shared: Path
) -> None:
    boards, _ticker = sites
    boards["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "Bor hemma"})
    exported = service.export_bundle(boards["region"], "muni")
    inbox = SF.inbox(shared, boards["muni"].site_id)
    inbox.mkdir()
    path = inbox / f"{boards['region'].site_id}-slow.fbsync"
    signature = path.with_name(path.name + ".minisig")
    looks = Looks()
    muni = SF.SyncFolder(boards["muni"], shared, settle=2.0, monotonic=looks)
    before = compare.board_state_hash(boards["muni"])
    # The copy engine writes the signature first, then the bundle in pieces, slower than the rounds.
    signature.write_text(exported.signature)
    pieces = [exported.data[start : start + 300] for start in range(0, len(exported.data), 300)]
    assert len(pieces) >= 3
    with path.open("wb") as handle:
        for piece in pieces:
            handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
            report = muni.round()
            assert report.imported == [] and report.refused == [], "a file still growing is never read"
            assert [item.reason for item in report.waiting] == ["still arriving"]
            looks.now += 1.0  # less than the settle time between two pieces
    looks.now += 2.5
    assert [item.path for item in muni.round().imported] == [path]
    assert compare.board_state_hash(boards["muni"]) != before

    # A truncated file that stays truncated, with its signature: refused with the reason, left in place.
    boards["region"].add_row("CSA", {"client_code": "EE-12", "triage": "watch"})
    second = service.export_bundle(boards["region"], "muni")
    broken = inbox / f"{boards['region'].site_id}-broken.fbsync"
    broken.write_bytes(second.data[: len(second.data) // 2])
    broken.with_name(broken.name + ".minisig").write_text(second.signature)
    state = compare.board_state_hash(boards["muni"])
    assert muni.round().waiting  # first look
    looks.now += 3
    refused = muni.round().refused
    assert [item.path for item in refused] == [broken] and "signature" in refused[0].reason
    assert broken.is_file() and compare.board_state_hash(boards["muni"]) == state
    assert SF.ledger_entries(boards["muni"], shared)[broken.name]["outcome"] == "refused"
    looks.now += 3
    assert muni.round().refused == []  # refused once, not every round
    # The engine finishes the copy: the changed file is looked at again, and imported.
    broken.write_bytes(second.data)
    assert muni.round().imported == []
    looks.now += 3
    assert [item.path for item in muni.round().imported] == [broken]


def test_without_its_signature_file_a_bundle_waits(sites: tuple[dict[str, Board], Ticker], shared: Path) -> None:
    boards, _ticker = sites
    boards["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    (bundle,) = _written_for(SF.SyncFolder(boards["region"], shared, settle=0).round(), "muni")
    sidecar = bundle.path.with_name(bundle.path.name + ".minisig")
    kept = sidecar.read_bytes()
    sidecar.unlink()
    muni = SF.SyncFolder(boards["muni"], shared, settle=0)
    report = muni.round()
    assert report.imported == [] and report.refused == []
    assert [item.reason for item in report.waiting] == ["waiting for its signature file"]
    sidecar.write_bytes(kept)
    assert [item.path for item in muni.round().imported] == [bundle.path]


def test_hostile_files_in_the_inbox_are_refused_never_followed_and_never_moved(
    sites: tuple[dict[str, Board], Ticker], shared: Path, tmp_path: Path
) -> None:
    boards, _ticker = sites
    inbox = SF.inbox(shared, boards["muni"].site_id)
    inbox.mkdir()
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not for the sync")
    (inbox / "link.fbsync").symlink_to(secret)
    (inbox / "link.fbsync.minisig").write_text("untrusted comment: x\nAAAA\ntrusted comment: x\nAAAA\n")
    (inbox / "junk.fbsync").write_bytes(b"\x1b[31m not a bundle")
    (inbox / "junk.fbsync.minisig").write_text("nonsense")
    with (inbox / "huge.fbsync").open("wb") as huge:  # a sparse file over the cap: refused without being read
        huge.truncate(SF.B.MAX_BUNDLE_BYTES + 1)
    (inbox / "huge.fbsync.minisig").write_text("nonsense")
    (inbox / ".partial-copy.fbsync").write_bytes(b"temp")  # an engine's temporary name: never looked at
    (inbox / "notes.txt").write_text("hello")
    files = _every_file(shared)
    before = compare.board_state_hash(boards["muni"])
    report = SF.SyncFolder(boards["muni"], shared, settle=0).round()
    reasons = {item.path.name: item.reason for item in report.refused}
    assert set(reasons) == {"link.fbsync", "junk.fbsync", "huge.fbsync"}
    assert "link" in reasons["link.fbsync"] and "signature" in reasons["junk.fbsync"]
    assert "cap" in reasons["huge.fbsync"]
    assert {name: data for name, data in _every_file(shared).items() if name.startswith(boards["muni"].site_id)} == {
        name: data for name, data in files.items() if name.startswith(boards["muni"].site_id)
    }, "nothing in the inbox is moved, changed or deleted"
    assert compare.board_state_hash(boards["muni"]) == before


def test_the_ledger_holds_no_board_data(sites: tuple[dict[str, Board], Ticker], shared: Path) -> None:
    boards, _ticker = sites
    boards["region"].add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "Bor hemma ensam"})
    SF.SyncFolder(boards["region"], shared, settle=0).round()
    SF.SyncFolder(boards["muni"], shared, settle=0).round()
    for name in ("region", "muni"):
        text = SF.ledger_path(boards[name]).read_text()
        assert "DD-75" not in text and "Bor hemma" not in text
        assert os.stat(SF.ledger_path(boards[name])).st_mode & 0o077 == 0


def test_a_missing_folder_is_one_clear_error(sites: tuple[dict[str, Board], Ticker], tmp_path: Path) -> None:
    boards, _ticker = sites
    with pytest.raises(Exception, match="does not exist"):
        SF.SyncFolder(boards["region"], tmp_path / "not-mounted").round()


def test_freshness_counts_from_when_a_peer_wrote_and_follows_the_templates_hours(
    sites: tuple[dict[str, Board], Ticker],
) -> None:
    boards, ticker = sites
    region = boards["region"]
    boards["muni"].add_row("MJR", {"client_code": "DD-75", "triage": "new"})
    bundle = service.export_bundle(boards["muni"], "region")
    written = ticker.now
    ticker.now += timedelta(hours=25)  # the bundle lay in a share for a day before it was merged
    service.import_bundle(region, bundle.data)
    heard = {item.name: item for item in freshness.heard_from(region)}
    assert heard["muni"].at is not None and abs(heard["muni"].at - written) < timedelta(seconds=5)
    assert heard["muni"].stale and heard["town"].at is None and heard["town"].stale
    region.template = replace(region.template, sync_stale_hours=48)
    assert not {item.name: item for item in freshness.heard_from(region)}["muni"].stale
    # A board whose template copy is older than the key keeps working, with 24 hours.
    copy = json.loads(region.template.to_json())
    del copy["sync_stale_hours"]
    assert BoardTemplate.from_json(json.dumps(copy)).sync_stale_hours == 24
    now = ticker.now
    ages = [now, now - timedelta(minutes=5), now - timedelta(hours=26), now - timedelta(days=3), None]
    assert [freshness.age_text(at, now) for at in ages] == ["just now", "5 min ago", "26 h ago", "3 days ago", "never"]


def _inbox_is_clean(board: Board, shared: Path, senders: dict[str, Board]) -> None:
    """Every bundle a reader can see in the inbox is whole, with a signature that verifies over it."""
    keys = [minisign.public_key_line(sender.site.public.verifier()) for sender in senders.values()]
    for path in SF.inbox(shared, board.site_id).glob("*.fbsync"):
        signature = path.with_name(path.name + ".minisig").read_text()
        assert any(SF._verifies(key, path.read_bytes(), signature) for key in keys), path.name


def test_a_fault_at_any_write_of_a_round_leaves_no_partial_bundle_and_the_next_round_mends_it(
    sites: tuple[dict[str, Board], Ticker], shared: Path
) -> None:
    boards, _ticker = sites
    region, muni = boards["region"], boards["muni"]
    for board in (region, muni):
        board.engine.dispose()  # connections made from here on count their commits
    region.add_row("CSA", {"client_code": "DD-00", "triage": "new"})
    with FaultPoints() as listing:
        SF.SyncFolder(region, shared, settle=0).round()
        SF.SyncFolder(muni, shared, settle=0).round()
    points = len(listing.labels)
    assert any(label.startswith("replace .") for label in listing.labels)
    assert any(label.startswith("commit ") for label in listing.labels)
    for at in range(1, points + 1):
        region.add_row("CSA", {"client_code": f"DD-{at:02d}", "triage": "new"})
        with FaultPoints(at=at), contextlib.suppress(FactBoardError, OSError):
            SF.SyncFolder(region, shared, settle=0).round()
            SF.SyncFolder(muni, shared, settle=0).round()
        _inbox_is_clean(muni, shared, {"region": region})
        _inbox_is_clean(region, shared, {"muni": muni})
        mended = [SF.SyncFolder(board, shared, settle=0).round() for board in (region, muni, region, muni)]
        assert not any(report.refused for report in mended), at
        lone = [path for path in shared.rglob("*.minisig") if not path.with_suffix("").exists()]
        assert lone == [], "a signature left alone by a cut-off write is removed by its writer's next round"
        assert compare.board_state_hash(region) == compare.board_state_hash(muni), f"fault at {listing.labels[at - 1]}"
    with muni.engine.connect() as connection:
        imported = connection.exec_driver_sql("SELECT hash FROM sync_bundle WHERE direction = 'in'").scalars().all()
    assert len(imported) == len(set(imported))
    assert {row.client_code for row in muni.rows()} == {f"DD-{at:02d}" for at in range(points + 1)}


def test_after_a_backup_is_restored_the_bundles_it_lacks_are_merged_again(
    sites: tuple[dict[str, Board], Ticker], shared: Path, tmp_path: Path
) -> None:
    boards, ticker = sites
    region, muni = boards["region"], boards["muni"]
    backup, _checked = muni.backup(tmp_path / "backups", keep=5)  # before the region's bundle arrives
    region.add_row("CSA", {"client_code": "DD-75", "triage": "new"})
    SF.SyncFolder(region, shared, settle=0).round()
    assert SF.SyncFolder(muni, shared, settle=0).round().imported
    muni.close()
    restore_backup(muni.path, backup, PASSPHRASE, ticker())
    restored = Board.unlock(muni.path, PASSPHRASE, clock=ticker)
    boards["muni"] = restored  # closed by the fixture
    assert restored.rows() == []  # the restored board lacks the row; the ledger still says its bundle was merged
    again = SF.SyncFolder(restored, shared, settle=0).round()
    assert len(again.imported) == 1 and again.already == []
    assert [row.client_code for row in restored.rows()] == ["DD-75"]


def test_the_config_sync_table_is_read_strictly(tmp_path: Path) -> None:
    config = tmp_path / "factboard.toml"
    config.write_text('[sync]\nfolder = "~/Sync/factboard"\nevery = 30\n')
    read = load_settings(config).sync
    assert read.folder == Path.home() / "Sync" / "factboard" and read.every == 30
    assert load_settings(tmp_path / "none.toml").sync.folder is None
    for table, words in [
        ('folder = "relative/path"', "full path"),
        ("every = 1", "sync.every"),
        ('every = "60"', "sync.every"),
        ('folders = "/x"', "[sync] with folder"),
    ]:
        config.write_text(f"[sync]\n{table}\n")
        with pytest.raises(FactBoardError, match=re.escape(words)):
            load_settings(config)
    config.write_text('user = "CSA"\n\n[sync]\nfolder = "/srv/sync"\n')
    save_theme("factboard-light", config)  # writing another setting keeps the table
    assert load_settings(config).sync.folder == Path("/srv/sync")
