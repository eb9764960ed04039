"""Passphrases: the same passphrase in any Unicode form, and a throttle that no attempts file turns into a lock-out.

`lösenord` typed on a keyboard is NFC; pasted from some programs it is NFD (`o` and a combining diaeresis). Both
must open the board, and a slot made before passphrases were normalised must keep opening and be wrapped again,
without ever losing the slot if that is cut short. Wrong tries are counted and make the next try wait, through
every command that unwraps the key (`passwd`, `restore` and `rekey` too), and whatever `<db>.attempts` says, no
wait is longer than 5 minutes. The clock is frozen with `FACTBOARD_NOW`, so nobody waits in these tests.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from helpers.boards import NOW
from helpers.cli import Cli, one_line_error

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import TooManyAttempts, WrongPassphrase
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security import keys
from factboard_tui.core.security.audit import entries
from factboard_tui.core.security.audit_words import said
from factboard_tui.core.security.keys import MAX_WAIT_SECONDS, KdfParams, KeySlot, UnlockAttempts
from factboard_tui.core.store.board import Board

NFC = "lösenord på tavlan"
NFD = unicodedata.normalize("NFD", NFC)
FROZEN = "2026-11-25T09:00:00+00:00"


def old_slot(key: bytes, raw_passphrase: str, board_id: str) -> KeySlot:
    """A slot as FactBoard wrote it before passphrases were normalised: the key under the passphrase as typed."""
    params = KdfParams(keys.MIN_MEMORY_KIB, keys.MIN_ITERATIONS, keys.DEFAULT_LANES, secrets.token_bytes(16))
    nonce = secrets.token_bytes(12)
    draft = KeySlot(board_id=board_id, kdf=params, nonce=nonce, wrapped_key=b"")
    wrapped = AESGCM(params.derive(raw_passphrase)).encrypt(nonce, key, draft._associated_data())
    return KeySlot(board_id=board_id, kdf=params, nonce=nonce, wrapped_key=wrapped)


def test_a_passphrase_pasted_in_nfd_opens_a_board_made_in_nfc(board_path: Path, cli: Cli) -> None:
    assert NFD != NFC
    board, _key = Board.create(board_path, NFC, clock=frozen_clock(NOW))
    board.close()
    Board.unlock(board_path, NFD).close()
    cli.ok("rows", "list", env={"FACTBOARD_PASSPHRASE": NFD})


def test_a_board_made_with_an_nfd_passphrase_opens_with_nfc(board_path: Path) -> None:
    Board.create(board_path, NFD, clock=frozen_clock(NOW))[0].close()
    Board.unlock(board_path, NFC).close()


def made_with_a_raw_nfd_slot(board_path: Path, raw: str = NFD) -> tuple[bytes, bytes]:
    """A board whose slot an older FactBoard made from the NFD passphrase as typed; returns key and slot bytes."""
    board, key = Board.create(board_path, NFC, clock=frozen_clock(NOW))
    board_id = board.board_id
    board.close()
    old_slot(key, raw, board_id).write(key_slot_path(board_path))
    return key, key_slot_path(board_path).read_bytes()


def test_an_old_slot_from_a_raw_nfd_passphrase_opens_and_is_wrapped_again_in_nfc(board_path: Path) -> None:
    key, before = made_with_a_raw_nfd_slot(board_path)
    with pytest.raises(WrongPassphrase):
        KeySlot.read(key_slot_path(board_path)).open(NFC)  # before: only the raw form opens it
    Board.unlock(board_path, NFD).close()
    after = key_slot_path(board_path).read_bytes()
    assert after != before
    assert KeySlot.read(key_slot_path(board_path)).open(NFC) == (key, False)  # NFC now, at the same cost
    assert KeySlot.read(key_slot_path(board_path)).kdf.memory_kib == KeySlot.from_bytes(before).kdf.memory_kib
    Board.unlock(board_path, NFC).close()  # and typed on a keyboard it opens too


def _fail_on(name: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Make one step of writing the slot fail with a full disk; returns how often it was hit."""
    hits = [0]

    def full(*_args: Any, **_kwargs: Any) -> Any:
        hits[0] += 1
        raise OSError(errno.ENOSPC, "No space left on device")

    target: Any = {"mkstemp": tempfile, "fsync": os, "chmod": os, "replace": os}[name]  # as durable.py calls them
    original = getattr(target, name)

    def only_the_slot(*args: Any, **kwargs: Any) -> Any:
        touches_slot = name in ("fsync",) or any(".keyslot" in str(arg) for arg in (*args, *kwargs.values()))
        return full() if touches_slot else original(*args, **kwargs)

    monkeypatch.setattr(target, name, only_the_slot)
    return lambda: hits[0]


@pytest.mark.parametrize("step", ["mkstemp", "fsync", "chmod", "replace"])
def test_a_rewrap_cut_short_at_any_step_keeps_the_old_slot(
    board_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    key, before = made_with_a_raw_nfd_slot(board_path)
    with monkeypatch.context() as patched:
        hits = _fail_on(step, patched)
        Board.unlock(board_path, NFD).close()  # the unlock itself succeeds
        assert hits() >= 1
    assert key_slot_path(board_path).read_bytes() == before  # the old slot, whole: it still opens
    assert sorted(path.name for path in board_path.parent.iterdir() if ".keyslot" in path.name) == [
        "board.db.keyslot"
    ]  # no half-written slot beside it
    Board.unlock(board_path, NFD).close()  # the next unlock finishes the job
    assert KeySlot.read(key_slot_path(board_path)).open(NFC) == (key, False)


def test_an_old_passphrase_whose_nfc_form_is_too_short_keeps_opening(board_path: Path) -> None:
    raw = unicodedata.normalize("NFD", "lösenor")  # 8 code points typed, 7 characters in NFC
    assert len(raw) == keys.MIN_PASSPHRASE_LENGTH > len(unicodedata.normalize("NFC", raw))
    _key, before = made_with_a_raw_nfd_slot(board_path, raw)
    Board.unlock(board_path, raw).close()
    assert key_slot_path(board_path).read_bytes() == before  # no new slot below the minimum; the old one opens


# -- the throttle -----------------------------------------------------------------------------------------------------


def attempts_file(cli: Cli) -> Path:
    return cli.db.with_name(cli.db.name + ".attempts")


def at(seconds: float) -> dict[str, str]:
    """The frozen clock, `seconds` after FROZEN."""
    return {"FACTBOARD_NOW": (datetime.fromisoformat(FROZEN) + timedelta(seconds=seconds)).isoformat()}


def waits(result: Any) -> int:
    line = one_line_error(result, "Too many wrong passphrases")
    return int(line.split("wait ")[1].split(" s")[0])


def written_at(path: Path, iso: str) -> None:
    stamp = datetime.fromisoformat(iso).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"failures": 3, "last": "2036-01-01T00:00:00+00:00"}),  # a time in the future
        json.dumps({"failures": 10**12, "last": FROZEN}),  # a count that would take forever to compute
        json.dumps({"failures": -5, "last": FROZEN}),
        json.dumps({"failures": "many", "last": FROZEN}),
        json.dumps({"failures": 4, "last": "2026-11-25T09:00:00"}),  # no time zone
        "not json at all",
        "\x00\xff\xfe garbage",
        "directory",
    ],
    ids=["future", "10**12", "negative", "text", "naive", "not-json", "binary", "directory"],
)
def test_whatever_the_attempts_file_says_the_right_passphrase_waits_at_most_five_minutes(
    cli: Cli, content: str
) -> None:
    cli.ok("init")
    path = attempts_file(cli)
    if content == "directory":
        path.mkdir()
    else:
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
    written_at(path, FROZEN)
    wait = waits(cli("rows", "list", env=at(0)))
    assert 0 < wait <= MAX_WAIT_SECONDS
    assert waits(cli("rows", "list", env=at(MAX_WAIT_SECONDS - 1))) == 1
    cli.ok("rows", "list", env=at(MAX_WAIT_SECONDS))  # five minutes after the file was written: it opens
    if content != "directory":
        assert not path.exists()  # and the count starts again
        failed = failed_unlocks(cli.db)
        assert failed and "failed unlocks" in failed[-1]


def test_a_huge_count_with_a_last_try_long_ago_does_not_wait(cli: Cli) -> None:
    cli.ok("init")
    attempts_file(cli).write_text(json.dumps({"failures": 10**12, "last": "2026-11-25T08:00:00+00:00"}))
    cli.ok("rows", "list", env=at(0))


def test_unlock_attempts_caps_every_wait_in_process(tmp_path: Path) -> None:
    clock = frozen_clock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    attempts = UnlockAttempts(tmp_path / "board.db", clock)
    for failures in (3, 4, 9, 60, 10**6, 10**12, 10**100):
        attempts.path.write_text(json.dumps({"failures": failures, "last": clock().isoformat()}))
        assert 0 < attempts.wait_seconds() <= MAX_WAIT_SECONDS
    with pytest.raises(TooManyAttempts):
        attempts.check()


def three_wrong_then_wait(cli: Cli, *command: str, wrong_env: dict[str, str]) -> None:
    """Three wrong passphrases are counted; the fourth try, even the right one, must wait."""
    for _ in range(3):
        one_line_error(cli(*command, env=at(0) | wrong_env), "Wrong passphrase")
    assert json.loads(attempts_file(cli).read_text())["failures"] == 3
    assert waits(cli(*command, env=at(0))) == 5
    assert json.loads(attempts_file(cli).read_text())["failures"] == 3  # a refused try is not even tried


def failed_unlocks(db: Path, passphrase: str = "correct horse battery") -> list[str]:
    """The failed unlocks the audit log records, as `audit show` says them (in English here)."""
    with Board.unlock(db, passphrase) as board, board.engine.connect() as connection:
        return [said(entry.detail) for entry in entries(connection) if entry.action == "unlock failed"]


def failed_since(seconds: float, count: int, via: str) -> str:
    """What the log says of `count` wrong passphrases, the first at(seconds), typed through `via`."""
    first = at(seconds)["FACTBOARD_NOW"][:19].replace("T", " ")
    return f"failed unlocks: {count}, the first at {first} (through {via})"


WRONG = {"FACTBOARD_PASSPHRASE": "correct horse battery staple"}


def test_passwd_counts_wrong_passphrases_waits_and_logs_them(cli: Cli) -> None:
    cli.ok("init", env=at(0))
    new = {"FACTBOARD_NEW_PASSPHRASE": "a new passphrase 2026"}
    three_wrong_then_wait(cli, "passwd", wrong_env=WRONG | new)
    cli.ok("passwd", env=at(6) | new)
    assert not attempts_file(cli).exists()
    assert failed_unlocks(cli.db, "a new passphrase 2026") == [failed_since(0, 3, "the passphrase change")]


def test_rekey_counts_wrong_passphrases_waits_and_logs_them(cli: Cli) -> None:
    cli.ok("init", env=at(0))
    three_wrong_then_wait(cli, "rekey", wrong_env=WRONG)
    cli.ok("rekey", env=at(6))
    assert not attempts_file(cli).exists()
    assert failed_unlocks(cli.db) == [failed_since(0, 3, "the re-key")]


def test_restore_counts_wrong_passphrases_waits_and_logs_them(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", env=at(0))
    cli.ok("backup", "-o", str(tmp_path / "safe"), env=at(0))
    (backup,) = (tmp_path / "safe").glob("*.db")
    three_wrong_then_wait(cli, "restore", str(backup), wrong_env=WRONG)
    cli.ok("restore", str(backup), env=at(6))
    assert not attempts_file(cli).exists()
    assert failed_unlocks(cli.db) == [failed_since(0, 3, "the restore")]
