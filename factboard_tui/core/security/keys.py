"""The board's key, and the key slot that keeps it wrapped under the team's passphrase.

Each board database is encrypted by SQLCipher 4 with 32 random bytes used as a raw key. That key is never written
in the clear: the key-slot file beside the database holds it wrapped with AES-256-GCM under a key derived from the
passphrase by Argon2id. Changing the passphrase re-wraps the key; the database itself is untouched. The raw key,
printed once at `init` in readable groups, is the recovery key: any SQLCipher 4 tool opens the database with it.

A slot carries a SHA-256 checksum of its own contents, so a damaged slot ("the file was cut or edited") is told
apart from a wrong passphrase ("the AEAD tag does not verify"). The slot's header (format, KDF parameters, board
id) is the AEAD's associated data, so weakening the parameters in the file breaks the tag.

Passphrases are normalised to Unicode NFC before the key is derived: `lösenord` typed on one keyboard and pasted
from another program (as `o` + a combining diaeresis, NFD) is the same passphrase. A slot made before that, from a
non-NFC passphrase as it was typed, still opens: the raw form is tried when the NFC form fails, and the slot is then
wrapped again under the NFC form (atomically: an interrupted re-wrap leaves the old slot, which still opens).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from factboard_tui.core.errors import (
    BoardNotFound,
    FactBoardError,
    KeySlotDamaged,
    KeySlotMissing,
    KeySlotTooWeak,
    TooManyAttempts,
    WrongPassphrase,
)
from factboard_tui.core.i18n import _
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security.durable import write_durably

KEY_BYTES = 32
SLOT_FORMAT = "factboard-keyslot"
SLOT_VERSION = 1

MIN_MEMORY_KIB = 64 * 1024
"""The floor: a slot asking Argon2id for less memory than 64 MiB is refused."""
MIN_ITERATIONS = 2
MIN_LANES = 1
MAX_MEMORY_KIB = 4 * 1024 * 1024
"""A slot asking for more than 4 GiB is refused too: it would exhaust the machine rather than protect the key."""

DEFAULT_MEMORY_KIB = 128 * 1024
DEFAULT_LANES = 4
TARGET_SECONDS = 0.5
"""Argon2id is tuned at `init` so that one unlock costs about this long on the machine that creates the board."""

FAST_KDF_ENV = "FACTBOARD_KDF_FLOOR"
"""Set to 1 (tests, CI) to create slots at exactly the floor instead of tuning upwards; never below the floor."""

MIN_PASSPHRASE_LENGTH = 8


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id parameters, stored in the slot so the same derivation can be repeated at unlock."""

    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    def check_floor(self) -> None:
        """Refuse parameters weaker than the floor (or absurdly large)."""
        if self.memory_kib < MIN_MEMORY_KIB or self.iterations < MIN_ITERATIONS or self.lanes < MIN_LANES:
            raise KeySlotTooWeak(
                _(
                    "The key slot's Argon2id settings ({value} MiB, {iterations} passes) are below the floor "
                    "of {value2} MiB and {min_iterations} passes: set a new passphrase with `factboard passwd "
                    "--recovery-key`."
                ).format(
                    value=self.memory_kib // 1024,
                    iterations=self.iterations,
                    value2=MIN_MEMORY_KIB // 1024,
                    min_iterations=MIN_ITERATIONS,
                )
            )
        if self.memory_kib > MAX_MEMORY_KIB or self.iterations > 64 or self.lanes > 64 or len(self.salt) < 16:
            raise KeySlotDamaged(_("The key slot's Argon2id settings are out of range: the key slot is damaged."))

    def derive(self, passphrase: str) -> bytes:
        """The 32-byte wrapping key for a passphrase."""
        # cryptography is imported where it is used: reading a slot (before the unlock prompt) needs none of it
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        kdf = Argon2id(
            salt=self.salt,
            length=KEY_BYTES,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(passphrase.encode("utf-8"))


def tune_kdf(target_seconds: float = TARGET_SECONDS) -> KdfParams:
    """Parameters for a new slot: 128 MiB, passes raised until one derivation takes about `target_seconds`."""
    salt = secrets.token_bytes(16)
    if os.environ.get(FAST_KDF_ENV) == "1":
        return KdfParams(MIN_MEMORY_KIB, MIN_ITERATIONS, DEFAULT_LANES, salt)
    iterations = MIN_ITERATIONS
    while True:
        params = KdfParams(DEFAULT_MEMORY_KIB, iterations, DEFAULT_LANES, salt)
        elapsed = min(_timed_derive(params) for _ in range(2))  # the first run also pays for the allocation
        if elapsed >= target_seconds * 0.8 or iterations >= 16:
            return params
        iterations = max(iterations + 1, round(iterations * target_seconds / max(elapsed, 1e-3)))


def _timed_derive(params: KdfParams) -> float:
    started = time.perf_counter()
    params.derive("calibration")
    return time.perf_counter() - started


def new_board_key() -> bytes:
    """32 random bytes: the raw SQLCipher key of a new board."""
    return secrets.token_bytes(KEY_BYTES)


def format_recovery_key(key: bytes) -> str:
    """The raw key as 16 groups of 4 hex digits, 4 groups a line, for writing down or printing."""
    digits = key.hex().upper()
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return "\n".join(" ".join(groups[i : i + 4]) for i in range(0, len(groups), 4))


def parse_recovery_key(text: str) -> bytes:
    """A recovery key typed back in: hex digits with any spacing or dashes, or SQLCipher's `x'…'` form."""
    cleaned = re.sub(r"[\s\-]", "", text.strip())
    if cleaned.lower().startswith("x'") and cleaned.endswith("'"):
        cleaned = cleaned[2:-1]
    if not re.fullmatch(r"[0-9a-fA-F]{64}", cleaned):
        raise WrongPassphrase(
            _("That is not a recovery key: it has 64 hex digits (0-9, A-F) in 16 groups; check what you typed.")
        )
    return bytes.fromhex(cleaned)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    return base64.b64decode(value, validate=True)


@dataclass(frozen=True, slots=True)
class KeySlot:
    """The contents of a key-slot file."""

    board_id: str
    kdf: KdfParams
    nonce: bytes
    wrapped_key: bytes

    def _header(self) -> dict[str, Any]:
        return {
            "format": SLOT_FORMAT,
            "version": SLOT_VERSION,
            "board_id": self.board_id,
            "kdf": {
                "name": "argon2id",
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "lanes": self.kdf.lanes,
                "salt": _b64(self.kdf.salt),
            },
            "aead": "aes-256-gcm",
        }

    def _associated_data(self) -> bytes:
        return json.dumps(self._header(), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def wrap(cls, key: bytes, passphrase: str, board_id: str, kdf: KdfParams | None = None) -> KeySlot:
        """A new slot holding `key` under `passphrase` (in its NFC form)."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        passphrase = normalise(passphrase)
        check_passphrase_strength(passphrase)
        params = kdf or tune_kdf()
        params.check_floor()
        nonce = secrets.token_bytes(12)
        draft = cls(board_id=board_id, kdf=params, nonce=nonce, wrapped_key=b"")
        wrapped = AESGCM(params.derive(passphrase)).encrypt(nonce, key, draft._associated_data())
        return cls(board_id=board_id, kdf=params, nonce=nonce, wrapped_key=wrapped)

    def unwrap(self, passphrase: str) -> bytes:
        """The board key, or `WrongPassphrase` when the AEAD tag does not verify (see `open`)."""
        return self.open(passphrase)[0]

    def open(self, passphrase: str) -> tuple[bytes, bool]:
        """The board key, and whether only the passphrase's raw (non-NFC) form opened it: a slot from before
        passphrases were normalised, which the caller should wrap again (`rewrap_normalised`)."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.kdf.check_floor()
        nfc = normalise(passphrase)
        for candidate in dict.fromkeys((nfc, passphrase)):  # the raw form only if it differs
            try:
                key = AESGCM(self.kdf.derive(candidate)).decrypt(self.nonce, self.wrapped_key, self._associated_data())
            except InvalidTag:
                continue
            if len(key) != KEY_BYTES:
                raise KeySlotDamaged(_("The key slot holds a key of the wrong size: the key slot is damaged."))
            return key, candidate != nfc
        raise WrongPassphrase(_("Wrong passphrase for this board: try again (nothing was changed)."))

    def to_bytes(self) -> bytes:
        """The slot file's bytes: header, wrapped key and a checksum over both."""
        body = self._header() | {"nonce": _b64(self.nonce), "wrapped_key": _b64(self.wrapped_key)}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        body["checksum"] = hashlib.sha256(canonical).hexdigest()
        return (json.dumps(body, sort_keys=True, indent=2) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes, name: str | None = None) -> KeySlot:
        """Parse a slot file, telling a damaged file apart from one that merely needs another passphrase."""
        # Translators: the subject of "The {name} is damaged", "The {name} has version …" (capitalise as it starts
        # your sentence there).
        name = name if name is not None else _("key slot")
        damaged = KeySlotDamaged(
            _(
                "The {name} is damaged: restore it from a backup, or set a new passphrase with `factboard "
                "passwd --recovery-key`."
            ).format(name=name)
        )
        try:
            body = json.loads(data.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("not an object")
            checksum = body.pop("checksum")
            canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
            if not isinstance(checksum, str) or hashlib.sha256(canonical).hexdigest() != checksum:
                raise damaged
            if body.get("format") != SLOT_FORMAT:
                raise ValueError("not a key slot")
            if body.get("version") != SLOT_VERSION:
                raise KeySlotDamaged(
                    _(
                        "The {name} has version {body}, this FactBoard reads version {slot_version}: update FactBoard."
                    ).format(name=name, body=body.get("version"), slot_version=SLOT_VERSION)
                )
            kdf = body["kdf"]
            if kdf.get("name") != "argon2id" or body.get("aead") != "aes-256-gcm":
                raise ValueError("unknown algorithms")
            params = KdfParams(
                memory_kib=int(kdf["memory_kib"]),
                iterations=int(kdf["iterations"]),
                lanes=int(kdf["lanes"]),
                salt=_unb64(kdf["salt"]),
            )
            slot = cls(
                board_id=str(body["board_id"]),
                kdf=params,
                nonce=_unb64(body["nonce"]),
                wrapped_key=_unb64(body["wrapped_key"]),
            )
        except (KeySlotDamaged, KeySlotTooWeak):
            raise
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise damaged from None
        if len(slot.nonce) != 12:
            raise damaged
        return slot

    @classmethod
    def read(cls, path: Path) -> KeySlot:
        """Read the slot beside a database."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeySlotMissing(
                _(
                    "The key slot {name} is missing beside the database: restore it from a backup, or set a "
                    "new passphrase with `factboard passwd --recovery-key`."
                ).format(name=path.name)
            ) from None
        # Translators: as "key slot", with the file's name.
        return cls.from_bytes(data, name=_("key slot {name}").format(name=path.name))

    def write(self, path: Path) -> None:
        """Write atomically: a crash leaves either the old slot or the new one, never half of one."""
        write_atomically(path, self.to_bytes())


def normalise(passphrase: str) -> str:
    """The passphrase as the key is derived from it: Unicode NFC (composed characters)."""
    return unicodedata.normalize("NFC", passphrase)


def rewrap_normalised(slot: KeySlot, key: bytes, passphrase: str, path: Path) -> None:
    """Wrap `key` again under the NFC form of `passphrase`, at the same cost, replacing the slot at `path`
    atomically. Best effort: if the slot cannot be written now (a read-only folder), the raw form keeps opening it
    and the next unlock tries again; so does a passphrase whose NFC form is too short for a new slot."""
    fresh = KdfParams(slot.kdf.memory_kib, slot.kdf.iterations, slot.kdf.lanes, secrets.token_bytes(16))
    with contextlib.suppress(OSError, FactBoardError):  # FactBoardError: an NFC form shorter than the minimum
        KeySlot.wrap(key, passphrase, slot.board_id, fresh).write(path)


def check_passphrase_strength(passphrase: str) -> None:
    """Refuse passphrases too short to resist guessing even behind Argon2id."""
    from factboard_tui.core.errors import InvalidValue

    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InvalidValue(
            "passphrase",
            _("The passphrase must have at least {min_passphrase_length} characters: choose a longer one.").format(
                min_passphrase_length=MIN_PASSPHRASE_LENGTH
            ),
        )


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling, fsync, rename and fsync the folder (`durable.write_durably`)."""
    write_durably(path, data)


FREE_ATTEMPTS = 3
"""Wrong passphrases in a row before the next try must wait."""

FIRST_WAIT_SECONDS = 5
MAX_WAIT_SECONDS = 300
"""The longest wait between tries, however many went wrong and whatever the attempts file says."""


class UnlockAttempts:
    """Counts wrong passphrases in a row in `<db>.attempts` (a count and a time: no board data) and makes each
    try after the third wait longer: 5 s, 10 s, 20 s … up to 5 minutes. Argon2id makes every guess expensive
    already; this slows down someone trying passphrases at an unattended terminal. A right passphrase resets it.

    Every unwrap of a key slot with a typed passphrase goes through `unwrap` here: unlocking, the lock screen,
    `passwd`, `restore` and `rekey`. The file is not trusted further than the cap: a count however large waits 5
    minutes, a time in the future or a file that cannot be read counts as the cap from the file's own time (never
    later than now), so no file can lock the board for longer than 5 minutes after it was last written.
    """

    def __init__(self, db: Path, clock: Callable[[], datetime]) -> None:
        self.path = db.with_name(db.name + ".attempts")
        self.clock = clock

    def _read(self) -> tuple[int, datetime | None]:
        """The count and the time of the last wrong try (a damaged file: the cap, from the file's own time)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0, None
        except (OSError, UnicodeDecodeError):
            return self._damaged()
        try:
            data = json.loads(text)
            failures, last = data["failures"], datetime.fromisoformat(str(data["last"]))
        except (ValueError, KeyError, TypeError):
            return self._damaged()
        if type(failures) is not int or failures < 0 or last.tzinfo is None or last > self.clock():
            return self._damaged()
        return failures, last

    def _damaged(self) -> tuple[int, datetime | None]:
        """A file we cannot believe counts as the cap, waited from when it was written (at the latest: now)."""
        now = self.clock()
        try:
            written = datetime.fromtimestamp(self.path.stat().st_mtime, tz=now.tzinfo or None)
        except (OSError, ValueError, OverflowError):
            written = now
        return FREE_ATTEMPTS + _CAP_STEPS, min(written, now)

    def wait_seconds(self) -> int:
        """How long the next try must still wait (0: go ahead); never more than `MAX_WAIT_SECONDS`."""
        failures, last = self._read()
        if failures < FREE_ATTEMPTS or last is None:
            return 0
        steps = min(failures - FREE_ATTEMPTS, _CAP_STEPS)  # the count never reaches the power: 10**12 is the cap
        wait = min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2**steps)
        elapsed = (self.clock() - last).total_seconds()
        return int(min(MAX_WAIT_SECONDS, max(0, math.ceil(wait - elapsed))))

    def check(self) -> None:
        """Refuse to try a passphrase while the wait after the last wrong one runs."""
        wait = self.wait_seconds()
        if wait:
            raise TooManyAttempts(
                _("Too many wrong passphrases in a row: wait {wait} s, then try again (nothing was changed).").format(
                    wait=wait
                )
            )

    def unwrap(self, slot: KeySlot, passphrase: str, slot_path: Path | None = None) -> bytes:
        """The slot's key for `passphrase`, counted: refused while a wait runs, a wrong one counted (and raised).

        Every place a person types the passphrase goes through here. With `slot_path`, a slot that only the raw
        (non-NFC) form opened is wrapped again under the NFC form.
        """
        self.check()
        try:
            key, raw_form = slot.open(passphrase)
        except WrongPassphrase:
            self.failed()
            raise
        if raw_form and slot_path is not None:
            rewrap_normalised(slot, key, passphrase, slot_path)
        return key

    def summary(self, via: str) -> str | None:
        """The wrong passphrases before this try (typed through `via`), as the audit log stores it (see
        `audit_words`; read before `succeeded` clears them)."""
        from factboard_tui.core.security.audit_words import (  # the audit's words (and the board's fields they
            FAILED_UNLOCKS,  # name) load after the unlock prompt is drawn, not before: `read_board_slot` comes first
            FAILED_UNLOCKS_ALTERED,
            FAILED_UNLOCKS_UNKNOWN_START,
            stored,
        )

        failures, last = self._read()
        if not failures:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("failures") != failures:
                raise ValueError("not the count read")
            first = str(data.get("first") or "")
        except (OSError, ValueError, AttributeError, UnicodeDecodeError):
            return stored(FAILED_UNLOCKS_ALTERED, count=failures, via=via)
        since = first or (last.isoformat() if last else "")
        if not since:
            return stored(FAILED_UNLOCKS_UNKNOWN_START, count=failures, via=via)
        return stored(FAILED_UNLOCKS, count=failures, since=since[:19].replace("T", " "), via=via)

    def failed(self) -> None:
        """Count one more wrong passphrase (a file that cannot be written keeps counting as the cap)."""
        failures, last = self._read()
        now = self.clock().isoformat()
        try:
            first = str(json.loads(self.path.read_text(encoding="utf-8")).get("first") or "") if failures else now
        except (OSError, ValueError, AttributeError, UnicodeDecodeError):
            first = last.isoformat() if last else now
        record = {"failures": failures + 1, "last": now, "first": first or now}
        with contextlib.suppress(OSError):
            write_atomically(self.path, json.dumps(record).encode())

    def succeeded(self) -> None:
        """Start the count again (a right passphrase)."""
        with contextlib.suppress(OSError):  # gone already, or not a file we can remove: it counts as the cap
            self.path.unlink()


_CAP_STEPS = math.ceil(math.log2(MAX_WAIT_SECONDS / FIRST_WAIT_SECONDS))
"""Doublings of the first wait that reach the cap (6: 5 s · 2**6 = 320 s > 300 s)."""


def read_board_slot(path: Path) -> KeySlot:
    """The key slot of the board at `path`, after checking the board exists (what a face asks before it asks for
    a passphrase; needs nothing of the database layer, so `factboard open` draws its prompt before loading it)."""
    if not path.is_file():
        raise BoardNotFound(
            _("There is no board at {path}: create one with `factboard init` or pass --db.").format(path=path)
        )
    return KeySlot.read(key_slot_path(path))
