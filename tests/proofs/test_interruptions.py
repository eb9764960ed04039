"""Operations cut off between their renames, and what they leave, on real boards and real killed processes.

Each scenario is one that lost a board, or kept one closed, before operations were journalled: a re-key killed
right after its database rename, then one wrong passphrase; a restore killed between any two renames; a close
request left by a killed re-key; a backup or re-key killed while SQLite wrote its copy. The commands run in
processes forked from a zygote (tests/helpers/fault_runner.py) that SIGKILL themselves at the chosen point.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.boards import NOW, PASSPHRASE, snapshot_files
from helpers.faults import Run, Zygote
from helpers.pilot import until
from helpers.teams import Team

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import WrongKey
from factboard_tui.core.security.keys import parse_recovery_key
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.widgets.board_grid import BoardGrid

CODE = "QZ-17"
WRONG = "not the passphrase at all"


@pytest.fixture
def team(tmp_path: Path) -> Team:
    """A board with two clients, closed, its daily backups switched off (the scenarios make their own)."""
    made = Team(tmp_path)
    board, _key = Board.create(made.db, PASSPHRASE, template_id="sv", team="FACT Test", clock=frozen_clock(NOW))
    board.add_row("CSA", {"client_code": CODE, "triage": "Kris", "situation": "Orolig natt."})
    board.add_row("CSA", {"client_code": "AB-12", "triage": "Stabil"})
    board.close()
    made.config.write_text("[backups]\ndaily = false\n", encoding="utf-8")
    return made


def codes(run: Run) -> list[str]:
    assert run.code == 0, run.stderr
    return sorted(row["client_code"] for row in json.loads(run.stdout))


def points_of(zygote: Zygote, team: Team, args: Callable[[Team], list[str]]) -> list[str]:
    """The fault points of `factboard ARGS`, from a run on a copy of the team's folder."""
    dry = team.copy("dry")
    found = zygote.run(args(dry), dry.env(FACTBOARD_DB=str(dry.db)))
    assert found.code == 0, found.stderr
    return found.points


def cut_off_after(
    zygote: Zygote, team: Team, args: Callable[[Team], list[str]], label: str, action: str = "kill", nth: int = 1
) -> Run:
    """Run `factboard ARGS` on the team's board, killed (or failing) right after the `nth` point whose label starts
    with `label` (at the point that follows it)."""
    return at_point(zygote, team, args, label, action, nth, after=1)


def at_point(
    zygote: Zygote, team: Team, args: Callable[[Team], list[str]], label: str, action: str, nth: int, after: int
) -> Run:
    """`factboard ARGS` on the team's board with its fault `after` points past the `nth` one labelled `label…`."""
    found = points_of(zygote, team, args)
    at = [index for index, point in enumerate(found, 1) if point.startswith(label)][nth - 1] + after
    run = zygote.run(args(team), team.env(), at=at, action=action)
    assert run.killed == (action == "kill"), run.stderr
    return run


def backup_into(zygote: Zygote, team: Team, folder: Path) -> Path:
    """A backup of the team's board, taken with `factboard backup -o FOLDER`."""
    assert zygote.run(["backup", "-o", str(folder)], team.env()).code == 0
    (backup,) = folder.glob("board-*.db")
    return backup


def restore_cut_off_after_moving_the_board_aside(zygote: Zygote, team: Team, folder: Path) -> None:
    """A backup, then a client added (CC-3), then `factboard restore` of the backup killed right after it moved the
    board aside: no board in its place."""
    backup = backup_into(zygote, team, folder)
    with Board.unlock(team.db, PASSPHRASE) as board:
        board.add_row("CSA", {"client_code": "CC-3", "triage": "Stabil"})  # not in the backup
    cut_off_after(zygote, team, lambda _where: ["restore", str(backup)], "replace board.db -> board.db.before-restore-")
    assert not team.db.exists()


def wrong_then_right(zygote: Zygote, team: Team) -> list[str]:
    """The next starts: a wrong passphrase first (refused), then the right one; the client codes it shows."""
    wrong = zygote.run(["rows", "list"], team.env(FACTBOARD_PASSPHRASE=WRONG))
    assert wrong.code == 3 and "Wrong passphrase" in wrong.stderr, wrong.stderr
    return codes(zygote.run(["rows", "list", "--json"], team.env()))


def rekey(where: Team) -> list[str]:
    return ["rekey", "--recovery-key-out", str(where.folder / "new-recovery-key.txt")]


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_a_rekey_cut_off_after_its_database_rename_survives_a_wrong_passphrase(zygote: Zygote, team: Team) -> None:
    recovery_file = team.folder / "new-recovery-key.txt"
    cut_off_after(zygote, team, rekey, "replace board.db.rekeying -> board.db")
    # The new key slot survives the wrong passphrase, and the right one finishes the re-key.
    assert wrong_then_right(zygote, team) == ["AB-12", CODE]
    # The new recovery key was written to its file before the rename, and it is the key that opens the board now.
    new_key = parse_recovery_key(" ".join(recovery_file.read_text(encoding="utf-8").splitlines()[1:]))
    with Board.open_with_key(team.db, new_key) as reopened:
        assert reopened.open_row_by_code(CODE).situation == "Orolig natt."
    assert team.leftovers() == []
    assert zygote.run(["doctor"], team.env()).code == 0


def test_a_restore_cut_off_after_any_of_its_renames_is_finished_by_the_next_start(
    zygote: Zygote, team: Team, tmp_path: Path
) -> None:
    backup = backup_into(zygote, team, tmp_path / "safe")
    with Board.unlock(team.db, PASSPHRASE) as board:
        board.take_off("CSA", board.open_row_by_code(CODE).id or 0, "Utskriven")  # the backup still has it
    template = team.copy("template")
    found = zygote.run(["restore", str(backup)], template.env(FACTBOARD_DB=str(template.db)))
    # The renames of the board's own files (those of temporary files into staged copies come before the commit).
    renames = [point for point in found.points if point.startswith("replace board.db")]
    assert len(renames) == 4, found.points  # the board and its slot aside, the backup and its slot in place
    for nth, label in enumerate(renames):
        shutil.rmtree(team.folder)
        shutil.copytree(template.folder, team.folder)
        run = zygote.run(["restore", str(backup)], team.env(), at=found.points.index(label) + 2, action="kill")
        assert run.killed, (label, run.stderr)
        on_board = wrong_then_right(zygote, team)
        assert on_board in (["AB-12"], ["AB-12", CODE]), (nth, label, on_board)  # before, or after: never lost
        assert team.leftovers() == [], (label, team.leftovers())
        assert zygote.run(["doctor"], team.env()).code == 0, label


def start_asking_to_close(team: Team) -> subprocess.Popen[str]:
    """A process that asks for the board the way a restore or re-key does, and waits (the test holds it open)."""
    script = (
        "import sys; from pathlib import Path; from factboard_tui.core.security import locks; "
        "sys.stdout.write('asking\\n'); sys.stdout.flush(); "
        f"locks.exclusive_access(Path({str(team.db)!r}), wait=60).__enter__()"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "asking\n"
    return process


def test_a_close_request_whose_maker_was_killed_closes_nothing_and_the_next_start_removes_it(team: Team) -> None:
    holder = Board.unlock(team.db, PASSPHRASE)  # an open FactBoard: the asking process has to wait for it
    asking = start_asking_to_close(team)
    request = team.db.with_name("board.db.close-request")
    try:
        for _ in range(600):  # the request appears before the maker starts to wait (bounded: 30 s)
            if request.exists():
                break
            time.sleep(0.05)
    finally:
        asking.send_signal(signal.SIGKILL)  # the re-key is killed while it waits: its request stays behind
        asking.wait()
        holder.close()
    left_behind = request.read_bytes()
    shown: list[bool] = []

    async def scenario() -> None:
        board = Board.unlock(team.db, PASSPHRASE)
        app = FactBoardApp(team.db, board=board, user="CSA", clock=frozen_clock(NOW))
        async with app.run_test(size=(120, 40)) as pilot:
            grid = app.screen.query_one(BoardGrid)
            await until(pilot, lambda: grid.row_count == 2, "the board's two rows")
            with Board.unlock(team.db, PASSPHRASE) as elsewhere:  # a colleague adds a client meanwhile
                elsewhere.add_row("MJR", {"client_code": "NEW-1", "triage": "Stabil"})
            await until(pilot, lambda: grid.row_count == 3, "the colleague's row")  # the board's poll sees it
            shown.append(grid.row_count == 3 and app.is_running)

    asyncio.run(scenario())
    assert shown == [True]  # the board stayed open: the request of a killed maker closed nothing
    assert not request.exists()  # the open removed it

    from factboard_tui.core.security.locks import close_requested

    request.write_bytes(left_behind)
    assert not close_requested(team.db)  # what open boards poll: a request whose maker is gone does not count
    doctor = team.cli("doctor", env={"FACTBOARD_CONFIG": str(team.config)})
    assert doctor.returncode == 0, doctor.stderr
    assert "Removed a leftover request to close board.db (its maker (process" in doctor.stdout
    assert not request.exists()


def test_an_old_close_request_is_ignored_even_if_its_maker_still_runs(team: Team) -> None:
    request = team.db.with_name("board.db.close-request")
    made = NOW.timestamp()  # long ago, by this very (running) process
    request.write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename, "made": made, "by": "rekey"}))
    result = team.cli("rows", "list", env={"FACTBOARD_CONFIG": str(team.config)})
    assert result.returncode == 0, result.stderr
    assert "Removed a leftover request to close board.db" in result.stderr
    assert not request.exists()


@pytest.mark.parametrize("command", ["backup", "rekey"])
def test_a_copy_killed_while_sqlite_writes_it_leaves_nothing_after_the_next_start(
    zygote: Zygote, team: Team, command: str
) -> None:
    """SQLite's export writes the copy and its rollback journal (`-journal`); a kill before its COMMIT leaves both."""
    found = points_of(zygote, team, lambda _where: [command])
    export_commit = found.index("commit board.db") + 1  # the export's own COMMIT, on the board's connection
    run = zygote.run([command], team.env(), at=export_commit, action="kill")
    assert run.killed
    left = team.leftovers()
    assert any(name.endswith(("-journal", ".partial", ".rekeying")) for name in left), left  # what a kill leaves
    before = snapshot_files(team.folder / "backups") if (team.folder / "backups").exists() else {}
    next_start = zygote.run(["rows", "list", "--json"], team.env())
    assert codes(next_start) == ["AB-12", CODE]
    assert team.leftovers() == []
    assert "Removed" in next_start.stderr or "undone" in next_start.stderr
    after = snapshot_files(team.folder / "backups") if (team.folder / "backups").exists() else {}
    assert set(after) <= set(before)  # only removed: no backup half made is kept
    assert zygote.run(["doctor"], team.env()).code == 0


def test_the_unlock_screen_finishes_a_cut_off_restore_before_it_takes_a_key(
    zygote: Zygote, team: Team, tmp_path: Path
) -> None:
    from helpers.pilot import text_of, until
    from textual.widgets import Static

    from factboard_tui.tui.screens.board import BoardScreen
    from factboard_tui.tui.screens.unlock import UnlockScreen

    restore_cut_off_after_moving_the_board_aside(zygote, team, tmp_path / "safe")
    seen: dict[str, object] = {}

    async def scenario() -> None:
        app = FactBoardApp(team.db, clock=frozen_clock(NOW))
        async with app.run_test(size=(120, 40)) as pilot:
            assert isinstance(app.screen, UnlockScreen)
            seen["notes"] = text_of(app.screen.query_one("#unlock-notes", Static))
            seen["left before any key"] = team.leftovers()
            await pilot.press(*WRONG, "enter", *"CSA", "enter")
            error = app.screen.query_one("#unlock-error", Static)
            await until(pilot, lambda: "Wrong passphrase" in text_of(error), "the wrong passphrase refused")
            seen["left after the wrong passphrase"] = team.leftovers()
            await pilot.press(*PASSPHRASE, "enter")
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "the board")
            grid = app.screen.query_one(BoardGrid)
            await until(pilot, lambda: grid.row_count == 2, "the restored rows")

    asyncio.run(scenario())
    assert "The restore cut off at" in str(seen["notes"]) and "was finished" in str(seen["notes"])
    assert seen["left before any key"] == [] and seen["left after the wrong passphrase"] == []


@pytest.mark.parametrize(
    ("cut_after", "said"),
    [("commit board.db", "before it took effect, was undone"), ("replace board.db.rekeying -> board.db", "finished")],
)
def test_doctor_as_the_first_start_says_what_it_finished_or_undid(
    zygote: Zygote, team: Team, cut_after: str, said: str
) -> None:
    cut_off_after(zygote, team, rekey, cut_after)
    doctor = zygote.run(["doctor"], team.env())
    assert doctor.code == 0, doctor.stderr
    fixed = [line for line in doctor.stdout.splitlines() if line.startswith("fixed")]
    assert any("The re-key cut off at" in line and said in line for line in fixed), doctor.stdout
    assert any("Removed a leftover request to close board.db (its maker" in line for line in fixed), doctor.stdout
    assert team.leftovers() == []


@pytest.mark.parametrize(
    ("failing", "nth", "said"),
    [("replace .board.db.journal.", 2, "did not happen"), ("replace board.db.rekeying -> board.db", 1, "committed")],
)
def test_a_rekey_that_fails_after_showing_its_key_says_which_key_opens_the_board(
    zygote: Zygote, team: Team, failing: str, nth: int, said: str
) -> None:
    """The disk fails as the re-key's journal commits, or at its first rename after the commit."""
    run = at_point(zygote, team, rekey, failing, action="raise", nth=nth, after=0)
    assert run.code != 0
    assert "New recovery key" in run.stdout  # shown (and written to its file) before the commit
    assert said in run.stderr
    next_start = zygote.run(["rows", "list", "--json"], team.env())
    assert codes(next_start) == ["AB-12", CODE]
    recovery_key = parse_recovery_key(
        " ".join((team.folder / "new-recovery-key.txt").read_text(encoding="utf-8").splitlines()[1:])
    )
    if said == "committed":  # the next start finished it: the key that was shown opens the board
        assert "was finished" in next_start.stderr
        Board.open_with_key(team.db, recovery_key).close()
    else:
        assert next_start.stderr == ""
        with pytest.raises(WrongKey, match=r"The key does not open board\.db"):
            Board.open_with_key(team.db, recovery_key)


def journal_body(team: Team) -> dict[str, object]:
    return dict(json.loads(team.db.with_name("board.db.journal").read_text(encoding="utf-8")))


def write_journal(team: Team, body: dict[str, object], fix_checksum: bool) -> None:
    import hashlib

    if fix_checksum:
        body.pop("checksum")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        body["checksum"] = hashlib.sha256(canonical).hexdigest()
    team.db.with_name("board.db.journal").write_text(json.dumps(body), encoding="utf-8")


@pytest.mark.parametrize("damage", ["a flipped character", "a step out of its folder, checksum fixed up"])
def test_a_damaged_or_tampered_journal_is_one_line_and_changes_nothing(zygote: Zygote, team: Team, damage: str) -> None:
    cut_off_after(zygote, team, rekey, "replace board.db.rekeying -> board.db")
    body = journal_body(team)
    if damage == "a flipped character":
        body["finished"] = str(body["finished"]).replace("new key", "new kez")
        write_journal(team, body, fix_checksum=False)
    else:
        body["steps"] = [["board.db.keyslot.new", "../../outside.keyslot", False]]
        write_journal(team, body, fix_checksum=True)
    team.db.with_name("board.db.close-request").unlink()  # the killed re-key's request: removed at any start
    before = snapshot_files(team.folder)
    refused = team.cli("rows", "list", env={"FACTBOARD_CONFIG": str(team.config)})
    assert refused.returncode == 5
    assert "board.db.journal records an operation that was cut off, but it is damaged" in one_line(refused.stderr)
    assert snapshot_files(team.folder) == before
    assert not (team.root / "outside.keyslot").exists()


def test_a_staged_copy_changed_after_the_commit_is_undone_when_the_renames_can_be_reversed(
    zygote: Zygote, team: Team, tmp_path: Path
) -> None:
    restore_cut_off_after_moving_the_board_aside(zygote, team, tmp_path / "safe")
    staged = team.db.with_name("board.db.restoring")
    data = bytearray(staged.read_bytes())
    data[len(data) // 2] ^= 0x01  # the disk damaged the copy that was to be put in place
    staged.write_bytes(bytes(data))
    next_start = zygote.run(["rows", "list", "--json"], team.env())
    assert codes(next_start) == ["AB-12", "CC-3", CODE]  # the board as it was before the restore
    assert "was undone, because its file board.db.restoring was changed or damaged" in next_start.stderr
    assert team.leftovers() == []


def test_a_staged_copy_changed_after_it_replaced_the_board_is_refused_and_nothing_changes(
    zygote: Zygote, team: Team
) -> None:
    cut_off_after(zygote, team, rekey, "replace board.db.rekeying -> board.db")
    data = bytearray(team.db.read_bytes())
    data[len(data) // 2] ^= 0x01
    team.db.write_bytes(bytes(data))
    team.db.with_name("board.db.close-request").unlink()  # the killed re-key's request: removed at any start
    before = snapshot_files(team.folder)
    refused = team.cli("rows", "list", env={"FACTBOARD_CONFIG": str(team.config)})
    assert refused.returncode == 5
    assert "cannot be finished: its file board.db.rekeying was changed or damaged" in one_line(refused.stderr)
    assert "factboard restore" in refused.stderr
    assert snapshot_files(team.folder) == before


def test_a_start_killed_while_it_finishes_a_restore_is_finished_by_the_next_one(
    zygote: Zygote, team: Team, tmp_path: Path
) -> None:
    """Finishing is made of the same idempotent steps as the operation: a kill at any of them loses nothing."""
    restore_cut_off_after_moving_the_board_aside(zygote, team, tmp_path / "safe")
    template = team.copy("cut-off")
    dry = template.copy("dry-start")
    start = zygote.run(["rows", "list", "--json"], dry.env(FACTBOARD_DB=str(dry.db)))
    finishing = start.points[: start.points.index("unlink board.db.journal") + 2]  # up to the journal's removal
    assert len(finishing) >= 6, start.points  # the renames left, their flushes, the journal's removal
    for at in range(1, len(finishing) + 1):
        shutil.rmtree(team.folder)
        shutil.copytree(template.folder, team.folder)
        killed = zygote.run(["rows", "list"], team.env(), at=at, action="kill")
        assert killed.killed
        assert wrong_then_right(zygote, team) == ["AB-12", CODE], at  # the backup's rows
        (aside,) = team.folder.glob("board.db.before-restore-*[0-9]")
        with Board.unlock(aside, PASSPHRASE) as kept:
            assert kept.open_row_by_code("CC-3").triage == "stable"  # the board before, kept whole
        assert team.leftovers() == [], at


def test_doctor_reports_what_it_finished_in_the_backups_and_what_it_must_leave_alone(
    zygote: Zygote, team: Team
) -> None:
    assert zygote.run(["backup"], team.env(FACTBOARD_NOW="2026-11-25T08:00:00")).code == 0
    (made,) = (team.folder / "backups").glob("board-*.db")
    made.with_name(made.name + ".keyslot").unlink()  # someone deleted a backup's key slot by hand
    found = points_of(zygote, team, lambda _where: ["backup"])
    run = zygote.run(["backup"], team.env(), at=found.index("commit board.db") + 1, action="kill")
    assert run.killed  # a backup killed while SQLite wrote its copy
    request = team.db.with_name("board.db.close-request")
    request.write_text(
        json.dumps({"pid": os.getpid(), "host": os.uname().nodename, "made": time.time(), "by": "rekey"})
    )
    doctor = team.cli("doctor", env={"FACTBOARD_CONFIG": str(team.config)})
    assert doctor.returncode == 0, doctor.stderr
    lines = doctor.stdout.splitlines()
    assert any(line.startswith("fixed  The backup cut off at") and "was undone" in line for line in lines), (
        doctor.stdout
    )
    assert f"note  The backup {made.name} has no key slot beside it" in doctor.stdout
    assert f"note  The re-key (process {os.getpid()}) is asking open FactBoards to close board.db." in doctor.stdout
    assert request.exists()  # a live request is reported, never removed
    assert team.leftovers() == ["board.db.close-request"]


def test_a_damaged_backup_journal_is_reported_and_never_keeps_the_board_closed(zygote: Zygote, team: Team) -> None:
    cut_off_after(zygote, team, lambda _where: ["backup"], "replace .board-", nth=1)  # its journal is written
    (journal,) = (team.folder / "backups").glob("board-*.db.journal")
    journal.write_text(journal.read_text(encoding="utf-8").replace("backup", "backuq", 1), encoding="utf-8")
    before = snapshot_files(team.folder / "backups")
    next_start = zygote.run(["rows", "list", "--json"], team.env())
    assert codes(next_start) == ["AB-12", CODE]
    assert f"{journal.name} records an operation that was cut off, but it is damaged" in next_start.stderr
    assert snapshot_files(team.folder / "backups") == before  # left as found, for a person to look at


def test_a_close_request_counts_only_while_its_maker_runs_and_for_a_minute(team: Team) -> None:
    from factboard_tui.core.security.locks import close_requested

    request = team.db.with_name("board.db.close-request")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    here = os.uname().nodename

    def made_by(pid: int, age: float, host: str = here) -> bool:
        body = {"pid": pid, "host": host, "made": time.time() - age, "by": "restore"}
        request.write_text(json.dumps(body), encoding="utf-8")
        return close_requested(team.db)

    assert made_by(os.getpid(), age=1)  # a restore waiting right now
    assert made_by(os.getpid(), age=50, host="another-machine")  # its process cannot be looked at: the age decides
    assert not made_by(int(gone.stdout), age=1)  # its maker is gone
    assert not made_by(os.getpid(), age=61)  # it should have been answered long ago
    assert not made_by(os.getpid(), age=-3600)  # dated an hour ahead
    request.write_bytes(b"")  # the empty request of an older FactBoard: only its age counts
    assert close_requested(team.db)
    os.utime(request, (time.time() - 120, time.time() - 120))
    assert not close_requested(team.db)
