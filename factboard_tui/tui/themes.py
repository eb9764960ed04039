"""FactBoard's themes, read from TOML files so a team can adjust the wall screen without touching code.

Each file in `themes/` holds one Textual `Theme` (name, dark, the colours, a `[variables]` table of extra CSS
variables) and a `[board]` table of FactBoard's own per-theme choices: `privacy` (the wall screen hides details
people in the room should not read) and `row_spacing`. Files are checked strictly when read, so a typo in a colour
is one clear line at start-up instead of a traceback the first time someone switches theme.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from factboard_tui.core import paths
from factboard_tui.core.errors import FactBoardError, os_reason
from factboard_tui.core.i18n import _

THEME_ORDER = ("factboard-wall", "factboard-laptop", "factboard-high-contrast", "factboard-light")
"""The shipped themes in the order the "next theme" key cycles through them."""

COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
"""Theme colours a file may set; only `primary` is required (Textual derives the rest)."""

FLOAT_KEYS = ("luminosity_spread", "text_alpha")
"""Optional numbers that tune how Textual derives shades and text from the colours."""

TOP_LEVEL_KEYS = frozenset({"name", "dark", *COLOUR_KEYS, *FLOAT_KEYS, "variables", "board"})
"""Everything a theme file may hold at the top level; anything else is a typo."""

BOARD_KEYS = frozenset({"privacy", "row_spacing"})
"""Keys of the `[board]` table."""

ROW_SPACINGS = (0, 1)
"""Allowed blank lines between grid rows."""


@dataclass(frozen=True)
class ThemeFile:
    """One theme file: the Textual theme to register, plus the board's own settings for it."""

    theme: Theme
    """Ready for `App.register_theme`."""
    privacy: bool
    """Whether the board hides identifying details while this theme is on (the wall screen does)."""
    row_spacing: int
    """Blank lines between grid rows: 0 or 1."""

    @property
    def name(self) -> str:
        """The theme's name, as `App.theme` takes it."""
        return self.theme.name


def load_themes(directory: Path | None = None) -> list[ThemeFile]:
    """Read every `*.toml` theme in `directory` (default: the shipped `themes/`), shipped ones first in cycle order.

    A missing directory gives an empty list; a malformed file or two files with the same name raise
    `FactBoardError` with one line naming the file and what to fix.
    """
    directory = paths.themes_dir() if directory is None else directory
    if not directory.is_dir():
        return []
    loaded: dict[str, tuple[Path, ThemeFile]] = {}
    for path in sorted(directory.glob("*.toml")):
        theme_file = load_theme_file(path)
        if theme_file.name in loaded:
            other = loaded[theme_file.name][0]
            raise FactBoardError(
                _(
                    "Theme file {path}: name {name} is already used by {other}; "
                    "fix it by giving each theme its own name."
                ).format(path=path, name=repr(theme_file.name), other=other.name)
            )
        loaded[theme_file.name] = (path, theme_file)
    return sorted((theme_file for _, theme_file in loaded.values()), key=_order_key)


def load_theme_file(path: Path) -> ThemeFile:
    """Read and check one theme file."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise _error(
            path, _("cannot be read ({reason})").format(reason=os_reason(error)), _("check it is readable")
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise _error(path, _("is not valid TOML ({error})").format(error=error), _("correct the syntax")) from None
    return _theme_from_table(path, data)


def next_theme(current: str) -> str:
    """The theme after `current` in `THEME_ORDER`; an unknown current theme starts the cycle again."""
    try:
        index = THEME_ORDER.index(current)
    except ValueError:
        return THEME_ORDER[0]
    return THEME_ORDER[(index + 1) % len(THEME_ORDER)]


def find_theme(themes: Iterable[ThemeFile], name: str) -> ThemeFile | None:
    """The loaded theme called `name`, if there is one (e.g. to read its `privacy` after a theme change)."""
    return next((theme_file for theme_file in themes if theme_file.name == name), None)


# -- checking a file --------------------------------------------------------------------------------------------


def _theme_from_table(path: Path, data: Mapping[str, Any]) -> ThemeFile:
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise _error(
            path,
            _("unknown key {key}").format(key=repr(unknown[0])),
            _("remove it or use one of {keys}").format(keys=", ".join(sorted(TOP_LEVEL_KEYS))),
        )

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _error(path, _("has no name"), _('add a line like name = "factboard-wall"'))
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise _error(
            path, _("{key} is {value}").format(key="dark", value=repr(dark)), _("set dark = true or dark = false")
        )
    if "primary" not in data:
        raise _error(path, _("has no primary colour"), _('add a line like primary = "#4FC3F7"'))

    colours: dict[str, str] = {}
    for key in COLOUR_KEYS:
        if key in data:
            colours[key] = _colour(path, key, data[key])
    numbers: dict[str, Any] = {}  # luminosity_spread, text_alpha: passed to `replace` by name
    for key in FLOAT_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise _error(
                    path,
                    _("{key} is {value}").format(key=key, value=repr(value)),
                    _("set {key} to a number between 0 and 1").format(key=key),
                )
            numbers[key] = float(value)

    variables = _variables(path, data.get("variables", {}))
    privacy, row_spacing = _board(path, data.get("board", {}))
    theme = Theme(
        name=name.strip(),
        dark=dark,
        variables=variables,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
    )
    theme = replace(theme, **numbers)  # Textual's own defaults for the numbers a file leaves out
    return ThemeFile(theme=theme, privacy=privacy, row_spacing=row_spacing)


def _colour(path: Path, key: str, value: object) -> str:
    """A colour value Textual can parse, e.g. `"#4FC3F7"` or `"rgb(79, 195, 247)"`."""
    if not isinstance(value, str):
        raise _error(
            path,
            _("{key} is {value}").format(key=key, value=repr(value)),
            _('write it as a quoted colour like {key} = "#4FC3F7"').format(key=key),
        )
    try:
        Color.parse(value)
    except ColorParseError:
        raise _error(
            path,
            _("{key} = {value} is not a colour").format(key=key, value=repr(value)),
            _('use a colour like "#4FC3F7"'),
        ) from None
    return value


def _variables(path: Path, table: object) -> dict[str, str]:
    """Extra CSS variables: names to strings (colours, or text styles such as "bold")."""
    if not isinstance(table, dict):
        raise _error(
            path,
            _("{key} is not a table").format(key="variables"),
            _('write it as a [variables] table of name = "value" lines'),
        )
    variables: dict[str, str] = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise _error(
                path,
                _("variable {key} is {value}").format(key=repr(key), value=repr(value)),
                _('quote it, like {key} = "#FFD54F"').format(key=key),
            )
        variables[key] = value
    return variables


def _board(path: Path, table: object) -> tuple[bool, int]:
    """The `[board]` table: `privacy` and `row_spacing`, both optional."""
    if not isinstance(table, dict):
        raise _error(
            path,
            _("{key} is not a table").format(key="board"),
            _("write it as a [board] table with privacy and row_spacing"),
        )
    unknown = sorted(set(table) - BOARD_KEYS)
    if unknown:
        raise _error(
            path, _("unknown key {key} in [board]").format(key=repr(unknown[0])), _("use only privacy and row_spacing")
        )
    privacy = table.get("privacy", False)
    if not isinstance(privacy, bool):
        raise _error(
            path,
            _("{key} is {value}").format(key="privacy", value=repr(privacy)),
            _("set privacy = true or privacy = false under [board]"),
        )
    row_spacing = table.get("row_spacing", 0)
    if isinstance(row_spacing, bool) or row_spacing not in ROW_SPACINGS:
        raise _error(
            path,
            _("{key} is {value}").format(key="row_spacing", value=repr(row_spacing)),
            _("set row_spacing = 0 or row_spacing = 1 under [board]"),
        )
    return privacy, int(row_spacing)


def _error(path: Path, problem: str, fix: str) -> FactBoardError:
    """One line: which file, what is wrong, what to do."""
    return FactBoardError(
        " ".join(_("Theme file {path}: {problem}; fix it: {fix}.").format(path=path, problem=problem, fix=fix).split())
    )


def _order_key(theme_file: ThemeFile) -> tuple[int, str]:
    """Shipped themes in cycle order, then any others by name."""
    name = theme_file.name
    return (THEME_ORDER.index(name) if name in THEME_ORDER else len(THEME_ORDER), name)
