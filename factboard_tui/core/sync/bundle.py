"""The sync bundle file: signed by its origin site, encrypted to the peer and to the origin itself.

Layout (all lengths big-endian)::

    magic "FBSYNC" | format u16 | Ed25519 signature (64) | header length u32 | header JSON | ciphertext

The signature covers every byte of the file except itself, so no byte can change, be cut off or be appended
without the check failing; it is verified against the trusted peers' keys *before* the header is parsed. The
header (canonical JSON) names the origin, the recipients, the schema and format versions, each origin's sequence
range and the hash of the previous bundle to the same peer, so a signed bundle cannot be re-addressed or spliced.

Encryption is HPKE-style: one random 256-bit content key seals the zlib-compressed payload with AES-256-GCM
(the header is the associated data); for each recipient an X25519 exchange between a one-time ephemeral key and
the recipient's key, through HKDF-SHA256, gives the key that wraps the content key with ChaCha20-Poly1305. Without
a recipient's private key the file reveals only its header: site ids, counts and sequence ranges, no board data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from factboard_tui.core.errors import SyncRefused
from factboard_tui.core.i18n import _
from factboard_tui.core.sync.identity import PublicSite, SiteIdentity

MAGIC = b"FBSYNC"
FORMAT_VERSION = 3
"""The bundle format this FactBoard writes; it reads every older one and refuses a newer one. Format 2 (issue 19)
carries plans with a status and a review date and legal measures; format 1's yes/no crisis plan (`true`/`false`)
still reads, as a plan that exists or nothing recorded (see `fields.LEGACY_PLAN_TEXT`). Format 3 carries a second
legal measure (`legal_measure_2` and its dates): a format-2 site, which would refuse those fields as unknown, is told
to update instead."""
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
"""The size cap of a bundle file."""
MAX_PAYLOAD_BYTES = 512 * 1024 * 1024
"""The cap on the decompressed payload (against a compression bomb)."""
_PREFIX = struct.Struct(">6sH")
_SIGNATURE_SIZE = 64
_LENGTH = struct.Struct(">I")
_FIXED = _PREFIX.size + _SIGNATURE_SIZE + _LENGTH.size
_WRAP_INFO = b"factboard-sync/1 key wrap"
_WRAP_NONCE = bytes(12)
"""Each wrapping key is used once (fresh ephemeral key per bundle), so a fixed nonce is safe."""


@dataclass(frozen=True, slots=True)
class Randomness:
    """The random choices of one bundle; fixed only by the golden-vector tests."""

    ephemeral: X25519PrivateKey
    content_key: bytes
    nonce: bytes

    @classmethod
    def fresh(cls) -> Randomness:
        """New random values, as every real bundle uses."""
        return cls(X25519PrivateKey.generate(), AESGCM.generate_key(bit_length=256), os.urandom(12))


@dataclass(frozen=True, slots=True)
class OpenedBundle:
    """A bundle whose signature verified, addressed to us and decrypted."""

    signer: str
    """Site id of the trusted peer that signed it."""
    header: dict[str, Any]
    payload: bytes
    """The decompressed payload JSON, not yet parsed."""
    digest: str
    """SHA-256 of the whole file (hex): the bundle's name in the chain."""


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no spaces, ASCII only."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, size: int, what: str) -> bytes:
    if not isinstance(text, str):
        raise SyncRefused(
            "invalid", _("The bundle header's {what} is not text: the file is not a valid bundle.").format(what=what)
        )
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != size:
        raise SyncRefused(
            "invalid", _("The bundle header's {what} is malformed: the file is not a valid bundle.").format(what=what)
        )
    return raw


def _wrapping_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_WRAP_INFO).derive(shared)


def _raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def seal(
    origin: SiteIdentity,
    recipients: Sequence[PublicSite],
    header_fields: dict[str, Any],
    payload: bytes,
    randomness: Randomness | None = None,
) -> bytes:
    """Compress, encrypt to every recipient and sign: the bytes of a bundle file."""
    chosen = randomness or Randomness.fresh()
    ephemeral_public = _raw(chosen.ephemeral.public_key())
    wrapped = []
    for recipient in recipients:
        shared = chosen.ephemeral.exchange(recipient.recipient())
        key = _wrapping_key(shared, ephemeral_public, recipient.encryption_key)
        sealed_key = ChaCha20Poly1305(key).encrypt(_WRAP_NONCE, chosen.content_key, bytes.fromhex(recipient.site_id))
        wrapped.append({"site": recipient.site_id, "key": _b64(sealed_key)})
    header = header_fields | {
        "format": FORMAT_VERSION,
        "origin": origin.site_id,
        "recipients": wrapped,
        "ephemeral": _b64(ephemeral_public),
        "nonce": _b64(chosen.nonce),
        "payload_size": len(payload),
    }
    header_bytes = canonical_json(header)
    prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION)
    framed = _LENGTH.pack(len(header_bytes)) + header_bytes
    ciphertext = AESGCM(chosen.content_key).encrypt(chosen.nonce, zlib.compress(payload, 1), prefix + framed)
    body = framed + ciphertext
    signature = origin.signing.sign(prefix + body)
    return prefix + signature + body


def digest(data: bytes) -> str:
    """A bundle's name: SHA-256 of its bytes, hex."""
    return hashlib.sha256(data).hexdigest()


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(data: bytes, what: str) -> Any:
    """Parse JSON strictly: UTF-8, no duplicate keys, no NaN or Infinity."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_strict_object, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SyncRefused(
            "invalid",
            _("The bundle's {what} is not valid JSON: the file is damaged; nothing was applied.").format(what=what),
        ) from None


def open_bundle(
    data: bytes,
    me: SiteIdentity,
    trusted: dict[str, PublicSite],
    revoked: dict[str, PublicSite],
    names: dict[str, str],
) -> OpenedBundle:
    """Verify, then check the address, then decrypt. Refuses (`SyncRefused`) at the first problem.

    `trusted` and `revoked` map site ids to public keys; `names` gives the local name of each site for messages.
    """
    if len(data) > MAX_BUNDLE_BYTES:
        raise SyncRefused(
            "size",
            _("The file is {count} bytes, over the {max_bundle_bytes} byte cap of a sync bundle: refused.").format(
                count=len(data), max_bundle_bytes=MAX_BUNDLE_BYTES
            ),
        )
    if len(data) < _FIXED or data[: len(MAGIC)] != MAGIC:
        raise SyncRefused(
            "invalid", _("This is not a FactBoard sync bundle (wrong start of file); nothing was applied.")
        )
    _magic, version = _PREFIX.unpack_from(data)
    prefix = data[: _PREFIX.size]
    signature = data[_PREFIX.size : _PREFIX.size + _SIGNATURE_SIZE]
    body = data[_PREFIX.size + _SIGNATURE_SIZE :]
    # The signature first, the format after: the version field is covered by the signature like every other byte,
    # so a damaged one is told as damage, never as "newer" (every format keeps this frame and this signature).
    signer = _signer(prefix + body, signature, trusted)
    if signer is None:
        gone = _signer(prefix + body, signature, revoked)
        if gone is not None:
            raise SyncRefused(
                "revoked",
                _(
                    "The bundle is signed by {names}, whose key was revoked: ask them for a new site key, or "
                    "trust them again; nothing was applied."
                ).format(names=names.get(gone, gone)),
            )
        if version != FORMAT_VERSION:
            _refuse_damaged_version(version, body, signature, trusted, names)
        raise SyncRefused(
            "signer",
            _(
                "The bundle's signature does not match any trusted site: it is damaged, or from a site you have not "
                "trusted (`factboard sync trust NAME KEY`); nothing was applied."
            ),
        )
    if version > FORMAT_VERSION:
        raise SyncRefused(
            "format",
            _(
                "The bundle from {names} is in format {version}, newer than this FactBoard's "
                "{format_version}: update FactBoard to import it (nothing was applied)."
            ).format(names=names.get(signer, signer), version=version, format_version=FORMAT_VERSION),
        )
    (header_length,) = _LENGTH.unpack_from(body)
    if _LENGTH.size + header_length > len(body):
        raise SyncRefused("invalid", _("The bundle header runs past the end of the file: nothing was applied."))
    header_bytes = body[_LENGTH.size : _LENGTH.size + header_length]
    header = strict_json(header_bytes, "header")
    if not isinstance(header, dict) or header.get("format") != version or header.get("origin") != signer:
        raise SyncRefused("invalid", _("The bundle header does not match its signer or format: nothing was applied."))
    recipients = header.get("recipients")
    if not isinstance(recipients, list):
        raise SyncRefused("invalid", _("The bundle header has no recipient list: nothing was applied."))
    ours = [entry for entry in recipients if isinstance(entry, dict) and entry.get("site") == me.site_id]
    if not ours:
        raise SyncRefused(
            "recipient",
            _(
                "The bundle from {names} is not addressed to this site ({name}): import it at the site it "
                "was written for; nothing was applied."
            ).format(names=names.get(signer, signer), name=me.name),
        )
    ephemeral = _unb64(header.get("ephemeral"), 32, "ephemeral key")
    nonce = _unb64(header.get("nonce"), 12, "nonce")
    sealed_key = _unb64(ours[0].get("key"), 48, "wrapped key")
    my_public = me.public.encryption_key
    try:
        shared = me.encryption.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    except ValueError:  # a low-order point (all zeros, say) gives no shared key
        raise SyncRefused("invalid", _("The bundle's ephemeral key is not usable: nothing was applied.")) from None
    try:
        content_key = ChaCha20Poly1305(_wrapping_key(shared, ephemeral, my_public)).decrypt(
            _WRAP_NONCE, sealed_key, bytes.fromhex(me.site_id)
        )
        compressed = AESGCM(content_key).decrypt(
            nonce, body[_LENGTH.size + header_length :], prefix + body[: _LENGTH.size + header_length]
        )
    except InvalidTag:
        raise SyncRefused(
            "invalid", _("The bundle does not decrypt with this site's key: nothing was applied.")
        ) from None
    inflater = zlib.decompressobj()
    try:
        payload = inflater.decompress(compressed, MAX_PAYLOAD_BYTES)
    except zlib.error:
        raise SyncRefused("invalid", _("The bundle's payload is not readable: nothing was applied.")) from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise SyncRefused(
            "size",
            _("The bundle's payload is over the {max_payload_bytes} byte cap: refused.").format(
                max_payload_bytes=MAX_PAYLOAD_BYTES
            ),
        )
    if header.get("payload_size") != len(payload):
        raise SyncRefused("invalid", _("The bundle's payload is not the size its header says: nothing was applied."))
    return OpenedBundle(signer, header, payload, digest(data))


def _refuse_damaged_version(
    version: int, body: bytes, signature: bytes, trusted: dict[str, PublicSite], names: dict[str, str]
) -> None:
    """A bundle whose signature fails only because its format field changed: say exactly that (it is damaged)."""
    for signed_as in range(FORMAT_VERSION, 0, -1):
        signer = _signer(_PREFIX.pack(MAGIC, signed_as) + body, signature, trusted)
        if signer is not None:
            break
    if signer is not None:
        raise SyncRefused(
            "invalid",
            _(
                "The bundle from {names} is damaged: its format field reads {version} where it was signed "
                "as {format_version}. Ask for a new export; nothing was applied."
            ).format(names=names.get(signer, signer), version=version, format_version=signed_as),
        )


def open_signer_is(data: bytes, site: PublicSite) -> bool:
    """Whether a bundle's signature is by `site` (to tell someone they are importing their own bundle)."""
    if len(data) < _FIXED or data[: len(MAGIC)] != MAGIC:
        return False
    prefix, signature = data[: _PREFIX.size], data[_PREFIX.size : _PREFIX.size + _SIGNATURE_SIZE]
    return _signer(prefix + data[_PREFIX.size + _SIGNATURE_SIZE :], signature, {site.site_id: site}) is not None


def _signer(message: bytes, signature: bytes, keys: dict[str, PublicSite]) -> str | None:
    for site_id, site in keys.items():
        try:
            site.verifier().verify(signature, message)
        except InvalidSignature:
            continue
        return site_id
    return None
