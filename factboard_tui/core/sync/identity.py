"""A site's identity: who it is, the keys it signs and receives with, and how people check them on the phone.

Each board is one site. `init` (or the first open of an older board) gives it a random site id, a name, an
Ed25519 signing key and an X25519 encryption key; the private halves live only in the encrypted database's
`board_meta`. The public halves travel as one `site key` text (`fbsite1:…`, with a checksum against typos) that a
peer pastes into `factboard sync trust`, and as a short fingerprint two people read aloud to each other to be sure
the pasted key is the real one.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _
from factboard_tui.core.sync.hlc import millis_of, next_hlc

KEY_PREFIX = "fbsite1:"
"""The version tag of a site key text."""

META_KEYS = ("site_id", "site_name", "site_signing_key", "site_encryption_key")
"""Where a site's identity lives in `board_meta` (private keys as hex)."""


def _raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


@dataclass(frozen=True, slots=True)
class PublicSite:
    """What a site shows others: its id and public keys."""

    site_id: str
    """32 hex digits."""
    signing_key: bytes
    """Ed25519 public key, 32 bytes."""
    encryption_key: bytes
    """X25519 public key, 32 bytes."""

    def key_text(self) -> str:
        """The one-line site key a peer passes to `factboard sync trust`."""
        body = bytes.fromhex(self.site_id) + self.signing_key + self.encryption_key
        check = hashlib.sha256(body).digest()[:4]
        return KEY_PREFIX + base64.urlsafe_b64encode(body + check).decode("ascii").rstrip("=")

    def fingerprint(self) -> str:
        """Sixteen letters and digits in four groups, to read aloud: covers the site id and both keys."""
        body = b"factboard site fingerprint\x00" + bytes.fromhex(self.site_id) + self.signing_key + self.encryption_key
        letters = base64.b32encode(hashlib.sha256(body).digest()[:10]).decode("ascii")
        return "-".join(letters[i : i + 4] for i in range(0, 16, 4))

    @classmethod
    def from_key_text(cls, text: str) -> PublicSite:
        """Read a site key; a typo or a truncated paste is a clear error."""
        cleaned = "".join(text.split())
        if not cleaned.startswith(KEY_PREFIX):
            raise InvalidValue(
                "key",
                _("A site key starts with {key_prefix}: copy it whole from `factboard sync identity`.").format(
                    key_prefix=KEY_PREFIX
                ),
            )
        encoded = cleaned.removeprefix(KEY_PREFIX)
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raw = b""
        if len(raw) != 84 or hashlib.sha256(raw[:80]).digest()[:4] != raw[80:]:
            raise InvalidValue(
                "key",
                _("That site key is damaged or incomplete: copy it again whole from `factboard sync identity`."),
            )
        return cls(raw[:16].hex(), raw[16:48], raw[48:80])

    def verifier(self) -> Ed25519PublicKey:
        """The key that checks this site's signatures."""
        return Ed25519PublicKey.from_public_bytes(self.signing_key)

    def recipient(self) -> X25519PublicKey:
        """The key bundles for this site are encrypted to."""
        return X25519PublicKey.from_public_bytes(self.encryption_key)


@dataclass(frozen=True, slots=True)
class SiteIdentity:
    """This site: its id, its name and its private keys (never leave the encrypted database)."""

    site_id: str
    name: str
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> SiteIdentity:
        """A new site with fresh keys."""
        return cls(uuid.uuid4().hex, name, Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> SiteIdentity:
        """The identity stored in `board_meta`."""
        return cls(
            meta["site_id"],
            meta["site_name"],
            Ed25519PrivateKey.from_private_bytes(bytes.fromhex(meta["site_signing_key"])),
            X25519PrivateKey.from_private_bytes(bytes.fromhex(meta["site_encryption_key"])),
        )

    def to_meta(self) -> dict[str, str]:
        """The rows of `board_meta` that hold it."""
        return {
            "site_id": self.site_id,
            "site_name": self.name,
            "site_signing_key": _raw_private(self.signing).hex(),
            "site_encryption_key": _raw_private(self.encryption).hex(),
        }

    @property
    def public(self) -> PublicSite:
        """What peers may know."""
        return PublicSite(
            self.site_id, _raw_public(self.signing.public_key()), _raw_public(self.encryption.public_key())
        )


def stamp_existing_changes(raw: Any, site_id: str) -> None:
    """Give change records made before sync existed this site's origin, sequence numbers and clocks.

    `raw` is a DB-API connection inside the caller's transaction. Clocks come from each record's time, kept
    strictly increasing so the order of the log is the order of the clocks.
    """
    last_seq = int(
        raw.execute("SELECT coalesce(max(seq), 0) FROM change_log WHERE origin = ?", (site_id,)).fetchone()[0]
    )
    last = raw.execute("SELECT max(hlc) FROM change_log").fetchone()[0]
    updates = []
    for change_id, at in raw.execute("SELECT id, at FROM change_log WHERE origin IS NULL ORDER BY id").fetchall():
        try:
            moment = datetime.fromisoformat(str(at))
        except ValueError:
            moment = datetime.now(UTC)
        last = next_hlc(last, millis_of(moment if moment.tzinfo else moment.replace(tzinfo=UTC)))
        last_seq += 1
        updates.append((site_id, last_seq, last, change_id))
    raw.executemany("UPDATE change_log SET origin = ?, seq = ?, hlc = ? WHERE id = ?", updates)
