"""Proof that tampering with the key slot is detected, and changes nothing.

tests/core/test_keys.py covers a damaged slot (any flipped byte, a cut-off file, a missing one), weakened Argon2id
settings and an edited header (passes, lanes, board id). Here are the deliberate edits that remain: someone who
rewrites the slot's JSON and fixes up its checksum so the file looks intact — more memory, another salt, another
nonce, the wrapped key or the whole slot taken from another board — each through the real CLI as well. The slot's
header is the AEAD's associated data, so every edit either breaks the tag (told as a wrong passphrase: nothing
in the file can tell the two apart) or unwraps another board's key, which does not decrypt this database.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.boards import PASSPHRASE, USER, snapshot_files
from helpers.cli import Cli

from factboard_tui.core.errors import KeySlotTooWeak, WrongKey, WrongPassphrase
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security.keys import KeySlot
from factboard_tui.core.store.board import Board

Edit = Callable[[dict[str, Any], dict[str, Any]], None]
"""Changes a slot's JSON body, given the body of another board's slot to take parts from."""


def rewrite_slot(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Edit the slot's JSON and recompute its checksum, as someone tampering with it deliberately would."""
    body = json.loads(path.read_text(encoding="utf-8"))
    body.pop("checksum")
    edit(body)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    body["checksum"] = hashlib.sha256(canonical).hexdigest()
    path.write_text(json.dumps(body, sort_keys=True, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def two_boards(created: tuple[Board, bytes], tmp_path: Path) -> tuple[Path, Path]:
    """Our board (one row) and another board with the same passphrase in a folder of its own; both closed."""
    board = created[0]
    board.add_row(USER, {"client_code": "DD-75", "triage": "new", "situation": "Slutat ta medicin."})
    board.close()
    other_path = tmp_path / "other" / "board.db"
    other, _key = Board.create(other_path, PASSPHRASE, template_id="sv", team="Other team")
    other.close()
    return board.path, other_path


TAMPERING: dict[str, Edit] = {
    "more memory": lambda body, _other: body["kdf"].update(memory_kib=body["kdf"]["memory_kib"] * 2),
    "another salt": lambda body, other: body["kdf"].update(salt=other["kdf"]["salt"]),
    "another nonce": lambda body, other: body.update(nonce=other["nonce"]),
    "another board's wrapped key": lambda body, other: body.update(wrapped_key=other["wrapped_key"]),
    "another board's key with its salt and nonce": lambda body, other: body.update(
        wrapped_key=other["wrapped_key"], nonce=other["nonce"], kdf=other["kdf"]
    ),
}


@pytest.mark.parametrize("edit", TAMPERING.values(), ids=TAMPERING.keys())
def test_an_edited_slot_with_a_fixed_checksum_does_not_unwrap(two_boards: tuple[Path, Path], edit: Edit) -> None:
    ours, other = two_boards
    other_body = json.loads(key_slot_path(other).read_text(encoding="utf-8"))
    rewrite_slot(key_slot_path(ours), lambda body: edit(body, other_body))
    KeySlot.read(key_slot_path(ours))  # the file itself looks intact: only the tag can tell
    with pytest.raises(WrongPassphrase):
        Board.unlock(ours, PASSPHRASE)


def test_another_boards_whole_slot_is_refused_and_says_so(two_boards: tuple[Path, Path]) -> None:
    ours, other = two_boards
    shutil.copyfile(key_slot_path(other), key_slot_path(ours))
    with pytest.raises(WrongKey, match="another board"):
        Board.unlock(ours, PASSPHRASE)


def _refused_unchanged(cli: Cli, root: Path, exit_code: int, *words: str) -> None:
    """`rows list` and `rows set` exit with `exit_code` and one line naming `words`; no file changes (a
    wrong-passphrase count aside, which is the point of counting)."""
    before = snapshot_files(root)
    for command in (["rows", "list"], ["rows", "set", "DD-75", "actions", "x"]):
        result = cli(*command)
        assert result.returncode == exit_code, result.stderr
        stderr = result.stderr.strip()
        assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
        for word in words:
            assert word in stderr, stderr
        after = {name: digest for name, digest in snapshot_files(root).items() if not name.endswith(".attempts")}
        assert after == before, command


@pytest.mark.parametrize(
    ("tamper", "words", "exit_code"),
    [
        ("weaker", ("below the floor",), 4),
        ("other board id", ("Wrong passphrase",), 3),
        ("another board's wrapped key", ("Wrong passphrase",), 3),
        ("another board's slot", ("not one of its", "another board"), 14),
    ],
)
def test_the_cli_refuses_a_tampered_slot_in_one_line_and_changes_nothing(
    two_boards: tuple[Path, Path], cli: Cli, tmp_path: Path, tamper: str, words: tuple[str, ...], exit_code: int
) -> None:
    ours, other = two_boards
    slot = key_slot_path(ours)
    other_body = json.loads(key_slot_path(other).read_text(encoding="utf-8"))
    if tamper == "weaker":
        rewrite_slot(slot, lambda body: body["kdf"].update(memory_kib=32 * 1024))
    elif tamper == "other board id":
        rewrite_slot(slot, lambda body: body.update(board_id=other_body["board_id"]))
    elif tamper == "another board's wrapped key":
        rewrite_slot(slot, lambda body: body.update(wrapped_key=other_body["wrapped_key"]))
    else:
        shutil.copyfile(key_slot_path(other), slot)
    shutil.rmtree(other.parent)
    _refused_unchanged(cli, tmp_path, exit_code, *words)


def test_tampering_is_refused_before_anything_is_read(two_boards: tuple[Path, Path]) -> None:
    """A weakened slot is refused before Argon2id runs or the database is touched (the floor is checked first)."""
    ours, _other = two_boards
    rewrite_slot(key_slot_path(ours), lambda body: body["kdf"].update(iterations=1))
    with pytest.raises(KeySlotTooWeak):
        Board.unlock(ours, PASSPHRASE)
    assert not ours.with_name(ours.name + ".attempts").exists()  # not counted as a wrong passphrase
