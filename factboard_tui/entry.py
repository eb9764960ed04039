"""The `factboard` command's first step: `--help` answered from what the CLI drew for the same question before,
without importing Typer, Rich or a single command module, and the board opened without Typer when that is all the
command line asks (`cli.opening`; issue 15).

Drawing help costs Typer's Rich help (`rich.markdown` and `markdown_it`, about 100 ms) and every command module on
top of the interpreter: 2.3× `import typer, rich.console`, where the budget is 1.3×. Yet what help shows changes only
with the code, the words and the terminal. So the first `--help` for a question runs the CLI as always and keeps
what it wrote, under a key made of everything the drawing depends on; the same question again is answered from that
file in a few milliseconds. The key covers:

- the exact arguments (`factboard rows list --help` is its own question, and so is `--lang sv --help`);
- the code and the words: each file's size and modification time in the package (catalogs included), and Typer's
  and Rich's own files, and the Python version;
- the environment that chooses the language, colours and width (`LANG`…, `FACTBOARD_LANG`, `NO_COLOR`, `COLUMNS`,
  `TERM`…), and the config file's bytes (its `language`);
- for each standard stream, whether it is a terminal and how big, and the output's encoding.

Help is the program's own words, never board data, so the kept files are plain; they live in the user's cache
directory (mode 600, at most `KEPT` of them), and a cache that cannot be read or written only costs the time.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from contextlib import suppress
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TextIO

KEPT = 64
"""Help pages kept (the oldest go first): every command's help at a few widths and languages."""

ENVIRONMENT = (
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "FACTBOARD_LANG",
    "FACTBOARD_CONFIG",
    "COLUMNS",
    "LINES",
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLORTERM",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "TERMINAL_WIDTH",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "_TYPER_FORCE_DISABLE_TERMINAL",
    "_TYPER_STANDARD_TRACEBACK",
    "XDG_CONFIG_HOME",
    "HOME",
)
"""What in the environment may change how help is worded or drawn."""


def main() -> None:
    """Entry point of the `factboard` console script (and `python -m factboard_tui`)."""
    # FactBoard uses no Pydantic plugins, and a plugin installed beside it would be handed the values it checks (a
    # board's rows): none is loaded, and Pydantic's search for them (5-8 ms of every command) is not made.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    arguments = sys.argv[1:]
    key = _help_key(arguments) if _asks_for_help(arguments) else None
    if key is not None:
        kept = _read(key)
        if kept is not None:
            sys.stdout.write(kept)
            sys.stdout.flush()
            return
    if key is None:
        _open_or_run(arguments)
        return
    from factboard_tui.cli import main as cli_main

    out, err = _Recorder(sys.stdout), _Recorder(sys.stderr)
    sys.stdout, sys.stderr = out, err  # type: ignore[assignment]
    try:
        cli_main()
    except SystemExit as done:
        if done.code in (None, 0) and out.text and not err.text:
            _keep(key, "".join(out.text))
        raise
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream
    if out.text and not err.text:
        _keep(key, "".join(out.text))


def _open_or_run(arguments: list[str]) -> None:
    """Open the board without Typer when that is all the command line asks (`cli.opening`), else run the CLI."""
    from factboard_tui.cli import opening

    completing = any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)  # the shell asks
    asked = None if completing else opening.only_opens(arguments)
    if asked is None:
        from factboard_tui.cli import main as cli_main

        cli_main()
        return
    from factboard_tui.cli import language

    language.start(arguments)
    try:
        code = opening.open_from_shell(asked)
    except Exception as error:
        from factboard_tui import crash

        crash.stop(error, face="cli")
    if code:
        raise SystemExit(code)


def _asks_for_help(arguments: list[str]) -> bool:
    """Whether the command line asks for help (before any `--`, after which words are data)."""
    for word in arguments:
        if word == "--":
            return False
        if word == "--help":
            return True
    return False


def _help_key(arguments: list[str]) -> str | None:
    """The key of this question's help page, or None when what it depends on cannot be read."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            digest.update(repr(part).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")

    try:
        add(sys.version, tuple(arguments), sys.stdout.encoding)
        add(*((name, os.environ.get(name)) for name in ENVIRONMENT))
        for fd in (0, 1, 2):
            add(fd, os.isatty(fd), _size(fd))
        add(_config_bytes())
        for root in _code_roots():
            add(root, *_stamps(root))
    except (OSError, ValueError, ImportError):
        return None
    return digest.hexdigest()


def _size(fd: int) -> tuple[int, int] | None:
    try:
        return tuple(os.get_terminal_size(fd))  # type: ignore[return-value]
    except OSError:
        return None


def _config_bytes() -> bytes | None:
    """The config file as it is (its `language` chooses help's words); None when there is none."""
    from factboard_tui.core.paths import config_path

    try:
        return config_path().read_bytes()
    except FileNotFoundError:
        return None


def _code_roots() -> list[Path]:
    """This package's directory and Typer's and Rich's (a pip upgrade of either redraws help)."""
    roots = [Path(__file__).parent]
    for name in ("typer", "rich"):
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(name)
        roots.append(Path(spec.origin).parent)
    return roots


def _stamps(root: Path) -> list[tuple[str, int, int]]:
    """Each file under `root` (compiled caches aside) with its size and modification time."""
    stamps = []
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            status = os.stat(os.path.join(folder, name))
            stamps.append((os.path.join(folder, name), status.st_size, status.st_mtime_ns))
    return stamps


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("factboard", appauthor=False)) / "help"


def _read(key: str) -> str | None:
    try:
        return (_cache_dir() / key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _keep(key: str, text: str) -> None:
    """Keep a help page (atomically; the oldest go beyond `KEPT`); a cache that cannot be written is no error."""
    with suppress(OSError):
        folder = _cache_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".help-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, folder / key)
        except OSError:
            with suppress(OSError):
                os.unlink(temporary)
            raise
        pages = sorted(folder.iterdir(), key=lambda page: page.stat().st_mtime_ns)
        for page in pages[: max(0, len(pages) - KEPT)]:
            page.unlink()


class _Recorder:
    """A standard stream that writes through and keeps a copy of what went by (a terminal stays a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text: list[str] = []

    def write(self, text: str) -> int:
        written = self.stream.write(text)  # first: Click probes with `write(b"")`, which a text stream refuses
        self.text.append(text)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)
