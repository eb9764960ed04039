"""`factboard serve`: the board in a browser, for the meeting room's PC and the nurses' laptops.

Each browser connection gets its own FactBoard process (textual-serve starts `factboard open` for it), which shows
the unlock screen: whoever sits at the browser types the team's passphrase and initials there. The server itself
never holds them: `FACTBOARD_PASSPHRASE`, `FACTBOARD_USER` and the other secrets are removed from its environment
before the first connection, so no child can inherit them and open the board unasked. The idle lock is the app's
own, so it applies in the browser as in a terminal.

The server listens on 127.0.0.1 unless told otherwise. Any other address carries the board over a network, so it
needs TLS (`--tls-cert` and `--tls-key`) or an explicit `--insecure-http`, which prints a warning. textual-serve is
an optional extra (`pip install 'factboard-tui[web]'`), imported only when `serve` runs.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ipaddress
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from factboard_tui.cli.common import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    RECOVERY_KEY_ENV,
    USER_ENV,
    DbOption,
    ThemeOption,
    db_path,
    err,
    recover,
    user_errors,
)
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.shown import shown

if TYPE_CHECKING:
    from textual_serve.server import Server

SECRETS = (PASSPHRASE_ENV, USER_ENV, NEW_PASSPHRASE_ENV, RECOVERY_KEY_ENV)
"""What the server removes from its environment before any browser connects: its children must ask."""

commands = typer.Typer()


def is_loopback(host: str) -> bool:
    """Whether `host` can only be reached from this machine (127.0.0.0/8, ::1, `localhost`)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def child_command(db: Path, theme: str | None) -> str:
    """The command each connection runs: this FactBoard's `open` on the board, as a shell line for textual-serve."""
    words = [sys.executable, "-m", "factboard_tui", "open", "--db", str(db)]
    if theme is not None:
        words += ["--theme", theme]
    return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)


def public_url(host: str, port: int, secure: bool) -> str:
    """The address browsers use (a wildcard address is named by this machine's host name instead)."""
    name = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in name:
        name = f"[{name}]"
    return f"{'https' if secure else 'http'}://{name}:{port}"


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server TLS context from a certificate (chain) and its key, with a one-line error when they do not load."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise FactBoardError(
            _(
                "The TLS certificate {cert} and key {key} do not load ({problem}): give a PEM certificate and its key."
            ).format(cert=cert, key=key, problem=getattr(error, "strerror", None) or error)
        ) from None
    return context


def make_server(command: str, host: str, port: int, url: str, context: ssl.SSLContext | None) -> Server:
    """A textual-serve server for `command` that listens on `host:port`, over TLS when `context` is given."""
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ImportError:
        raise FactBoardError(
            _("factboard serve needs the web extra: pip install 'factboard-tui[web]'; nothing was started.")
        ) from None

    class FactBoardServer(Server):
        """textual-serve that passes a TLS context to aiohttp (its own `serve` has no way to)."""

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for stop in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):  # Windows: ctrl+c still ends run_app
                    loop.add_signal_handler(stop, self.request_exit)
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                ssl_context=context,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
            )

    return FactBoardServer(
        command, host=host, port=port, title="FactBoard", public_url=url, templates_path=page_templates()
    )


FONT_LINK = re.compile(r"<link\s+rel=\"stylesheet\"\s+href=\"https://fonts\.googleapis\.com[^\"]*\"\s*/>\s*")
"""textual-serve's page loads a font from Google: a request to a third party from the meeting room's browser, which
hospital networks often block anyway. The page falls back to the browser's own monospace font."""


def page_templates() -> Path:
    """textual-serve's page template without its web font, in a folder of its own for this server's lifetime."""
    import textual_serve

    page = (Path(textual_serve.__file__).parent / "templates" / "app_index.html").read_text(encoding="utf-8")
    folder = Path(tempfile.mkdtemp(prefix="factboard-serve-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "app_index.html").write_text(FONT_LINK.sub("", page), encoding="utf-8")
    return folder


@commands.command("serve")
@user_errors
def serve(
    db: DbOption = None,
    theme: ThemeOption = None,
    host: Annotated[
        str,
        typer.Option("--host", help=_("Address to listen on (another than 127.0.0.1 needs TLS or --insecure-http).")),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help=_("Port to listen on."))] = 8000,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help=_("PEM certificate (chain) for HTTPS; needs --tls-key."))
    ] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help=_("PEM private key of --tls-cert."))] = None,
    insecure_http: Annotated[
        bool,
        typer.Option(
            "--insecure-http",
            help=_("Serve plain HTTP on an address other than 127.0.0.1 (the board travels unencrypted)."),
        ),
    ] = False,
) -> None:
    """Serve the board to browsers: each connection runs its own FactBoard and asks for the passphrase."""
    if (tls_cert is None) != (tls_key is None):
        raise FactBoardError(_("Give --tls-cert and --tls-key together; nothing was started."))
    if not is_loopback(host) and tls_cert is None and not insecure_http:
        raise FactBoardError(
            _(
                "{host} can be reached from other machines: give --tls-cert and --tls-key, or --insecure-http if "
                "the network is yours alone; nothing was started."
            ).format(host=host)
        )
    path = db_path(db)
    recover(path)
    from factboard_tui.core.store.board import Board

    Board.read_slot(path)  # no board, no server: say so now, not in every browser
    context = tls_context(tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None
    if context is None and not is_loopback(host):
        err.print(
            shown(
                (_("warning:"), "bold yellow"),
                " ",
                _("serving plain HTTP on {host}: the board and the passphrase travel unencrypted.").format(host=host),
            ),
            soft_wrap=True,
        )
    for name in SECRETS:
        os.environ.pop(name, None)  # every child copies this environment: none may open the board unasked
    url = public_url(host, port, context is not None)
    server = make_server(child_command(path, theme), host, port, url, context)
    err.print(shown(_("Serving {board} at {url} (ctrl+c stops).").format(board=path.name, url=url)), soft_wrap=True)
    server.serve()
