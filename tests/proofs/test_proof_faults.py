"""Proof by exhaustion: every rename, fsync and commit of every operation that changes several files, failed in turn.

Random kills almost never land between two renames, so this proof does not pick moments: it walks them all, as
SQLite's own I/O-error tests do. For each operation (re-key, restore, backup, the daily backup, import, sync
import, purge) a run without faults lists its points (every `os.replace`, `os.rename`, `os.unlink`, `os.fsync`
and database commit, counted by tests/helpers/faults.py). Then, for every point k, the operation runs again on a
fresh copy of the same folder, in a process forked from a zygote (tests/helpers/fault_runner.py), and

- is killed with SIGKILL at point k (no cleanup runs: what a power cut or `kill -9` leaves), and, separately,
- meets an I/O error at point k (its own error handling runs, as on a failing disk; the daily backup's errors
  meet the backup's code, which the backup walk covers, so it is walked with kills only).

After each: a wrong passphrase is tried first through the real CLI (refused with exit 3, and the files are then
exactly what the next start makes of them without any passphrase, on a twin copy: the wrong passphrase itself
deleted and renamed nothing); then doctor with the right one passes (every page, structure, audit chain: the
real `factboard doctor` at every fourth kill and the last, its checks in-process otherwise); no journal, staged
copy, partial backup, temporary file or close request is left; and the data is either as before the operation
or as after it, never lost: the board, its key (the old recovery key, or the new one the re-key wrote to its
file), a restore's board kept aside, the backups and their pruning.

The numbers of points walked per operation are printed (`pytest -s`) and written down in the README.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from helpers.boards import NOW, PASSPHRASE, snapshot_files
from helpers.faults import Run, Zygote
from helpers.teams import Team

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import WrongKey
from factboard_tui.core.security.backups import list_backups, recover_backups, recover_board
from factboard_tui.core.security.keys import parse_recovery_key
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service

WRONG = "not the passphrase at all"
TODAY = "2026-11-26T08:00:00"
"""The frozen time of the operations: the day after the template boards were made (and their old backup)."""


@dataclass
class Operation:
    """One operation to walk: how to set its folder up, how to run it, and what before and after look like."""

    name: str
    args: Callable[[Team], list[str]]
    prepare: Callable[[Team, Zygote], None]
    state: Callable[[Team], str]
    """'before' or 'after', read with the raw keys; fails if the folder holds neither."""
    config: str = "[backups]\ndaily = false\nkeep = 1\n"
    actions: tuple[str, ...] = ("kill", "raise")
    keys: dict[str, bytes] = field(default_factory=dict)
    expected: dict[str, object] = field(default_factory=dict)


def codes_of(db: Path, key: bytes) -> list[str]:
    with Board.open_with_key(db, key, integrity=False) as board:  # doctor checked every page already
        return sorted(row.client_code for row in board.rows())


def recovery_key_in(path: Path) -> bytes:
    return parse_recovery_key(" ".join(path.read_text(encoding="utf-8").splitlines()[1:]))


def new_board(team: Team, operation: Operation, *codes: str) -> Board:
    board, key = Board.create(team.db, PASSPHRASE, template_id="sv", team="FACT Test", clock=frozen_clock(NOW))
    for code in codes:
        board.add_row("CSA", {"client_code": code, "triage": "Kris", "situation": f"Text about {code}."})
    operation.keys["board"] = key
    return board


# -- the operations -------------------------------------------------------------------------------------------------


def rekey_operation() -> Operation:
    def prepare(team: Team, _zygote: Zygote) -> None:
        new_board(team, operation, "AB-12", "QZ-17").close()

    def state(team: Team) -> str:
        try:
            assert codes_of(team.db, operation.keys["board"]) == ["AB-12", "QZ-17"]
            return "before"  # the old key, and so the old recovery key, still opens it
        except WrongKey:  # not one page verifies with the old key: the re-key happened
            new_key = recovery_key_in(team.folder / "new-recovery-key.txt")  # written before the first rename
            assert codes_of(team.db, new_key) == ["AB-12", "QZ-17"]
            return "after"

    operation = Operation(
        "re-key",
        lambda team: ["rekey", "--recovery-key-out", str(team.folder / "new-recovery-key.txt")],
        prepare,
        state,
    )
    return operation


def restore_operation() -> Operation:
    def prepare(team: Team, zygote: Zygote) -> None:
        new_board(team, operation, "AB-12", "QZ-17").close()
        assert zygote.run(["backup"], team.env(FACTBOARD_NOW="2026-11-25T08:00:00")).code == 0
        # Then the board changes, and the FactBoard that changed it is killed with the board open: its last edit
        # is only in the -wal file beside the database, which the restore must keep aside with it.
        board = Board.unlock(team.db, PASSPHRASE, clock=frozen_clock(NOW))
        board.take_off("CSA", board.open_row_by_code("QZ-17").id or 0, "Utskriven")
        board.add_row("CSA", {"client_code": "CC-3", "triage": "Stabil"})
        crashed = team.copy("crashed")
        board.close()
        shutil.rmtree(team.folder)
        crashed.folder.rename(team.folder)
        assert team.db.with_name("board.db-wal").stat().st_size > 0

    def state(team: Team) -> str:
        key = operation.keys["board"]
        on_board = codes_of(team.db, key)
        if on_board == ["AB-12", "CC-3"]:
            return "before"
        assert on_board == ["AB-12", "QZ-17"], on_board  # the backup
        (aside,) = team.folder.glob("board.db.before-restore-*[0-9]")
        assert codes_of(aside, key) == ["AB-12", "CC-3"]  # the board as it was, its last edit included
        assert Board.read_slot(aside).board_id == Board.read_slot(team.db).board_id
        return "after"

    def args(team: Team) -> list[str]:
        (backup,) = list_backups(team.db, team.folder / "backups")
        return ["restore", str(backup)]

    operation = Operation("restore", args, prepare, state)
    return operation


def backup_state(operation: Operation) -> Callable[[Team], str]:
    def state(team: Team) -> str:
        made = list_backups(team.db, team.folder / "backups")
        assert len(made) == 1, made  # keep = 1: the new one pruned the old, or nothing changed
        assert codes_of(made[0], operation.keys["board"]) == ["AB-12", "QZ-17"]
        assert codes_of(team.db, operation.keys["board"]) == ["AB-12", "QZ-17"]
        return "after" if "20261126" in made[0].name else "before"

    return state


def with_yesterdays_backup(operation: Operation) -> Callable[[Team, Zygote], None]:
    def prepare(team: Team, zygote: Zygote) -> None:
        new_board(team, operation, "AB-12", "QZ-17").close()
        assert zygote.run(["backup"], team.env(FACTBOARD_NOW="2026-11-25T08:00:00")).code == 0

    return prepare


def backup_operation() -> Operation:
    operation = Operation("backup", lambda _team: ["backup"], lambda *_: None, lambda _team: "")
    operation.prepare, operation.state = with_yesterdays_backup(operation), backup_state(operation)
    return operation


def daily_backup_operation() -> Operation:
    operation = Operation("daily backup", lambda _team: ["rows", "list"], lambda *_: None, lambda _team: "")
    operation.prepare, operation.state = with_yesterdays_backup(operation), backup_state(operation)
    operation.config = "[backups]\ndaily = true\nkeep = 1\n"
    operation.actions = ("kill",)  # an I/O error inside it meets the same code as the backup's, walked with both
    return operation


def import_operation() -> Operation:
    def prepare(team: Team, _zygote: Zygote) -> None:
        new_board(team, operation, "AB-12").close()
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["Patient", "Triage"], ["DD-75", "Kris"], ["EE-2", "Stabil"], ["FF-9", "obs"]])
        (team.folder / "tavlan.csv").write_text(buffer.getvalue(), encoding="utf-8")

    def state(team: Team) -> str:
        on_board = codes_of(team.db, operation.keys["board"])
        assert on_board in (["AB-12"], ["AB-12", "DD-75", "EE-2", "FF-9"]), on_board  # all rows or none
        return "before" if on_board == ["AB-12"] else "after"

    operation = Operation("import", lambda team: ["import", str(team.folder / "tavlan.csv")], prepare, state)
    return operation


def sync_import_operation() -> Operation:
    def prepare(team: Team, _zygote: Zygote) -> None:
        ours = new_board(team, operation, "AB-12")
        theirs, _key = Board.create(
            team.root / "peer" / "muni.db", PASSPHRASE, template_id="sv", team="muni", clock=frozen_clock(NOW)
        )
        service.trust_peer(ours, "muni", theirs.site.public.key_text())
        service.trust_peer(theirs, "region", ours.site.public.key_text())
        for code in ("MU-1", "MU-2"):
            theirs.add_row("MJR", {"client_code": code, "triage": "Stabil", "situation": "from muni"})
        (team.folder / "from-muni.fbsync").write_bytes(service.export_bundle(theirs, "region").data)
        theirs.close()
        ours.close()

    def state(team: Team) -> str:
        on_board = codes_of(team.db, operation.keys["board"])
        assert on_board in (["AB-12"], ["AB-12", "MU-1", "MU-2"]), on_board
        return "before" if on_board == ["AB-12"] else "after"

    operation = Operation(
        "sync import", lambda team: ["sync", "import", str(team.folder / "from-muni.fbsync")], prepare, state
    )
    return operation


def purge_operation() -> Operation:
    def prepare(team: Team, _zygote: Zygote) -> None:
        board = new_board(team, operation, "AB-12", "QZ-17")
        board.take_off("CSA", board.open_row_by_code("QZ-17").id or 0, "Utskriven")
        board.close()

    def state(team: Team) -> str:
        with Board.open_with_key(team.db, operation.keys["board"], integrity=False) as board:
            (gone,) = [row for row in board.rows(include_off=True) if row.client_code == "QZ-17"]
            kept = board.open_row_by_code("AB-12")
        assert kept.situation == "Text about AB-12."  # a row on the board is never purged
        assert gone.situation in ("Text about QZ-17.", None)
        return "before" if gone.situation else "after"

    operation = Operation(
        "purge", lambda _team: ["purge", "--off-board-before", date(2026, 11, 26).isoformat()], prepare, state
    )
    return operation


OPERATIONS = {
    "rekey": rekey_operation,
    "restore": restore_operation,
    "backup": backup_operation,
    "daily_backup": daily_backup_operation,
    "import": import_operation,
    "sync_import": sync_import_operation,
    "purge": purge_operation,
}


# -- the walk ------------------------------------------------------------------------------------------------------


def files(team: Team) -> dict[str, str]:
    """Every file of the folder and its hash, but the count of wrong passphrases (and empty lock files)."""
    return {name: digest for name, digest in snapshot_files(team.folder).items() if not name.endswith(".attempts")}


def check_after_fault(
    zygote: Zygote, work: Team, operation: Operation, verify: dict[str, str], doctor_in_process: bool = False
) -> str:
    """What every fault must leave: a board the next start puts right without a passphrase, that a wrong one
    cannot harm, that opens with the right one and passes doctor, holding the data before or after.

    `doctor_in_process`: doctor's checks (the right passphrase, every page, structure, audit chain) in this
    process instead of the real command (a fork less per point; the real one runs at every fourth kill)."""
    twin = work.copy("twin")
    recover_board(twin.db)  # what a start does before it asks anything (the CLI also looks at the backups)
    recover_backups(twin.db, twin.folder / "backups")
    wrong = zygote.run(["rows", "list"], work.env(FACTBOARD_PASSPHRASE=WRONG) | verify)
    assert wrong.code == 3 and "Wrong passphrase" in wrong.stderr, wrong.stderr
    assert files(work) == files(twin), "the wrong passphrase changed more than the start without one"
    shutil.rmtree(twin.folder)
    if doctor_in_process:
        with Board.unlock(work.db, PASSPHRASE) as board:  # every page verifies
            board.check_structure()
            assert board.audit_verify().problem is None
    else:
        doctor = zygote.run(["doctor"], work.env() | verify)
        assert doctor.code == 0, doctor.stdout + doctor.stderr
    assert work.leftovers() == [], work.leftovers()
    return operation.state(work)


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_every_fault_point_of_an_operation_leaves_the_data_before_or_after(
    name: str, zygote: Zygote, tmp_path: Path
) -> None:
    operation = OPERATIONS[name]()
    template = Team(tmp_path, "template")
    template.folder.mkdir()
    template.config.write_text(operation.config, encoding="utf-8")
    operation.prepare(template, zygote)
    verify = {"FACTBOARD_CONFIG": str(tmp_path / "verify.toml")}  # no daily backup while checking
    (tmp_path / "verify.toml").write_text("[backups]\ndaily = false\n", encoding="utf-8")
    work = Team(tmp_path, "work")

    def fresh() -> None:
        shutil.rmtree(work.folder, ignore_errors=True)
        shutil.copytree(template.folder, work.folder)

    def run(at: int | None, action: str) -> Run:
        fresh()
        return zygote.run(operation.args(work), work.env(FACTBOARD_NOW=TODAY), at=at, action=action)

    clean = run(None, "kill")
    assert clean.code == 0, clean.stdout + clean.stderr
    points = clean.points
    assert check_after_fault(zygote, work, operation, verify) == "after"
    seen: dict[str, set[str]] = {action: set() for action in operation.actions}
    for action in operation.actions:
        for at in range(1, len(points) + 1):
            faulted = run(at, action)
            where = f"{operation.name}, {action} at point {at}/{len(points)} ({points[at - 1]})"
            assert faulted.killed == (action == "kill"), f"{where}: the point was not reached\n{faulted.stderr}"
            real_doctor = action == "kill" and (at % 4 == 1 or at == len(points))  # else its checks in-process
            try:
                seen[action].add(check_after_fault(zygote, work, operation, verify, not real_doctor))
            except AssertionError as error:
                raise AssertionError(f"{where}: {error}") from error
    assert seen["kill"] == {"before", "after"}, seen  # the walk crossed the commit: both sides were seen
    runs = len(points) * len(operation.actions)
    print(f"\n{operation.name}: {len(points)} fault points, {' and '.join(operation.actions)} at each ({runs} runs)")
