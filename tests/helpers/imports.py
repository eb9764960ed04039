"""What may not be imported before a command answers or the unlock screen is drawn (STYLE.md habit 17).

Each name is a package (or module) that costs tens to hundreds of milliseconds to import on our machines: the
database layer (SQLAlchemy, SQLModel, pydantic, SQLCipher), the key slot's cryptography, the file formats
(openpyxl, icalendar, calamine), dates in the board's language (Babel: 28 ms for `babel`, 45 ms with
`babel.dates`), charts (plotext, pygal) and the browser face (textual-serve). A name added here that is not
installed is simply never loaded, so the list can name what other work is about to add.
"""

from __future__ import annotations

LATER = (
    "sqlalchemy",
    "sqlmodel",
    "sqlcipher3",
    "cryptography.hazmat.primitives.ciphers",
    "openpyxl",
    "icalendar",
    "python_calamine",
    "babel",
    "plotext",
    "pygal",
    "textual_serve",
)
"""Loaded by neither `factboard --help`, a usage error, nor the unlock screen's first frame."""

CLI_LATER = (*LATER, "textual")
"""`--help` and usage errors do not load Textual either (Typer itself loads pydantic for a usage error)."""

UNLOCK_LATER = (*LATER, "pydantic")
"""The unlock screen is drawn before pydantic too (SQLModel brings it)."""


def loaded(names: tuple[str, ...]) -> str:
    """Python source for an expression: which of `names` the running interpreter has imported, sorted."""
    return f"sorted(name for name in {names!r} if name in sys.modules)"


OPEN_LATER = (
    *UNLOCK_LATER,
    "typer",
    "click",
    "factboard_tui.cli.registry",
    "factboard_tui.crash",
    "factboard_tui.core.domain.fields",
    "factboard_tui.core.domain.history",
)
"""`factboard open` up to the unlock screen's first frame: the key slot is read first (so a missing or damaged slot
is one line in the shell, before any screen) without cryptography, and a command line that only opens the board
never reaches Typer or the command modules (`cli.opening`). Nor the board's fields, templates and history (about
15 ms, which the key slot's audit words brought in): the board needs them, the prompt does not."""
