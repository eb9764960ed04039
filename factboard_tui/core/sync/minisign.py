"""Detached signatures in minisign's format, so anyone can check a bundle with the standard `minisign` tool.

Written from minisign's published format with `cryptography` (Ed25519) and `hashlib` (BLAKE2b-512): a public key
is `Ed` + an 8-byte key id + the 32-byte Ed25519 key; a signature file holds an untrusted comment, `ED` + key id +
the Ed25519 signature of the file's BLAKE2b-512 hash (minisign's prehashed mode, its default), a trusted comment,
and a global signature over the signature and the trusted comment (so the comment cannot be changed either).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PREHASHED = b"ED"
"""Signature algorithm: Ed25519 over BLAKE2b-512 of the file."""
LEGACY = b"Ed"
"""Signature algorithm (and the key algorithm): Ed25519 over the file itself."""


def key_id(public: bytes) -> bytes:
    """The 8-byte key id minisign puts in keys and signatures: derived from the public key, so it is stable."""
    return hashlib.blake2b(b"factboard minisign key id" + public, digest_size=8).digest()


def _public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_line(key: Ed25519PublicKey) -> str:
    """The base64 public key, as `minisign -P` takes it."""
    public = _public_bytes(key)
    return base64.b64encode(LEGACY + key_id(public) + public).decode("ascii")


def public_key_file(key: Ed25519PublicKey, comment: str) -> str:
    """A minisign public key file (`minisign -p FILE`)."""
    return f"untrusted comment: {comment}\n{public_key_line(key)}\n"


def sign(private: Ed25519PrivateKey, message: bytes, trusted_comment: str, untrusted_comment: str) -> str:
    """A detached `.minisig` text for `message`, in prehashed mode."""
    if "\n" in trusted_comment or "\n" in untrusted_comment:
        raise ValueError("comments are one line")
    public = _public_bytes(private.public_key())
    signature = private.sign(hashlib.blake2b(message, digest_size=64).digest())
    global_signature = private.sign(signature + trusted_comment.encode("utf-8"))
    return (
        f"untrusted comment: {untrusted_comment}\n"
        f"{base64.b64encode(PREHASHED + key_id(public) + signature).decode('ascii')}\n"
        f"trusted comment: {trusted_comment}\n"
        f"{base64.b64encode(global_signature).decode('ascii')}\n"
    )


def verify(public_line: str, message: bytes, signature_text: str) -> str:
    """Check a `.minisig` against a public key line; returns the trusted comment, raises `ValueError` if bad."""
    try:
        public_raw = base64.b64decode(public_line.strip(), validate=True)
        lines = signature_text.splitlines()
        if (
            len(lines) < 4
            or not lines[0].startswith("untrusted comment:")
            or not lines[2].startswith("trusted comment: ")
        ):
            raise ValueError("not a minisign signature file")
        signature_raw = base64.b64decode(lines[1], validate=True)
        global_signature = base64.b64decode(lines[3], validate=True)
    except (ValueError, base64.binascii.Error) as error:  # type: ignore[attr-defined]
        raise ValueError(f"malformed minisign data: {error}") from None
    if len(public_raw) != 42 or public_raw[:2] != LEGACY or len(signature_raw) != 74 or len(global_signature) != 64:
        raise ValueError("malformed minisign key or signature")
    if signature_raw[2:10] != public_raw[2:10]:
        raise ValueError("the signature was made with another key")
    key = Ed25519PublicKey.from_public_bytes(public_raw[10:])
    algorithm, signature = signature_raw[:2], signature_raw[10:]
    signed = hashlib.blake2b(message, digest_size=64).digest() if algorithm == PREHASHED else message
    if algorithm not in (PREHASHED, LEGACY):
        raise ValueError("unknown minisign signature algorithm")
    trusted = lines[2].removeprefix("trusted comment: ")
    try:
        key.verify(signature, signed)
        key.verify(global_signature, signature + trusted.encode("utf-8"))
    except InvalidSignature:
        raise ValueError("the minisign signature does not verify") from None
    return trusted
