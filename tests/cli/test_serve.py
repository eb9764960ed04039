"""`factboard serve`: the board in a real browser (Chromium under Playwright), and the server's refusals.

The browser scenario runs the real server as a process with the passphrase and initials in its environment, as a
careless script would: the page must still ask for them, since the server drops them before any connection.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from helpers.browser import Screen, chromium, free_port, open_screen, require_browser, wait_until_listening
from helpers.cli import Cli, one_line_error
from helpers.terminal import demo_board, run_cli

DEMO_PASSPHRASE = "factboard-demo"


@contextmanager
def serving(env: dict[str, str], *args: str, log: Path) -> Iterator[subprocess.Popen[str]]:
    """`factboard serve ARGS` as its own process group, stopped (with every FactBoard it started) at the end."""
    with log.open("w", encoding="utf-8") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "factboard_tui", "serve", *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        yield server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        with_children = subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True, text=True).stdout
        for pid in with_children.split():
            os.kill(int(pid), signal.SIGKILL)


def children_environments(server: subprocess.Popen[str]) -> list[dict[str, str]]:
    """The environment of each process the server started (Linux: /proc/PID/environ)."""
    found = subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True, text=True).stdout.split()
    environments = []
    for pid in found:
        if int(pid) == server.pid:
            continue
        try:
            raw = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue  # ended meanwhile
        environments.append(dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item))
    return environments


def sign_in(screen: Screen) -> None:
    """Click into the page's terminal and type the demo's passphrase and a nurse's initials, as she does."""
    screen.page.click(".textual-terminal")
    screen.type(DEMO_PASSPHRASE)
    screen.press("Enter")
    screen.type("CSA")
    screen.press("Enter")


def test_a_nurse_unlocks_moves_and_edits_a_cell_in_the_browser(tmp_path: Path) -> None:
    require_browser()
    db, env = demo_board(tmp_path)
    port = free_port()
    careless = env | {"FACTBOARD_PASSPHRASE": DEMO_PASSPHRASE, "FACTBOARD_USER": "MJR"}
    with (
        serving(careless, "--db", str(db), "--port", str(port), log=tmp_path / "serve.log") as server,
        chromium() as browser,
    ):
        wait_until_listening(server, port, tmp_path / "serve.log")
        screen = open_screen(browser, f"http://127.0.0.1:{port}/")
        screen.wait_for("Passphrase")  # the server had the passphrase and initials: the page asks all the same
        assert "signed in" not in screen.text()
        assert [child for child in children_environments(server) if "FACTBOARD_PASSPHRASE" in child] == []
        assert [child for child in children_environments(server) if "FACTBOARD_USER" in child] == []
        sign_in(screen)
        board = screen.wait_for("signed in: CSA")
        for code in ("NN-89", "RT-93", "EE-68"):
            assert code in board
        screen.page.screenshot(path=str(tmp_path / "board-in-chromium.png"))
        # Down two rows to EE-68 (its situation shows below the grid), across to its safety cell (the wall layout:
        # board_view.WIDE_COLUMNS), edit it.
        screen.press("j", "j")
        screen.wait_for("Skurit sig i helgen, inlagd på avd. 56.")
        screen.press(*["l"] * 12, "Enter", "Control+u")  # past the flags column (⚑) beside the triage
        screen.type("Tillsyn varje natt")
        screen.press("Enter")
        screen.wait_for("Tillsyn varje natt")
        # A second browser is a second FactBoard: it asks for the passphrase while the first stays signed in.
        second = open_screen(browser, f"http://127.0.0.1:{port}/")
        second.wait_for("Passphrase")
        assert "signed in" not in second.text()
        assert screen.requests and all(url.startswith(f"http://127.0.0.1:{port}/") for url in screen.requests)
        screen.mark()
        screen.press("Control+q")
        second.page.close()
    listed = run_cli(env | {"FACTBOARD_PASSPHRASE": DEMO_PASSPHRASE}, "rows", "list", "--json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    rows = {row["client_code"]: row for row in json.loads(listed.stdout)}
    assert rows["EE-68"]["safety"] == "Tillsyn varje natt"
    assert rows["NN-89"]["safety"] == "OK" and rows["RT-93"]["safety"] != "Tillsyn varje natt"


IDLE_LOCK_LIMIT = 240.0
"""The most the test waits for the idle lock (it comes one minute after the last key, checked every 5 s), and
for each unlock; a bound for a loaded machine, never a measure."""


def test_the_idle_lock_covers_the_board_in_the_browser_and_the_passphrase_brings_it_back(tmp_path: Path) -> None:
    """With the config's shortest idle lock (one minute, as a team sets it), a browser left alone locks: the page
    then shows the lock screen and nothing of the board, and the passphrase typed in the page opens it again.

    The wait is the real minute (the app's clock is the real one: the demo's frozen time is not passed on, nor any
    test-only setting); it runs beside the other tests under xdist, so it costs the suite little of its wall time."""
    require_browser()
    db, env = demo_board(tmp_path)
    config = tmp_path / "factboard.toml"
    config.write_text("idle_lock_minutes = 1\n", encoding="utf-8")
    env = {name: value for name, value in env.items() if name != "FACTBOARD_NOW"} | {"FACTBOARD_CONFIG": str(config)}
    port = free_port()
    with (
        serving(env, "--db", str(db), "--port", str(port), log=tmp_path / "serve.log") as server,
        chromium() as browser,
    ):
        wait_until_listening(server, port, tmp_path / "serve.log")
        screen = open_screen(browser, f"http://127.0.0.1:{port}/")
        screen.wait_until_shown("Passphrase")
        sign_in(screen)
        board = screen.wait_until_shown("signed in: CSA")
        data = ("NN-89", "RT-93", "EE-68")
        assert all(code in board for code in data), board

        # Nobody touches the page: after a minute it locks by itself, and the board is gone from the page.
        locked = screen.wait_until_shown("FactBoard is locked", seconds=IDLE_LOCK_LIMIT)
        assert "Type the team's passphrase to go on (signed in: CSA)." in locked
        assert [code for code in data if code in locked] == [], locked
        assert [code for code in data if code in screen.page.inner_text("body")] == []
        screen.page.screenshot(path=str(tmp_path / "locked-in-chromium.png"))

        # A wrong passphrase keeps it locked; the team's passphrase brings the board back where it was.
        screen.type("not-the-passphrase")
        screen.press("Enter")
        screen.wait_until_shown("Wrong passphrase", seconds=IDLE_LOCK_LIMIT)
        assert "NN-89" not in screen.shown()
        screen.type(DEMO_PASSPHRASE)
        screen.press("Enter")
        again = screen.wait_until_shown("NN-89", seconds=IDLE_LOCK_LIMIT)
        assert "FactBoard is locked" not in again and "signed in: CSA" in again
        screen.press("Control+q")
    assert "Traceback" not in (tmp_path / "serve.log").read_text(encoding="utf-8")


def test_another_address_needs_tls_or_insecure_http(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    refused = cli("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    one_line_error(refused, "0.0.0.0 can be reached from other machines", "--tls-cert", "--insecure-http")
    half = cli("serve", "--host", "0.0.0.0", "--tls-cert", str(tmp_path / "cert.pem"))
    one_line_error(half, "--tls-cert and --tls-key together")
    (tmp_path / "cert.pem").write_text("not a certificate", encoding="utf-8")
    (tmp_path / "key.pem").write_text("not a key", encoding="utf-8")
    broken = cli("serve", "--tls-cert", str(tmp_path / "cert.pem"), "--tls-key", str(tmp_path / "key.pem"))
    one_line_error(broken, "do not load")
    missing = cli("serve", "--db", str(tmp_path / "none.db"))
    one_line_error(missing, "There is no board at")


def test_insecure_http_warns_and_serves(cli: Cli, tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    cli.ok("init")
    port = free_port()
    log = tmp_path / "serve.log"
    with serving(cli.environment(), "--host", "0.0.0.0", "--port", str(port), "--insecure-http", log=log) as server:
        wait_until_listening(server, port, log)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
        assert "data-session-websocket-url" in page
        assert "googleapis" not in page and "https://" not in page  # nothing loaded from a third party
    assert "warning: serving plain HTTP on 0.0.0.0: the board and the passphrase travel unencrypted" in log.read_text(
        encoding="utf-8"
    ).replace("\n", " ")


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_tls_serves_https_and_a_secure_websocket(cli: Cli, tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    cli.ok("init")
    cert, key = self_signed(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    args = ("--host", "localhost", "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key))
    with serving(cli.environment(), *args, log=log) as server:
        wait_until_listening(server, port, log)
        trusting = ssl.create_default_context(cafile=str(cert))
        page = urllib.request.urlopen(f"https://localhost:{port}/", timeout=30, context=trusting).read().decode()
        assert f'data-session-websocket-url="wss://localhost:{port}/ws"' in page
        with pytest.raises((OSError, http.client.HTTPException)):  # plain HTTP on the TLS port gets no page
            urllib.request.urlopen(f"http://localhost:{port}/", timeout=30).read()


def test_without_the_web_extra_serve_says_how_to_get_it(cli: Cli) -> None:
    cli.ok("init")
    hidden = "import runpy, sys; sys.modules['textual_serve'] = None; sys.argv = ['factboard', 'serve']; "
    hidden += "runpy.run_module('factboard_tui', run_name='__main__', alter_sys=True)"
    result = subprocess.run(
        [sys.executable, "-c", hidden], env=cli.environment(), capture_output=True, text=True, timeout=120
    )
    one_line_error(result, "pip install 'factboard-tui[web]'")
