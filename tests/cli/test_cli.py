"""The `factboard` command as a user runs it: real subprocesses on real encrypted boards in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from helpers.boards import PASSPHRASE, snapshot_files
from helpers.cli import Cli, one_line_error

from factboard_tui.core.errors import WrongPassphrase
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security.keys import parse_recovery_key
from factboard_tui.core.store.board import Board

NOW = "2026-11-25T09:00:00"
"""A Wednesday; frozen for the subprocesses that check dates."""
TODAY = "2026-11-25"
MONDAY = "2026-11-23"

PAGE_SIZE = 4096
"""SQLCipher 4's default page size."""


def recovery_text(path: Path) -> str:
    """The recovery key as `init` wrote it to --recovery-key-out (4 lines of 4 groups)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("FactBoard recovery key for board.db")
    return "\n".join(lines[1:5])


# -- a board made once through the CLI, copied for each test ----------------------------------------------------


@pytest.fixture(scope="module")
def base_board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a board made by `init` plus one row, all WAL content checkpointed."""
    root = tmp_path_factory.mktemp("base")
    run = Cli(root / "board.db", home=root, tmpdir=root / "tmpdir")
    run.ok("init", "--team", "FACT Test", "--recovery-key-out", str(root / "recovery.txt"))
    run.ok("rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", "Slutat ta medicin.", "--mon", "DEN")
    return root


@pytest.fixture
def copied(base_board: Path, board_path: Path, tmp_path: Path) -> Path:
    """The base board copied to this test's board_path; returns the recovery-key file."""
    for name in ("board.db", "board.db.keyslot", "recovery.txt"):
        shutil.copyfile(base_board / name, tmp_path / name)
    assert not (tmp_path / "board.db-wal").exists()  # the CLI closed its engine: everything is in board.db
    assert not (tmp_path / "board.db-shm").exists()
    return tmp_path / "recovery.txt"


# -- round trip -------------------------------------------------------------------------------------------------


def test_round_trip(cli: Cli, tmp_path: Path) -> None:
    at = {"FACTBOARD_NOW": NOW}
    recovery_file = tmp_path / "recovery.txt"
    created = cli.ok("init", "--team", "FACT Sjuhärad", "--recovery-key-out", str(recovery_file), env=at)
    assert "Recovery key" in created.stdout
    for line in recovery_text(recovery_file).splitlines():
        assert line in created.stdout  # the file holds exactly the key shown on screen

    cli.ok(
        "rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", "Slutat ta medicin.",
        "--mon", "DEN+MJR", "--category", "Symtomökning", "--children", "nej", env=at,
    )  # fmt: skip
    cli.ok("rows", "set", "DD-75", "actions", "Kommunen följer upp. CSA kontakt på onsdag.", env=at)
    changed = cli.ok("rows", "set", "dd-75", "FVK", "CSA", env=at)
    assert "primary_contact" in changed.stdout and "CSA" in changed.stdout

    cli.ok("rows", "off", "DD-75", "--reason", "Stabil, utskriven till öppenvård", env=at)
    assert json.loads(cli.ok("rows", "list", "--json", env=at).stdout) == []
    everything = json.loads(cli.ok("rows", "list", "--json", "--all", env=at).stdout)
    assert len(everything) == 1
    row = everything[0]
    expected = {
        "client_code": "DD-75",
        "triage": "watch",
        "triage_label": "obs",
        "category": "symptom_increase",
        "category_label": "Symtomökning",
        "children": False,
        "situation": "Slutat ta medicin.",
        "actions": "Kommunen följer upp. CSA kontakt på onsdag.",
        "primary_contact": "CSA",
        "date_on": TODAY,
        "date_off": TODAY,
        "off_reason": "Stabil, utskriven till öppenvård",
        "crisis_plan": None,
        "updated_by": "CSA",
    }
    assert {key: row[key] for key in expected} == expected
    assert row["visits"]["mon"] == {"date": MONDAY, "staff": "DEN+MJR", "note": None}
    assert all(row["visits"][day] is None for day in ("tue", "wed", "thu", "fri", "sat", "sun"))
    assert row["days_on_board"] == 0


def test_staff_add_and_list(cli: Cli, copied: Path) -> None:
    cli.ok("staff", "add", "den", "--name", "Dana Engström", "--discipline", "nurse", "--organisation", "Region")
    staff = json.loads(cli.ok("staff", "list", "--json").stdout)
    assert staff == [
        {"initials": "DEN", "name": "Dana Engström", "discipline": "nurse", "organisation": "region", "active": True}
    ]


# -- user errors ------------------------------------------------------------------------------------------------

USER_ERRORS = {
    "unknown triage": (["rows", "add", "--code", "EE-1", "--triage", "purple"], {}, ["purple", "triage"]),
    "unknown field": (["rows", "set", "DD-75", "favourite", "blue"], {}, ["no field", "favourite"]),
    "no author": (["rows", "set", "DD-75", "actions", "Ring"], {"FACTBOARD_USER": None}, ["--user", "FACTBOARD_USER"]),
    "init over a board": (["init", "--team", "Other"], {}, ["already exists"]),
    "unknown template": (["init", "--db", "new.db", "--template", "xx"], {}, ["'xx'", "sv"]),
    "personal number": (["rows", "add", "--code", "19900101-1234", "--triage", "Kris"], {}, ["national ID"]),
}


@pytest.mark.parametrize("case", list(USER_ERRORS))
def test_user_error_is_one_line_and_changes_nothing(cli: Cli, copied: Path, tmp_path: Path, case: str) -> None:
    args, env, words = USER_ERRORS[case]
    before = snapshot_files(tmp_path)
    one_line_error(cli(*args, env=env), *words)
    assert snapshot_files(tmp_path) == before  # no new board, no new recovery key, no changed row


def test_doctor_on_a_good_board(cli: Cli, copied: Path) -> None:
    result = cli.ok("doctor")
    assert "every page verifies" in result.stdout
    assert "1 row on the board, team FACT Test" in result.stdout
    # Nothing went wrong; the only other line is the day's first backup, said on stderr to keep stdout clean.
    assert [line for line in result.stderr.splitlines() if not line.startswith("First unlock today")] == []


# -- refusals that must leave every file as it was --------------------------------------------------------------


def test_doctor_names_a_broken_reference_and_exits_as_damaged(cli: Cli, copied: Path, board_path: Path) -> None:
    with Board.unlock(board_path, PASSPHRASE) as board, board.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # as a damaged file or a hand edit might leave it
        raw.execute("INSERT INTO visit (row_id, day, staff) VALUES (9999, '2026-11-23', 'DEN')")
        raw.execute("PRAGMA foreign_keys = ON")
    result = cli("doctor")
    assert result.returncode == 5  # the exit code of a damaged database
    one_line_error(result, "1 broken references", "restore a backup")


def refused_unchanged(cli: Cli, root: Path, commands: list[list[str]], *words: str, **env: str) -> None:
    """Each command fails with a one-line message naming `words`, and no file under root changes or appears."""
    before = snapshot_files(root)
    for command in commands:
        one_line_error(cli(*command, env=env), *words)
        assert snapshot_files(root) == before, command


def test_wrong_passphrase_changes_nothing_but_the_count_of_wrong_tries(
    cli: Cli, copied: Path, board_path: Path, tmp_path: Path
) -> None:
    attempts = board_path.with_name(board_path.name + ".attempts")
    before = snapshot_files(tmp_path)
    one_line_error(
        cli("rows", "set", "DD-75", "actions", "x", env={"FACTBOARD_PASSPHRASE": "correct horse battery staple"}),
        "Wrong passphrase",
    )
    after = snapshot_files(tmp_path)
    assert json.loads(attempts.read_text())["failures"] == 1  # a count and a time: no board data
    assert {name: digest for name, digest in after.items() if not name.endswith(".attempts")} == before


def test_repeated_wrong_passphrases_must_wait_longer_and_longer(cli: Cli, copied: Path, board_path: Path) -> None:
    frozen = {"FACTBOARD_NOW": "2026-11-23T08:15:00+00:00"}
    wrong = frozen | {"FACTBOARD_PASSPHRASE": "correct horse battery staple"}
    for _ in range(3):
        one_line_error(cli("rows", "list", env=wrong), "Wrong passphrase")
    # The fourth try, right or wrong, must wait; the message says how long, and nothing is tried meanwhile.
    refused = cli("rows", "list", env=frozen)
    one_line_error(refused, "Too many wrong passphrases", "wait")
    assert refused.returncode == 3
    attempts = board_path.with_name(board_path.name + ".attempts")
    record = json.loads(attempts.read_text())
    assert record["failures"] == 3
    assert "wait 5 s" in refused.stderr
    record["last"] = "2026-11-23T08:14:54+00:00"  # six seconds ago: the wait is over
    attempts.write_text(json.dumps(record))
    assert cli("rows", "list", env=frozen).returncode == 0
    assert not attempts.exists()  # the right passphrase starts the count again


@pytest.mark.parametrize("where", ["page 1", "middle", "last page"])
def test_flipped_byte_in_the_database_changes_nothing(cli: Cli, copied: Path, board_path: Path, where: str) -> None:
    data = bytearray(board_path.read_bytes())
    assert len(data) % PAGE_SIZE == 0 and len(data) >= 3 * PAGE_SIZE
    offset = {"page 1": 100, "middle": len(data) // 2 + 1000, "last page": len(data) - PAGE_SIZE + 1000}[where]
    data[offset] ^= 0x01
    board_path.write_bytes(bytes(data))
    refused_unchanged(cli, board_path.parent, [["rows", "list"], ["doctor"]], "database", "damaged")


def test_missing_key_slot_changes_nothing(cli: Cli, copied: Path, board_path: Path) -> None:
    key_slot_path(board_path).unlink()
    refused_unchanged(cli, board_path.parent, [["rows", "list"]], "missing")


@pytest.mark.parametrize("damage", ["truncated", "flipped byte"])
def test_damaged_key_slot_changes_nothing(cli: Cli, copied: Path, board_path: Path, damage: str) -> None:
    slot = key_slot_path(board_path)
    data = bytearray(slot.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        text = data.decode()
        wrapped = json.loads(text)["wrapped_key"]
        offset = text.index(wrapped) + 5
        data[offset] = ord("A") if data[offset] != ord("A") else ord("B")
    slot.write_bytes(bytes(data))
    refused_unchanged(cli, board_path.parent, [["rows", "list"]], "key slot", "damaged")


# -- the recovery key and passwd --------------------------------------------------------------------------------


def test_recovery_key_opens_the_database_without_the_app(copied: Path, board_path: Path) -> None:
    hex_key = recovery_text(copied).replace(" ", "").replace("\n", "")
    assert len(hex_key) == 64
    connection = sqlcipher3.connect(str(board_path))
    try:
        connection.execute(f"PRAGMA key = \"x'{hex_key}'\"")
        assert connection.execute("SELECT client_code FROM board_row").fetchall() == [("DD-75",)]
    finally:
        connection.close()


def test_passwd_with_the_recovery_key_and_then_the_passphrase(cli: Cli, copied: Path, board_path: Path) -> None:
    slot = key_slot_path(board_path)
    database_before = board_path.read_bytes()
    slot_before = slot.read_bytes()
    recovery = recovery_text(copied)  # as printed: four lines of four groups with spaces

    result = cli.ok(
        "passwd", "--recovery-key",
        env={"FACTBOARD_RECOVERY_KEY": recovery, "FACTBOARD_NEW_PASSPHRASE": "a brand new passphrase",
             "FACTBOARD_PASSPHRASE": None},
    )  # fmt: skip
    assert "New passphrase set" in result.stdout
    assert board_path.read_bytes() == database_before  # only the slot changes
    assert not board_path.with_name("board.db-wal").exists()
    assert slot.read_bytes() != slot_before

    with pytest.raises(WrongPassphrase):
        Board.unlock(board_path, PASSPHRASE)
    listed = json.loads(cli.ok("rows", "list", "--json", env={"FACTBOARD_PASSPHRASE": "a brand new passphrase"}).stdout)
    assert [row["client_code"] for row in listed] == ["DD-75"]

    database_before = board_path.read_bytes()  # `rows list` entered its unlock in the audit log
    cli.ok(
        "passwd",
        env={"FACTBOARD_PASSPHRASE": "a brand new passphrase", "FACTBOARD_NEW_PASSPHRASE": "the third passphrase"},
    )
    assert board_path.read_bytes() == database_before
    with pytest.raises(WrongPassphrase):
        Board.unlock(board_path, "a brand new passphrase")
    cli.ok("doctor", env={"FACTBOARD_PASSPHRASE": "the third passphrase"})
    # The recovery key never changes: it still opens the board after both passphrase changes.
    with Board.open_with_key(board_path, parse_recovery_key(recovery)) as board:
        assert [row.client_code for row in board.rows()] == ["DD-75"]


def test_passwd_with_a_wrong_recovery_key_changes_nothing(cli: Cli, copied: Path, tmp_path: Path) -> None:
    recovery = recovery_text(copied)
    typo = ("1" if recovery[0] != "1" else "2") + recovery[1:]
    before = snapshot_files(tmp_path)
    env = {"FACTBOARD_RECOVERY_KEY": typo, "FACTBOARD_NEW_PASSPHRASE": "a brand new passphrase"}
    message = one_line_error(cli("passwd", "--recovery-key", env=env), "recovery key", "check what you typed")
    assert "restore it from a backup" not in message  # a typo must not send anyone to their backups
    assert snapshot_files(tmp_path) == before  # the slot still holds the key under the old passphrase


# -- no plaintext on disk ---------------------------------------------------------------------------------------

SECRETS = ["QZ-42", "Zebrafinch marmalade 7731", "Återkommande kräftskiva", "Xylophonestad", "Quentin Zappafrank"]


def leaks(data: bytes) -> list[str]:
    """Which of SECRETS appear in `data` (UTF-8, and the client code also as UTF-16-LE)."""
    found = [text for text in SECRETS if text.encode("utf-8") in data]
    if "QZ-42".encode("utf-16-le") in data:
        found.append("QZ-42 (UTF-16-LE)")
    return found


def test_no_plaintext_on_disk_after_cli_writes(cli: Cli, tmp_path: Path, board_path: Path) -> None:
    recovery_file = tmp_path / "recovery.txt"
    cli.ok("init", "--recovery-key-out", str(recovery_file))
    cli.ok(
        "rows", "add", "--code", "QZ-42", "--triage", "Kris", "--situation", "Zebrafinch marmalade 7731",
        "--actions", "Återkommande kräftskiva", "--other-providers", "Xylophonestad",
    )  # fmt: skip
    cli.ok("staff", "add", "QZA", "--name", "Quentin Zappafrank")

    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert board_path in files and key_slot_path(board_path) in files
    assert cli.tmpdir.is_dir()  # every file the subprocesses left in their TMPDIR is among `files`
    for path in files:
        assert leaks(path.read_bytes()) == [], path

    key = parse_recovery_key(recovery_text(recovery_file))
    for path in files:
        if path != recovery_file:
            data = path.read_bytes()
            assert key not in data and key.hex().encode() not in data and key.hex().upper().encode() not in data, path
            assert PASSPHRASE.encode() not in data, path

    with Board.unlock(board_path, PASSPHRASE) as board:  # the texts were really written (they are just encrypted)
        assert [(row.client_code, row.actions) for row in board.rows()] == [("QZ-42", "Återkommande kräftskiva")]
        assert [member.name for member in board.staff()] == ["Quentin Zappafrank"]


def test_no_plaintext_in_an_uncheckpointed_wal(board: Board, board_path: Path) -> None:
    row_id = board.add_row(
        "CSA",
        {
            "client_code": "QZ-42",
            "triage": "Kris",
            "situation": "Zebrafinch marmalade 7731",
            "actions": "Återkommande kräftskiva",
            "other_providers": "Xylophonestad",
        },
    )
    board.write_staff("CSA", "QZA", name="Quentin Zappafrank")
    assert board.row(row_id).situation == "Zebrafinch marmalade 7731"
    wal = board_path.with_name("board.db-wal")
    assert wal.is_file() and wal.stat().st_size > 0  # the writes sit in the WAL, not yet checkpointed
    for path in board_path.parent.iterdir():
        if path.is_file():
            assert leaks(path.read_bytes()) == [], path


# -- the demo board ---------------------------------------------------------------------------------------------


def test_demo_board_is_made_once_and_reset_on_request(cli: Cli, tmp_path: Path) -> None:
    demo = str(tmp_path / "demo.db")
    demo_env = {"FACTBOARD_PASSPHRASE": "factboard-demo"}

    def listed() -> list[dict[str, object]]:
        return json.loads(cli.ok("rows", "list", "--json", "--db", demo, env=demo_env).stdout)

    created = cli.ok("demo", "--db", demo, "--no-open")
    assert "Created" in created.stdout and "factboard-demo" in created.stdout
    first = listed()
    assert len(first) == 10
    assert len({row["client_code"] for row in first}) == 10
    cli.ok("rows", "set", "--db", demo, "DD-75", "actions", "Ändrat i demot", env=demo_env)

    again = cli.ok("demo", "--db", demo, "--no-open")
    assert "Created" not in again.stdout
    with Board.unlock(Path(demo), "factboard-demo") as board:  # the same board, reopened
        assert [row.id for row in board.rows()] == [row["id"] for row in first]
        assert "Ändrat i demot" in [row.actions for row in board.rows()]

    cli.ok("demo", "--db", demo, "--no-open", "--reset")
    third = listed()
    assert len(third) == 10
    assert "Ändrat i demot" not in [row["actions"] for row in third]  # made anew
    assert not (tmp_path / "board.db").exists()  # the demo never touched the default board
