"""`factboard sync …` as a person runs it: two real boards, files on disk, Debian's minisign checking signatures."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import tools
from helpers.boards import PASSPHRASE, snapshot_files
from helpers.cli import Cli

from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite


@pytest.fixture
def region(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "region" / "board.db", home=tmp_path / "region", tmpdir=tmp_path / "region" / "tmp")
    cli.ok("init", "--team", "Region")
    return cli


@pytest.fixture
def muni(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "muni" / "board.db", home=tmp_path / "muni", tmpdir=tmp_path / "muni" / "tmp")
    cli.ok("init", "--team", "Silkeborg")
    return cli


def _key(cli: Cli) -> str:
    return next(line for line in cli.ok("sync", "identity").stdout.splitlines() if line.startswith("fbsite1:"))


@pytest.fixture
def paired(region: Cli, muni: Cli) -> tuple[Cli, Cli]:
    region.ok("sync", "trust", "Silkeborg", _key(muni))
    muni.ok("sync", "trust", "Region", _key(region))
    return region, muni


def test_identity_shows_a_fingerprint_and_trust_echoes_it_for_the_phone_check(region: Cli, muni: Cli) -> None:
    shown = muni.ok("sync", "identity").stdout
    fingerprint = next(line for line in shown.splitlines() if line.startswith("Fingerprint:")).split()[-1]
    trusted = region.ok("sync", "trust", "Silkeborg", _key(muni)).stdout
    assert fingerprint in trusted
    peers = region.ok("sync", "peers").stdout
    assert "Silkeborg" in peers and fingerprint in peers and "trusted" in peers
    region.ok("sync", "revoke", "Silkeborg")
    assert "revoked" in region.ok("sync", "peers").stdout
    bad = region("sync", "trust", "Other", "fbsite1:AAAA")
    assert bad.returncode != 0 and "damaged or incomplete" in bad.stderr


def test_export_and_import_both_ways_and_the_signature_checks_with_minisign(paired: tuple[Cli, Cli]) -> None:
    region, muni = paired
    region.ok("rows", "add", "--code", "DD-75", "--triage", "new", "--situation", "Bor hemma")
    bundle = region.home / "to-muni.fbsync"
    written = region.ok("sync", "export", "--to", "Silkeborg", "-o", str(bundle)).stdout
    assert "encrypted" in written and bundle.is_file() and Path(f"{bundle}.minisig").is_file()
    assert b"DD-75" not in bundle.read_bytes() and b"Bor hemma" not in bundle.read_bytes()
    imported = muni.ok("sync", "import", str(bundle)).stdout
    assert "from Region" in imported and "applied" in imported
    assert "DD-75" in muni.ok("rows", "list").stdout
    muni.ok("rows", "set", "DD-75", "situation", "Inlagd")
    back = muni.home / "to-region.fbsync"
    muni.ok("sync", "export", "--to", "Region", "-o", str(back))
    region.ok("sync", "import", str(back))
    assert "Inlagd" in region.ok("rows", "list", "--json").stdout
    tools.require("minisign", "check sync signatures with the minisign tool")
    public = region.ok("sync", "identity", "--minisign").stdout.strip().splitlines()[-1]
    checked = subprocess.run(["minisign", "-V", "-m", str(bundle), "-P", public], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    bundle.write_bytes(bundle.read_bytes() + b"x")
    tampered = subprocess.run(["minisign", "-V", "-m", str(bundle), "-P", public], capture_output=True, text=True)
    assert tampered.returncode != 0


def test_a_refused_bundle_exits_non_zero_keeps_the_file_and_changes_nothing(paired: tuple[Cli, Cli]) -> None:
    region, muni = paired
    region.ok("rows", "add", "--code", "DD-75", "--triage", "new")
    bundle = region.home / "b.fbsync"
    region.ok("sync", "export", "--to", "Silkeborg", "-o", str(bundle))
    damaged = bytearray(bundle.read_bytes())
    damaged[len(damaged) // 2] ^= 0x20
    bad = muni.home / "damaged.fbsync"
    bad.write_bytes(bytes(damaged))
    before = snapshot_files(muni.db.parent)
    result = muni("sync", "import", str(bad))
    assert result.returncode == 8 and "signature does not match any trusted site" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert bad.read_bytes() == bytes(damaged)  # the file is kept
    assert snapshot_files(muni.db.parent) == before  # nothing changed
    muni.ok("sync", "import", str(bundle))
    again = muni("sync", "import", str(bundle))
    assert again.returncode == 8 and "already imported" in again.stderr


def test_conflicts_are_listed_and_settled_from_the_command_line(paired: tuple[Cli, Cli]) -> None:
    region, muni = paired
    region.ok("rows", "add", "--code", "DD-75", "--triage", "new", "--situation", "Start")
    region.ok("sync", "export", "--to", "Silkeborg", "-o", str(region.home / "1.fbsync"))
    muni.ok("sync", "import", str(region.home / "1.fbsync"))
    muni.ok("rows", "set", "DD-75", "situation", "Inlagd", env={"FACTBOARD_USER": "MJR"})
    region.ok("rows", "set", "DD-75", "situation", "Hemma")
    muni.ok("sync", "export", "--to", "Region", "-o", str(muni.home / "2.fbsync"))
    imported = region.ok("sync", "import", str(muni.home / "2.fbsync")).stdout
    assert "1 conflicting edit kept" in imported
    listed = region.ok("sync", "conflicts").stdout
    assert "DD-75" in listed and "Inlagd" in listed and "Hemma" in listed
    assert region("sync", "settle", "1").returncode != 0  # must say which value
    region.ok("sync", "settle", "1", "--value", "Inlagd, sedan hemma")
    assert "No conflicts" in region.ok("sync", "conflicts").stdout
    assert "Inlagd, sedan hemma" in region.ok("rows", "list", "--json").stdout


def test_a_large_bundle_in_a_script_draws_no_progress_bar_on_stderr(paired: tuple[Cli, Cli]) -> None:
    """Over 10,000 changes a bundle's export and import draw a progress bar, in a terminal only: a script reading
    stderr used to get an empty line where the bar would have been, after each of them."""
    region, muni = paired
    with Board.unlock(region.db, PASSPHRASE) as board:
        monday = date(2026, 11, 23)
        number = 0
        while board.data_version() < 10_500:
            writes = []
            for _ in range(250):
                number += 1
                values = {"client_code": f"AA-{number}", "triage": "new", "situation": "Bor hemma", "safety": "ok"}
                visits = {monday + timedelta(days=day): ("DEN", "hembesök") for day in (0, 2, 4)}
                writes.append(RowWrite("add", values=values, visits=visits))
            board.write_rows("CSA", writes, source="test")
    bundle = region.home / "large.fbsync"
    written = region.ok("sync", "export", "--to", "Silkeborg", "-o", str(bundle))
    imported = muni.ok("sync", "import", str(bundle))
    assert f"{number} rows touched" in imported.stdout
    for result in (written, imported):
        assert "" not in result.stderr.splitlines(), result.stderr
