"""When FactBoard itself fails: a short account on screen and a crash report, neither holding any board data.

Textual's crash screen (like Rich's and Typer's pretty tracebacks) prints each frame's local variables; one crash
showed `passphrase = '…'` and a client's situation on the wall screen, and printed them into the terminal's
scrollback. Both faces route an unexpected exception here instead (the TUI from `FactBoardApp._handle_exception`,
the CLI from `cli.main`), which keeps only what a maintainer needs and no person can be named from:

- kept: the exception's type (and the types of the exceptions it came from), and for each frame the file (inside
  the package, or inside site-packages), the line number and the function; the report adds each frame's line of
  source code, FactBoard's, Python's and the platform's versions and the time;
- never kept: local variables and arguments, and exception messages. A message is where a value ends up
  (`KeyError('DD-75')`, a markup error quoting the cell, a `FactBoardError` echoing what was typed), so none is
  shown, not even ours: an error of ours that reaches this point is a bug too.

The report goes to `crash-reports/` in the user's state directory (`core.paths.crash_reports_dir`), created mode 700,
the file itself mode 600, created exclusively (never through a link). If it cannot be written, the screen says so.
No third-party import here: the CLI reaches this when anything at all went wrong.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from factboard_tui.core import paths
from factboard_tui.core.errors import os_reason
from factboard_tui.core.i18n import _

EXIT_CODE = 70
"""The exit code of a crash (EX_SOFTWARE: an internal error), apart from every user error's."""

FRAMES_ON_SCREEN = 8
"""The innermost frames shown on screen; the report has them all."""

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Crash:
    """What was written where, and the lines to show the person."""

    text: str
    report: Path | None


def stop(error: BaseException, face: str) -> NoReturn:
    """Tell a crash on stderr (see `record`) and leave with `EXIT_CODE`, instead of a traceback."""
    sys.stderr.write(record(error, face=face).text + "\n")
    raise SystemExit(EXIT_CODE) from None


def record(error: BaseException, face: str, now: datetime | None = None) -> Crash:
    """Write the crash report for `error` and return the text to show (see the module docstring)."""
    moment = now or datetime.now(UTC)
    chain = _chain(error)
    try:
        report: Path | None = _write(_report_text(chain, face, moment), moment)
        where = _(
            "A crash report (no board data, no passphrase) is in {path}: please send it to whoever looks after "
            "FactBoard for your team."
        ).format(path=report)
    except OSError as problem:
        report = None
        where = _(
            "The crash report could not be written ({reason}): please tell whoever looks after FactBoard for your "
            "team what happened."
        ).format(reason=os_reason(problem))
    innermost = chain[-1]
    lines = [
        _(
            "FactBoard stopped because of an error in FactBoard itself ({error}). What was saved stays saved and "
            "encrypted; an edit not yet saved is lost."
        ).format(error=_type_name(innermost)),
        *(f"  {_where(frame)}" for frame in _frames(innermost)[-FRAMES_ON_SCREEN:]),
        where,
    ]
    return Crash("\n".join(lines), report)


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and those it came from (`raise … from`, or raised while handling), outermost cause first."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain[::-1]


def _frames(error: BaseException) -> traceback.StackSummary:
    """The frames an exception passed through, without their local variables."""
    return traceback.extract_tb(error.__traceback__)  # FrameSummary objects: no locals unless asked for


def _type_name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _short_path(filename: str) -> str:
    """A frame's file inside FactBoard's package or inside site-packages, else its name: no home folders."""
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    try:
        return str(path.resolve().relative_to(_PACKAGE_ROOT))
    except ValueError:
        return path.name


def _where(frame: traceback.FrameSummary) -> str:
    return f"{_short_path(frame.filename)}:{frame.lineno} in {frame.name}"


def _report_text(chain: list[BaseException], face: str, moment: datetime) -> str:
    try:
        version = metadata.version("factboard-tui")
    except metadata.PackageNotFoundError:
        version = "unknown"
    lines = [
        "FactBoard crash report",
        f"time (UTC): {moment.astimezone(UTC).isoformat(timespec='seconds')}",
        f"face: {face}",
        f"factboard-tui: {version}",
        f"python: {platform.python_version()} ({sys.implementation.name})",
        f"platform: {platform.system()} {platform.release()} {platform.machine()}",
        "",
        "Exception types and frames, outermost cause first. Local variables and exception messages are left out",
        "on purpose: they can hold board data.",
    ]
    for index, error in enumerate(chain):
        lines += ["", f"{'then ' if index else ''}{_type_name(error)}"]
        for frame in _frames(error):
            lines.append(f"  {_where(frame)}")
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines) + "\n"


def _write(text: str, moment: datetime) -> Path:
    directory = paths.crash_reports_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"crash-{moment.astimezone(UTC):%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return path
