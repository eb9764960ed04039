"""`factboard sync run` as a site runs it (by hand, from cron): real boards, one shared folder, separate processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import Cli, one_line_error
from helpers.sites import make_sites


def _cli(tmp_path: Path, name: str) -> Cli:
    """The command as a person at site `name` runs it, on that site's board (made by `make_sites`)."""
    return Cli(tmp_path / f"{name}.db", home=tmp_path / name, tmpdir=tmp_path / name / "tmp")


@pytest.fixture
def paired(tmp_path: Path) -> tuple[Cli, Cli, Path]:
    """Two sites that trust each other (made in-process: `sync trust` has its own tests) and an empty shared folder."""
    for board in make_sites(tmp_path, ["Region", "Silkeborg"]).values():
        board.close()
    shared = tmp_path / "shared"
    shared.mkdir()
    return _cli(tmp_path, "Region"), _cli(tmp_path, "Silkeborg"), shared


def _rows(cli: Cli) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(cli.ok("rows", "list", "--json").stdout)
    return sorted(rows, key=lambda row: str(row["client_code"]))


def test_sync_run_writes_for_the_peer_and_the_peer_imports_it(paired: tuple[Cli, Cli, Path]) -> None:
    region, muni, shared = paired
    region.ok("rows", "add", "--code", "DD-75", "--triage", "new", "--situation", "Bor hemma")
    first = region.ok("sync", "run", "--folder", str(shared), "--settle", "0").stdout
    assert "Wrote a bundle for Silkeborg" in first
    imported = muni.ok("sync", "run", "--folder", str(shared), "--settle", "0").stdout
    assert "Imported" in imported and "from Region" in imported
    assert [row["client_code"] for row in _rows(muni)] == ["DD-75"]
    peers = muni.ok("sync", "peers").stdout
    assert "Last bundle" in peers and "just now" in peers  # the region's bundle, written moments ago
    assert "never" in region.ok("sync", "peers").stdout  # nothing from the muni yet
    region.ok("sync", "run", "--folder", str(shared), "--settle", "0")  # takes the muni's acknowledgement
    assert "Nothing new" in region.ok("sync", "run", "--folder", str(shared), "--settle", "0").stdout
    assert "Nothing new" in muni.ok("sync", "run", "--folder", str(shared), "--settle", "0").stdout


def test_the_config_folder_is_used_and_a_missing_one_is_one_line(paired: tuple[Cli, Cli, Path]) -> None:
    region, _muni, shared = paired
    one_line_error(region("sync", "run"), "--folder")
    one_line_error(region("sync", "run", "--folder", str(shared / "gone")), "does not exist")
    config = region.home / "factboard.toml"
    config.write_text(f'[sync]\nfolder = "{shared}"\n')
    done = region.ok("sync", "run", "--settle", "0", env={"FACTBOARD_CONFIG": str(config)}).stdout
    assert "Wrote a bundle for Silkeborg" in done
    config.write_text("[sync]\nfolder = 3\n")
    one_line_error(region("sync", "run", env={"FACTBOARD_CONFIG": str(config)}), "sync.folder")


def test_a_refused_file_exits_eight_once_says_why_and_stays(paired: tuple[Cli, Cli, Path]) -> None:
    region, muni, shared = paired
    region.ok("rows", "add", "--code", "DD-75", "--triage", "new")
    region.ok("sync", "run", "--folder", str(shared), "--settle", "0")
    (bundle,) = (shared).glob("*/*.fbsync")
    data = bytearray(bundle.read_bytes())
    data[-5] ^= 0xFF  # damaged on the way; its signature file no longer matches
    bundle.write_bytes(bytes(data))
    refused = muni("sync", "run", "--folder", str(shared), "--settle", "0")
    assert refused.returncode == 8
    assert "refused:" in refused.stderr and bundle.name in refused.stderr and "signature" in refused.stderr
    assert bundle.is_file() and _rows(muni) == []
    assert muni.ok("sync", "run", "--folder", str(shared), "--settle", "0").stderr == ""


def _round(cli: Cli, shared: Path, *, code: int = 0, env: dict[str, str | None] | None = None) -> dict[str, Any]:
    """`sync run --json` as a cron script runs it: the exit code it checks, and the one JSON document it reads."""
    done = cli("sync", "run", "--folder", str(shared), "--settle", "0", "--json", env=env)
    assert done.returncode == code, done.stderr
    assert not {"\x1b", "\x07", "\u202e"} & set(done.stdout)  # hostile file names travel as JSON escapes
    assert "refused:" not in done.stderr and "Wrote" not in done.stdout  # stdout is the document alone
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_sync_run_json_tells_a_script_what_went_out_what_came_in_and_what_was_refused(
    paired: tuple[Cli, Cli, Path],
) -> None:
    region, muni, shared = paired
    region.ok("rows", "add", "--code", "DD-75", "--triage", "new", "--situation", "Bor hemma")
    region.ok("rows", "add", "--code", "EE-12", "--triage", "watch")
    sent = _round(region, shared)
    assert sent["folder"] == str(shared) and sent["busy"] is False and sent["inbox"] == []
    assert str(sent["at"]).endswith("+00:00")
    (written,) = sent["written"]
    assert written["peer"] == "Silkeborg" and written["changes"] >= 2
    (bundle,) = shared.glob(f"*/{written['file']}")  # the file named is the one in the peer's inbox
    assert sent["totals"] == {
        "written": 1,
        "changes_written": written["changes"],
        "imported": 0,
        "changes_applied": 0,
        "conflicts": 0,
        "already": 0,
        "refused": 0,
        "waiting": 0,
    }

    taken = _round(muni, shared)
    (arrived,) = taken["inbox"]
    assert arrived["file"] == bundle.name and arrived["outcome"] == "imported" and arrived["reason"] is None
    assert arrived["from"] == "Region" and arrived["applied"] >= 2 and arrived["conflicts"] == 0
    assert taken["totals"]["imported"] == 1 and taken["totals"]["changes_applied"] == arrived["applied"]
    assert [item["peer"] for item in taken["written"]] == ["Region"]
    assert [row["client_code"] for row in _rows(muni)] == ["DD-75", "EE-12"]
    _round(region, shared)  # takes the muni's acknowledgement
    quiet = _round(region, shared)
    assert quiet["written"] == [] and quiet["inbox"] == [] and set(quiet["totals"].values()) == {0}
    copy = bundle.with_name("conflict-copy.fbsync")  # what Syncthing makes of a file two sides touched
    copy.write_bytes(bundle.read_bytes())
    copy.with_name(copy.name + ".minisig").write_bytes(bundle.with_name(bundle.name + ".minisig").read_bytes())
    (again,) = _round(muni, shared)["inbox"]
    assert again["file"] == copy.name and again["outcome"] == "already" and again["reason"]

    # A bundle damaged on the way, and one whose signature file has not arrived: exit 8, each said with its reason.
    region.ok("rows", "set", "DD-75", "situation", "Flyttat")
    (fresh,) = _round(region, shared)["written"]
    damaged = next(shared.glob(f"*/{fresh['file']}"))
    data = bytearray(damaged.read_bytes())
    data[-5] ^= 0xFF
    damaged.write_bytes(bytes(data))
    unsigned = damaged.with_name("by-hand\x1b]0;owned\x07\u202e.fbsync")  # a name that would act on a terminal
    unsigned.write_bytes(b"half a copy")
    refused = _round(muni, shared, code=8)
    outcomes = {item["file"]: item for item in refused["inbox"]}
    assert outcomes[damaged.name]["outcome"] == "refused" and "signature" in outcomes[damaged.name]["reason"]
    assert outcomes[unsigned.name] == {
        "file": unsigned.name,
        "outcome": "waiting",
        "reason": "waiting for its signature file",
    }
    assert refused["totals"]["refused"] == 1 and refused["totals"]["waiting"] == 1
    assert [row["situation"] for row in _rows(muni)] == ["Bor hemma", None]  # nothing of the damaged file applied

    # The outcome is a word a script tests; the reason is the line a person reads, in the board's language.
    swedish = _round(muni, shared, env={"FACTBOARD_LANG": None})
    said = {item["file"]: item for item in swedish["inbox"]}
    assert damaged.name not in said  # refused once; the ledger remembers it
    assert said[unsigned.name] == {"file": unsigned.name, "outcome": "waiting", "reason": "väntar på sin signaturfil"}


# -- sync watch: three boards, two watchers, edits while they run ---------------------------------------------------

WATCH_LIMIT = 180.0
"""The most a convergence may take on a loaded machine before the test gives up (a bound, never a measure)."""


def _content(cli: Cli) -> list[dict[str, object]]:
    """The rows as a person compares boards: every field, not the local id or the time of the local write."""
    local = {"id", "updated_at", "updated_by"}
    return [{key: value for key, value in row.items() if key not in local} for row in _rows(cli)]


def _converge(sites: list[Cli], shared: Path, by_hand: Cli) -> list[dict[str, object]]:
    """Wait (bounded) until every board shows the same rows; `by_hand` runs a round itself each time."""
    deadline = time.monotonic() + WATCH_LIMIT
    while True:
        by_hand.ok("sync", "run", "--folder", str(shared), "--settle", "0.3")
        seen = [_content(site) for site in sites]
        if all(content == seen[0] for content in seen) or time.monotonic() > deadline:
            assert all(content == seen[0] for content in seen), seen
            return seen[0]


def _watch(cli: Cli, shared: Path, log: Path, *json: str) -> subprocess.Popen[bytes]:
    """`sync watch` in the background; with `--json`, its stdout (the rounds' JSON lines) goes to LOG.jsonl alone."""
    command = [sys.executable, "-m", "factboard_tui", "sync", "watch", "--folder", str(shared), *json]
    with log.open("wb") as output, log.with_suffix(".jsonl").open("wb") as lines:
        return subprocess.Popen(
            [*command, "--every", "0.2", "--settle", "1"],
            env=cli.environment(),
            stdout=lines if json else output,
            stderr=output if json else subprocess.STDOUT,
            cwd=cli.home,
        )


def _slowly(path: Path, data: bytes, signature: str) -> None:
    """Deliver a bundle the way a slow share copies it: the signature file first, then the bundle in pieces."""
    path.with_name(path.name + ".minisig").write_text(signature)
    with path.open("wb") as handle:
        for start in range(0, len(data), 256):
            handle.write(data[start : start + 256])
            handle.flush()
            os.fsync(handle.fileno())
            time.sleep(0.05)  # a pause between pieces, shorter than --settle; nothing is asserted on it


def test_two_sync_watch_processes_keep_three_boards_converged_through_one_folder(tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["Region", "Silkeborg", "Herning"])
    region_inbox = tmp_path / "shared" / sites["Region"].site_id
    for board in sites.values():
        board.close()
    region, muni, town = (_cli(tmp_path, name) for name in ("Region", "Silkeborg", "Herning"))
    shared = tmp_path / "shared"
    shared.mkdir()
    logs = {name: tmp_path / f"{name}.log" for name in ("region", "muni")}
    watchers = {
        "region": _watch(region, shared, logs["region"]),
        "muni": _watch(muni, shared, logs["muni"], "--json"),  # as a script would run it: JSON Lines
    }
    try:
        region.ok("rows", "add", "--code", "DD-75", "--triage", "new", "--situation", "Bor hemma")
        muni.ok("rows", "add", "--code", "EE-12", "--triage", "watch")
        town.ok("rows", "add", "--code", "FF-01", "--triage", "stable")
        first = _converge([region, muni, town], shared, town)
        assert [row["client_code"] for row in first] == ["DD-75", "EE-12", "FF-01"]

        # Edits while both watch: the muni edits the region's client, the region takes one off.
        muni.ok("rows", "set", "DD-75", "situation", "Flyttat till boende")
        region.ok("rows", "off", "EE-12", "--reason", "Avslutad")
        # A bundle from the town reaches the region's inbox slowly, while its watcher runs.
        town.ok("rows", "add", "--code", "GG-33", "--triage", "new")
        slow = tmp_path / "slow.fbsync"
        town.ok("sync", "export", "--to", "Region", "-o", str(slow))
        arriving = region_inbox / "from-town-by-hand.fbsync"
        arriving.parent.mkdir(exist_ok=True)
        _slowly(arriving, slow.read_bytes(), slow.with_name(slow.name + ".minisig").read_text())
        second = _converge([region, muni, town], shared, town)
        assert [row["client_code"] for row in second] == ["DD-75", "FF-01", "GG-33"]
        assert next(row for row in second if row["client_code"] == "DD-75")["situation"] == "Flyttat till boende"
    finally:
        for watcher in watchers.values():
            watcher.send_signal(signal.SIGINT)
        codes = {name: watcher.wait(timeout=60) for name, watcher in watchers.items()}
    told = {name: log.read_text() for name, log in logs.items()}
    assert codes == {"region": 0, "muni": 0}, told
    for text in told.values():
        assert "Stopped." in text and "refused:" not in text and "Traceback" not in text, text
    imported = {"region": re.findall(r"^Imported (\S+) from", told["region"], re.MULTILINE)}
    rounds = [json.loads(line) for line in logs["muni"].with_suffix(".jsonl").read_text().splitlines()]
    assert rounds and all(not item.get("error") and not item["totals"]["refused"] for item in rounds), rounds
    assert all(item["written"] or item["inbox"] or item["busy"] for item in rounds)  # a quiet round prints nothing
    imported["muni"] = [file["file"] for item in rounds for file in item["inbox"] if file["outcome"] == "imported"]
    for name, files in imported.items():
        assert files and len(files) == len(set(files)), f"{name} imported a file twice: {files}"
    assert imported["region"].count("from-town-by-hand.fbsync") == 1


def test_sync_watch_json_prints_only_json_lines_and_a_line_for_a_round_that_failed(
    paired: tuple[Cli, Cli, Path], tmp_path: Path
) -> None:
    region, _muni, shared = paired
    gone = shared / "not-mounted"  # the share is not there yet: each round fails, and is tried again
    log = tmp_path / "watch.log"
    watcher = _watch(region, gone, log, "--json")
    lines = log.with_suffix(".jsonl")
    try:
        deadline = time.monotonic() + WATCH_LIMIT
        while lines.read_text().count("\n") < 2 and watcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watcher.send_signal(signal.SIGINT)
        code = watcher.wait(timeout=60)
    said = log.read_text()
    assert code == 0 and "Watching" in said and "Stopped." in said and "Traceback" not in said, said
    rounds = [json.loads(line) for line in lines.read_text().splitlines()]
    assert len(rounds) >= 2, rounds  # the rounds went on after the first failed
    for item in rounds:
        assert set(item) == {"folder", "at", "error"} and item["folder"] == str(gone), item
        assert "does not exist" in item["error"] and str(gone) in item["error"]
