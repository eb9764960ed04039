"""Golden vectors: a bundle, its minisign signature and site keys made from fixed keys, committed under tests/golden.

If the format drifts (framing, header fields, key wrapping, encryption, signature, key text or fingerprint), these
tests fail. Regenerate deliberately with `FACTBOARD_REGEN_GOLDEN=1 pytest tests/core/test_sync_golden.py` only when the
format version changes, and keep the old vectors to prove old bundles are still refused or read.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from helpers import tools
from helpers.places import GOLDEN

from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import minisign
from factboard_tui.core.sync.identity import SiteIdentity

REGENERATE = os.environ.get("FACTBOARD_REGEN_GOLDEN") == "1"


def _site(number: int, name: str) -> SiteIdentity:
    return SiteIdentity(
        f"{number:02x}" * 16,
        name,
        Ed25519PrivateKey.from_private_bytes(bytes([number]) * 32),
        X25519PrivateKey.from_private_bytes(bytes([number + 100]) * 32),
    )


ORIGIN = _site(1, "region")
PEER = _site(2, "muni")
RANDOMNESS = B.Randomness(X25519PrivateKey.from_private_bytes(bytes([7]) * 32), bytes([9]) * 32, bytes([5]) * 12)
PAYLOAD = {
    "acks": {ORIGIN.site_id: 2},
    "changes": [
        [
            ORIGIN.site_id,
            1,
            "001795597200000-00000",
            None,
            "row",
            "ab" * 16,
            "add",
            "client_code",
            "DD-75",
            "CSA",
            "2026-11-25 09:00:00.000000",
        ],
        [
            ORIGIN.site_id,
            2,
            "001795597200000-00001",
            None,
            "row",
            "ab" * 16,
            "add",
            "triage",
            "new",
            "CSA",
            "2026-11-25 09:00:00.000000",
        ],
    ],
    "site_name": "region",
}
HEADER = {
    "schema": 3,
    "origin_name": "region",
    "ranges": {ORIGIN.site_id: [1, 2]},
    "changes": 2,
    "previous": None,
    "created": "2026-11-25T09:00:00+00:00",
}


def _made() -> tuple[bytes, str, dict[str, str]]:
    data = B.seal(ORIGIN, [PEER.public, ORIGIN.public], HEADER, B.canonical_json(PAYLOAD), RANDOMNESS)
    signature = minisign.sign(ORIGIN.signing, data, "factboard golden vector", "signature from FactBoard site region")
    keys = {
        "origin_key": ORIGIN.public.key_text(),
        "origin_fingerprint": ORIGIN.public.fingerprint(),
        "origin_minisign": minisign.public_key_line(ORIGIN.signing.public_key()),
        "peer_key": PEER.public.key_text(),
        "bundle_sha256": B.digest(data),
    }
    return data, signature, keys


VERSION = B.FORMAT_VERSION
"""The vectors of the format written now; those of every older format stay, and must still open."""


def test_golden_vectors_are_reproduced_exactly() -> None:
    data, signature, keys = _made()
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        (GOLDEN / f"bundle_v{VERSION}.fbsync").write_bytes(data)
        (GOLDEN / f"bundle_v{VERSION}.fbsync.minisig").write_text(signature)
        (GOLDEN / f"keys_v{VERSION}.json").write_text(json.dumps(keys, indent=2) + "\n")
    assert json.loads((GOLDEN / f"keys_v{VERSION}.json").read_text()) == keys
    assert (GOLDEN / f"bundle_v{VERSION}.fbsync.minisig").read_text() == signature
    assert (GOLDEN / f"bundle_v{VERSION}.fbsync").read_bytes() == data


@pytest.mark.parametrize("version", range(1, VERSION + 1))
def test_the_golden_bundle_opens_for_each_recipient_and_only_for_them(version: int) -> None:
    data = (GOLDEN / f"bundle_v{version}.fbsync").read_bytes()
    for me in (PEER, ORIGIN):
        opened = B.open_bundle(data, me, {ORIGIN.site_id: ORIGIN.public}, {}, {})
        assert json.loads(opened.payload) == PAYLOAD
        assert opened.header["ranges"] == HEADER["ranges"] and opened.header["schema"] == 3
    stranger = _site(3, "town")
    with pytest.raises(B.SyncRefused) as caught:
        B.open_bundle(data, stranger, {ORIGIN.site_id: ORIGIN.public}, {}, {})
    assert caught.value.reason == "recipient"


def test_the_golden_signature_verifies_here_and_with_the_minisign_tool(tmp_path: Path) -> None:
    data = (GOLDEN / f"bundle_v{VERSION}.fbsync").read_bytes()
    signature = (GOLDEN / f"bundle_v{VERSION}.fbsync.minisig").read_text()
    public = minisign.public_key_line(ORIGIN.signing.public_key())
    assert minisign.verify(public, data, signature) == "factboard golden vector"
    tools.require("minisign", "check sync signatures with the minisign tool")
    shutil.copy(GOLDEN / f"bundle_v{VERSION}.fbsync", tmp_path / "b.fbsync")
    shutil.copy(GOLDEN / f"bundle_v{VERSION}.fbsync.minisig", tmp_path / "b.fbsync.minisig")
    result = subprocess.run(
        ["minisign", "-V", "-m", str(tmp_path / "b.fbsync"), "-P", public], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "factboard golden vector" in result.stdout
