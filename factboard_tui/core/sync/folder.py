"""Sync through a shared folder that another engine (Syncthing, an SMB share, SFTP, a mail gateway) keeps in step.

Layout: one inbox per site, named by its site id (`sync identity` shows it), so every site agrees on the names
whatever it calls the others locally::

    DIR/<site id>/<sender id>-<UTC time>-<digest>.fbsync            a bundle addressed to that site
    DIR/<site id>/<sender id>-<UTC time>-<digest>.fbsync.minisig    its detached signature, written before it

A round (`SyncFolder.round`) imports every new bundle in this site's own inbox, then writes a bundle into each
trusted peer's inbox that has something new for it (after the import, so it acknowledges what just arrived).

Writing: the signature and then the bundle each go through a temporary dot-name, flushed and renamed (the durable
write the backups use), so a bundle appears whole, with its signature already beside it; a write cut off leaves at
most a signature file no bundle goes with, which no reader looks at. A bundle is written for a peer
when it lacks changes this site has not sent it yet, when this site's acknowledgements changed since it last told
the peer (so the peer stops resending and knows it was heard), or when nothing was sent for a while (a heartbeat,
so the wall's "last heard" stays true while nothing changes).

Reading: a file is read only when two looks at least `settle` seconds apart saw the same size and time, and its
signature file is there and stable too; then the signature must verify over exactly the bytes read, with the key
of a trusted site, before the bundle is opened (whose own signature, address and chain the import checks again).
A file still arriving therefore is never read as a bundle; one that stays broken is refused with its reason.

Nothing another site wrote is ever moved or deleted: moving a file inside a Syncthing folder, or on a share that a
second FactBoard on the same board also reads, is a change every other copy sees and races, and an SFTP or mail
gateway may deliver it again. Instead a local ledger beside the board (`<board>.sync-folder.json`: file names,
sizes, digests, outcomes and reasons; no board data) records what was imported and what was refused and why, and
what was sent to each peer. A site removes only its own bundles, once the peer said it holds every change in them
(keeping the newest), so the folder does not grow for ever. The database stays the authority against importing
twice: every imported bundle's digest is kept there, and a bundle seen again is refused as a replay, which the
ledger records as done.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from factboard_tui.core.diagnosis import os_error
from factboard_tui.core.errors import FactBoardError, SyncRefused
from factboard_tui.core.i18n import _
from factboard_tui.core.security import locks
from factboard_tui.core.security.durable import write_durably
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import minisign, service

SUFFIX = ".fbsync"
SIGNATURE_SUFFIX = ".minisig"
SETTLE_SECONDS = 2.0
"""How long a file must keep its size and time before it is read (a copy in progress grows or is touched)."""
HEARTBEAT = timedelta(hours=6)
"""A bundle goes to each peer at least this often, changes or not, so its wall knows this site is alive."""
LEDGER_FORMAT = "factboard-sync-folder"


@dataclass(frozen=True, slots=True)
class Written:
    """A bundle written into a peer's inbox."""

    peer: str
    path: Path
    changes: int


@dataclass(frozen=True, slots=True)
class Imported:
    """A bundle from the inbox merged into the board."""

    path: Path
    report: service.ImportReport


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file of the inbox not imported in this round: refused for good (`refused`), or left for later."""

    path: Path
    reason: str
    refused: bool


@dataclass
class RoundReport:
    """What one round did."""

    written: list[Written] = field(default_factory=list)
    imported: list[Imported] = field(default_factory=list)
    already: list[Path] = field(default_factory=list)
    """Bundles found in the inbox that were imported before (by this process or another on the same board)."""
    refused: list[Skipped] = field(default_factory=list)
    waiting: list[Skipped] = field(default_factory=list)
    """Files still arriving, or left for the next round by a passing fault (a busy board, a full disk)."""
    busy: bool = False
    """Another round on this board (the TUI's or a `sync watch`) was running: this one did nothing."""


@dataclass(frozen=True, slots=True)
class _Look:
    size: int
    mtime_ns: int
    signature: tuple[int, int] | None
    at: float


def inbox(folder: Path, site_id: str) -> Path:
    """The folder where bundles addressed to a site arrive."""
    return folder / site_id


def ledger_path(board: Board) -> Path:
    """The ledger of the shared folders this board syncs through (beside the board, never in the shared folder)."""
    return board.path.with_name(board.path.name + ".sync-folder.json")


class SyncFolder:
    """Rounds of sync through one shared folder for one open board; keeps its looks at the inbox between rounds."""

    def __init__(
        self,
        board: Board,
        folder: Path,
        settle: float = SETTLE_SECONDS,
        heartbeat: timedelta = HEARTBEAT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.board = board
        self.folder = folder.expanduser()
        self.settle = settle
        self.heartbeat = heartbeat
        self._monotonic = monotonic
        self._looks: dict[str, _Look] = {}
        self._unsaved = False
        """The ledger changed in memory since it was last written."""

    # -- the round --------------------------------------------------------------------------------------------------

    def round(self, wait_for_arrivals: bool = False) -> RoundReport:
        """One round: write what the peers lack, import what arrived. With `wait_for_arrivals` (a single `sync
        run`), files seen for the first time are looked at again after `settle` seconds instead of next round."""
        if not self.folder.is_dir():
            raise FactBoardError(
                _(
                    "The sync folder {folder} does not exist: create it (or mount the share) and check the path "
                    "in --folder or the config's [sync] folder."
                ).format(folder=self.folder)
            )
        report = RoundReport()
        with locks.held(self.board.path.with_name(self.board.path.name + ".sync-round.lock")) as ours:
            if not ours:
                report.busy = True
                return report
            ledger = self._read_ledger()
            self._import_arrivals(ledger, report, wait_for_arrivals)  # first, so what is written acknowledges it
            self._write_for_peers(ledger, report)
        return report

    # -- writing ----------------------------------------------------------------------------------------------------

    def _write_for_peers(self, ledger: dict[str, Any], report: RoundReport) -> None:
        held = _holdings(self.board)
        now = self.board.clock().astimezone(UTC)
        for peer in service.peers(self.board, include_revoked=False):
            sent = ledger["peers"].get(peer.site.site_id, {})
            if self._prune_sent(peer.site.site_id, sent):
                self._write_ledger(ledger)
            if not self._has_news(peer.site.site_id, held, sent, now):
                continue
            exported = service.export_bundle(self.board, peer.name)
            target = inbox(self.folder, peer.site.site_id)
            stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
            path = target / f"{self.board.site_id}-{stamp}-{exported.digest[:16]}{SUFFIX}"
            try:
                target.mkdir(exist_ok=True)
                write_durably(path.with_name(path.name + SIGNATURE_SUFFIX), exported.signature.encode("utf-8"))
                write_durably(path, exported.data)  # last: a bundle that shows up has its signature beside it
            except OSError as error:
                raise os_error(error, path, "bundle") from None
            given = dict(sent.get("sent", {}))
            for origin, (_first, last) in exported.ranges.items():
                given[origin] = max(last, given.get(origin, 0))
            files = dict(sent.get("files", {}))
            files[path.name] = {origin: last for origin, (_first, last) in exported.ranges.items()}
            ledger["peers"][peer.site.site_id] = {
                "sent": given,
                "told": held,
                "at": now.isoformat(),
                "file": path.name,
                "files": files,
            }
            self._write_ledger(ledger)
            report.written.append(Written(peer.name, path, exported.changes))

    def _prune_sent(self, peer: str, sent: dict[str, Any]) -> bool:
        """Remove this site's own bundles from a peer's inbox once the peer holds every change in them (it said so
        in a bundle it wrote), keeping the newest: the folder does not grow for ever. Only files this site wrote
        are ever removed; the engine carries the removal to the peer's copy. True if the ledger changed."""
        files: dict[str, dict[str, int]] = sent.get("files", {})
        acked = _acknowledged(self.board, peer)
        spent = [
            name
            for name, ranges in files.items()
            if name != sent.get("file") and all(acked.get(origin, 0) >= last for origin, last in ranges.items())
        ]
        for name in spent:
            path = inbox(self.folder, peer) / name
            try:
                path.unlink(missing_ok=True)
                path.with_name(name + SIGNATURE_SUFFIX).unlink(missing_ok=True)
            except OSError:
                continue  # a read-only or vanished share: tried again next round
            del files[name]
        # A signature this site wrote whose bundle never followed (a write cut off): no reader looks at it.
        for lone in inbox(self.folder, peer).glob(f"{self.board.site_id}-*{SUFFIX}{SIGNATURE_SUFFIX}"):
            if not lone.with_name(lone.name.removesuffix(SIGNATURE_SUFFIX)).exists():
                lone.unlink(missing_ok=True)
        return bool(spent)

    def _has_news(self, peer: str, held: dict[str, int], sent: dict[str, Any], now: datetime) -> bool:
        """Whether the peer lacks a change not yet sent, was not told the latest acknowledgements, or is due a
        heartbeat."""
        acked = _acknowledged(self.board, peer)
        given = sent.get("sent", {})
        if any(last > max(acked.get(origin, 0), given.get(origin, 0)) for origin, last in held.items()):
            return True
        if sent.get("told") != held:
            return True
        try:
            return now - datetime.fromisoformat(str(sent.get("at"))) >= self.heartbeat
        except (ValueError, TypeError):
            return True

    # -- reading ----------------------------------------------------------------------------------------------------

    def _import_arrivals(self, ledger: dict[str, Any], report: RoundReport, wait_for_arrivals: bool) -> None:
        mine = inbox(self.folder, self.board.site_id)
        pending = self._look(mine, ledger)
        if wait_for_arrivals and any(not self._steady(name, look) for name, look in pending.items()):
            time.sleep(self.settle)
            pending = self._look(mine, ledger)
        keys = {
            minisign.public_key_line(peer.site.verifier()): peer.name
            for peer in service.peers(self.board, include_revoked=False)
        }
        try:
            for name, look in sorted(pending.items()):
                path = mine / name
                if not self._steady(name, look):
                    report.waiting.append(Skipped(path, _("still arriving"), refused=False))
                    continue
                if look.signature is None:
                    report.waiting.append(Skipped(path, _("waiting for its signature file"), refused=False))
                    continue
                self._take(path, look, keys, ledger, report)
        finally:
            if self._unsaved:
                self._unsaved = False
                self._write_ledger(ledger)

    def _look(self, mine: Path, ledger: dict[str, Any]) -> dict[str, _Look]:
        """The inbox's bundles not yet settled in the ledger, with their size and time now (two looks that agree,
        `settle` seconds apart, make a file steady)."""
        try:
            entries = list(os.scandir(mine))
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise os_error(error, mine, "sync folder") from None
        names = {entry.name: entry for entry in entries}
        now = self._monotonic()
        with self.board.engine.connect() as connection:
            merged = set(
                connection.exec_driver_sql("SELECT hash FROM sync_bundle WHERE direction = 'in'").scalars().all()
            )
        found: dict[str, _Look] = {}
        for name, entry in names.items():
            if name.startswith((".", "~")) or not name.endswith(SUFFIX):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                sidecar = names.get(name + SIGNATURE_SUFFIX)
                side = sidecar.stat(follow_symlinks=False) if sidecar is not None else None
            except FileNotFoundError:
                continue
            signature = (side.st_size, side.st_mtime_ns) if side is not None else None
            done = ledger["files"].get(name)
            if (
                done is not None
                and (done.get("size"), done.get("mtime_ns"), done.get("signature"))
                == (info.st_size, info.st_mtime_ns, list(signature) if signature else None)
                and (done.get("outcome") != "done" or done.get("digest") in merged)
            ):
                continue  # imported or refused as it stands; a file changed since is looked at again, and so is
                # one the database no longer holds as merged (a backup restored): the database has the last word
            before = self._looks.get(name)
            key = (info.st_size, info.st_mtime_ns, signature)
            if before is not None and (before.size, before.mtime_ns, before.signature) == key:
                found[name] = before
            else:
                found[name] = self._looks[name] = _Look(info.st_size, info.st_mtime_ns, signature, now)
        for gone in set(self._looks) - set(found):
            del self._looks[gone]
        forgotten = set(ledger["files"]) - set(names)  # removed by their writer once spent: nothing to remember
        for gone in forgotten:
            del ledger["files"][gone]
        self._unsaved |= bool(forgotten)
        return found

    def _steady(self, name: str, look: _Look) -> bool:
        return self._monotonic() - look.at >= self.settle

    def _take(self, path: Path, look: _Look, keys: dict[str, str], ledger: dict[str, Any], report: RoundReport) -> None:
        """Read a steady file, check its signature file over exactly the bytes read, import it; record the outcome."""

        def settle(outcome: str, reason: str, digest: str | None) -> None:
            ledger["files"][path.name] = {
                "size": look.size,
                "mtime_ns": look.mtime_ns,
                "signature": list(look.signature) if look.signature else None,
                "outcome": outcome,
                "reason": reason,
                "digest": digest,
                "at": self.board.clock().astimezone(UTC).isoformat(),
            }
            self._unsaved = True  # written once at the end of the round's reading (the database refuses replays)
            self._looks.pop(path.name, None)

        try:
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                reason = _("not a regular file (a link or a folder): refused, never followed")
                settle("refused", reason, None)
                report.refused.append(Skipped(path, reason, refused=True))
                return
            if info.st_size > B.MAX_BUNDLE_BYTES:
                reason = _("{size} bytes, over the {cap} byte cap of a bundle: refused").format(
                    size=info.st_size, cap=B.MAX_BUNDLE_BYTES
                )
                settle("refused", reason, None)
                report.refused.append(Skipped(path, reason, refused=True))
                return
            data = path.read_bytes()
            signature = path.with_name(path.name + SIGNATURE_SUFFIX).read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return  # taken away meanwhile (the engine replaced it): looked at again next round
        except OSError as error:
            report.waiting.append(Skipped(path, str(os_error(error, path, "incoming bundle")), refused=False))
            return
        if len(data) != look.size:
            self._looks.pop(path.name, None)
            report.waiting.append(Skipped(path, _("still arriving"), refused=False))
            return
        if not any(_verifies(key, data, signature) for key in keys):
            reason = _(
                "its signature file does not verify with any trusted site's key: the file was damaged on the "
                "way or is from a site not trusted here (a new copy of it is looked at again)"
            )
            settle("refused", reason, B.digest(data))
            report.refused.append(Skipped(path, reason, refused=True))
            return
        try:
            imported = service.import_bundle(self.board, data)
        except SyncRefused as refused:
            if refused.reason == "replay":
                settle("done", str(refused), B.digest(data))
                report.already.append(path)
                return
            settle("refused", str(refused), B.digest(data))
            report.refused.append(Skipped(path, str(refused), refused=True))
            return
        except FactBoardError as passing:  # busy, a full disk: nothing applied, tried again next round
            report.waiting.append(Skipped(path, str(passing), refused=False))
            return
        settle("done", "", imported.digest)
        report.imported.append(Imported(path, imported))

    # -- the ledger -------------------------------------------------------------------------------------------------

    def _read_ledger(self) -> dict[str, Any]:
        """This folder's part of the ledger (a missing or unreadable ledger starts empty: the database still
        refuses replays, so the worst is a file read again)."""
        try:
            whole = json.loads(ledger_path(self.board).read_text("utf-8"))
        except (OSError, ValueError):
            whole = {}
        mine = whole.get("folders", {}).get(str(self.folder.resolve())) if isinstance(whole, dict) else None
        if (
            not isinstance(mine, dict)
            or not isinstance(mine.get("files"), dict)
            or not isinstance(mine.get("peers"), dict)
        ):
            mine = {"files": {}, "peers": {}}
        return mine

    def _write_ledger(self, mine: dict[str, Any]) -> None:
        path = ledger_path(self.board)
        try:
            whole = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            whole = {}
        if not isinstance(whole, dict) or not isinstance(whole.get("folders"), dict):
            whole = {"format": LEDGER_FORMAT, "folders": {}}
        whole["folders"][str(self.folder.resolve())] = mine
        try:
            write_durably(path, json.dumps(whole, indent=1, sort_keys=True).encode("utf-8"))
        except OSError as error:
            raise os_error(error, path, "sync ledger") from None


def ledger_entries(board: Board, folder: Path) -> dict[str, dict[str, Any]]:
    """The ledger's record of each file of this site's inbox in `folder` (name -> outcome, reason, digest, time)."""
    files: dict[str, dict[str, Any]] = SyncFolder(board, folder)._read_ledger()["files"]
    return files


def _verifies(key: str, data: bytes, signature: str) -> bool:
    try:
        minisign.verify(key, data, signature)
    except ValueError:
        return False
    return True


def _holdings(board: Board) -> dict[str, int]:
    """The last sequence number this board holds of every origin (held without gaps)."""
    with board.engine.connect() as connection:
        return service.holdings(connection)


def _acknowledged(board: Board, peer: str) -> dict[str, int]:
    """What a peer said it holds, in the last bundle imported from it."""
    with board.engine.connect() as connection:
        return {
            str(origin): int(seq)
            for origin, seq in connection.exec_driver_sql("SELECT origin, seq FROM sync_ack WHERE peer = ?", (peer,))
        }
