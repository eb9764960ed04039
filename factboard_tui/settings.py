"""This machine's FactBoard settings: theme, language, remembered initials, remapped keys, idle lock.

They live in one small TOML file at `core.paths.config_path()` (`FACTBOARD_CONFIG` overrides), written by hand or
by the app when someone picks a theme or signs in. The file is read strictly: a typo becomes one line naming the
file and what to fix, not a silent default. It holds no patient data, so it is plain text; it is still written
atomically (temp file + `os.replace`) so a crash never leaves half a file. Like the core, this module does not
import Textual: the CLI reads it too.

    theme = "factboard-wall"
    language = "en"             # this person's language, over the board's (sv, da, nb, nl, en)
    user = "CSA"
    idle_lock_minutes = 10

    [keys]
    "board.edit" = "enter,f2"   # binding id = key(s); the help screen lists the ids

    [sync]
    folder = "~/Sync/factboard"  # a folder Syncthing, a share, SFTP or a mail gateway keeps in step between sites
    every = 60                   # seconds between the open board's background sync rounds
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factboard_tui.core import paths
from factboard_tui.core.errors import FactBoardError, os_reason
from factboard_tui.core.i18n import LANGUAGES, _, known_language

DEFAULT_IDLE_LOCK_MINUTES = 10
"""Minutes without a key press before the board locks itself."""

MAX_IDLE_LOCK_MINUTES = 24 * 60
"""The longest idle lock accepted: a board left open must still lock within a day."""

DEFAULT_BACKUPS_KEPT = 14
"""Backups kept per board (the oldest go first): two weeks of daily backups."""

DEFAULT_SYNC_SECONDS = 60
"""Seconds between two background sync rounds of an open board (`[sync] every`)."""

SETTING_KEYS = ("theme", "language", "user", "idle_lock_minutes", "keys", "backups", "sync")
"""Everything the config file may hold at the top level, in the order it is written."""

HEADER = "# FactBoard settings for this machine (no patient data). Binding ids for [keys] are on the help screen.\n"
"""The first line of a config file FactBoard writes from scratch."""


@dataclass(frozen=True)
class Settings:
    """The config file, checked and typed; every field has a default so a missing file is fine."""

    theme: str | None = None
    """The theme chosen last on this machine (`None`: the app's default)."""
    language: str | None = None
    """The language this machine speaks whatever the board's template says (`None`: the board's; see
    `core.i18n.choose_language`)."""
    user: str | None = None
    """The initials of whoever edits on this machine, remembered between sessions."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> key(s), e.g. `{"board.edit": "enter,f2"}`; ready for `App.set_keymap`."""
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    """Minutes without input before the board locks."""
    backups: BackupSettings = field(default_factory=lambda: BackupSettings())
    """Where backups go, how many are kept, and whether the first unlock of a day makes one."""
    sync: SyncSettings = field(default_factory=lambda: SyncSettings())
    """The shared folder sync runs through (none: the open board does no background sync)."""


@dataclass(frozen=True)
class SyncSettings:
    """The `[sync]` table: `folder` (a folder kept in step between sites by another engine) and `every`."""

    folder: Path | None = None
    every: int = DEFAULT_SYNC_SECONDS


@dataclass(frozen=True)
class BackupSettings:
    """The `[backups]` table: `directory` (default: `backups` beside the board), `keep`, `daily`."""

    directory: Path | None = None
    keep: int = DEFAULT_BACKUPS_KEPT
    daily: bool = True

    def directory_for(self, db: Path) -> Path:
        """Where this board's backups go."""
        return self.directory if self.directory is not None else db.parent / "backups"


def load_settings(path: Path | None = None) -> Settings:
    """The settings in `path` (default: `paths.config_path()`); defaults when the file does not exist."""
    path = paths.config_path() if path is None else path
    return _settings_from_table(path, _read_table(path))


def save_user(initials: str, path: Path | None = None) -> None:
    """Remember who edits on this machine, keeping every other setting."""
    initials = initials.strip()
    if not initials or "\n" in initials:
        raise FactBoardError(_("Initials to remember are empty or span lines; fix it: give staff initials like CSA."))
    _save_setting("user", initials, path)


def save_theme(name: str, path: Path | None = None) -> None:
    """Remember the chosen theme, keeping every other setting."""
    name = name.strip()
    if not name or "\n" in name:
        raise FactBoardError(
            _("Theme name to remember is empty or spans lines; fix it: give a name like factboard-wall.")
        )
    _save_setting("theme", name, path)


# -- reading ------------------------------------------------------------------------------------------------------


def _read_table(path: Path) -> dict[str, Any]:
    """The raw TOML table; empty when the file does not exist."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise _error(
            path, _("cannot be read ({reason})").format(reason=os_reason(error)), _("check it is a readable file")
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise _error(
            path, _("is not valid TOML ({error})").format(error=error), _("correct the syntax or delete the file")
        ) from None


def _settings_from_table(path: Path, table: Mapping[str, Any]) -> Settings:
    unknown = sorted(set(table) - set(SETTING_KEYS))
    if unknown:
        raise _error(
            path,
            _("unknown setting {name}").format(name=repr(unknown[0])),
            _("remove it; the settings are {names}").format(names=", ".join(SETTING_KEYS)),
        )
    theme = _optional_text(path, table, "theme", 'theme = "factboard-laptop"')
    user = _optional_text(path, table, "user", 'user = "CSA"')
    language = _optional_text(path, table, "language", 'language = "en"')
    if language is not None and known_language(language) is None:
        raise _error(
            path,
            _("{key} is {value}").format(key="language", value=repr(language)),
            _('set it to one of {names}, like language = "en"').format(names=", ".join(LANGUAGES)),
        )
    minutes = table.get("idle_lock_minutes", DEFAULT_IDLE_LOCK_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_IDLE_LOCK_MINUTES:
        raise _error(
            path,
            _("{key} is {value}").format(key="idle_lock_minutes", value=repr(minutes)),
            _("set it to a whole number of minutes from 1 to {high}, like idle_lock_minutes = 10").format(
                high=MAX_IDLE_LOCK_MINUTES
            ),
        )
    keys = table.get("keys", {})
    if not isinstance(keys, dict):
        raise _error(
            path,
            _("{key} is {value}, not a table").format(key="keys", value=repr(keys)),
            _('write a [keys] table of lines like "board.edit" = "f2"'),
        )
    backups = _backup_settings(path, table.get("backups", {}))
    return Settings(
        theme=theme,
        language=language,
        user=user,
        keys=_keymap(path, keys),
        idle_lock_minutes=minutes,
        backups=backups,
        sync=_sync_settings(path, table.get("sync", {})),
    )


def _sync_settings(path: Path, table: Any) -> SyncSettings:
    if not isinstance(table, dict) or set(table) - {"folder", "every"}:
        raise _error(
            path,
            _("{key} is {value}").format(key="sync", value=repr(table)),
            _('write a table [sync] with folder = "/path/to/shared/folder" and optionally every = 60'),
        )
    folder, every = table.get("folder"), table.get("every", DEFAULT_SYNC_SECONDS)
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        raise _error(
            path,
            _("{key} is {value}").format(key="sync.folder", value=repr(folder)),
            _('quote it, like folder = "/mnt/share/factboard"'),
        )
    if isinstance(every, bool) or not isinstance(every, int) or not 5 <= every <= 24 * 3600:
        raise _error(
            path,
            _("{key} is {value}").format(key="sync.every", value=repr(every)),
            _("set it to a whole number of seconds from 5 to 86400"),
        )
    try:
        chosen = Path(folder).expanduser() if folder else None
    except RuntimeError:  # `~someone/…` for a user this machine does not know
        raise _error(
            path,
            _("{key} is {value}").format(key="sync.folder", value=repr(folder)),
            _("write the folder's full path"),
        ) from None
    if chosen is not None and not chosen.is_absolute():  # relative to what? the board opens from anywhere
        raise _error(
            path,
            _("{key} is {value}").format(key="sync.folder", value=repr(folder)),
            _('write the folder\'s full path, like "~/Sync/factboard"'),
        )
    return SyncSettings(chosen, every)


def _backup_settings(path: Path, table: Any) -> BackupSettings:
    if not isinstance(table, dict) or set(table) - {"directory", "keep", "daily"}:
        raise _error(
            path,
            _("{key} is {value}").format(key="backups", value=repr(table)),
            _('write a table [backups] with keep = 14, daily = true and optionally directory = "/path/to/backups"'),
        )
    keep = table.get("keep", DEFAULT_BACKUPS_KEPT)
    daily = table.get("daily", True)
    directory = table.get("directory")
    if isinstance(keep, bool) or not isinstance(keep, int) or not 1 <= keep <= 1000:
        raise _error(
            path,
            _("{key} is {value}").format(key="backups.keep", value=repr(keep)),
            _("set it to a whole number from 1 to 1000, like keep = 14"),
        )
    if not isinstance(daily, bool):
        raise _error(
            path, _("{key} is {value}").format(key="backups.daily", value=repr(daily)), _("set it to true or false")
        )
    if directory is not None and (not isinstance(directory, str) or not directory.strip()):
        raise _error(
            path,
            _("{key} is {value}").format(key="backups.directory", value=repr(directory)),
            _('quote it, like directory = "/mnt/usb"'),
        )
    try:
        folder = Path(directory).expanduser() if directory else None
    except RuntimeError:  # `~someone/…` for a user this machine does not know
        raise _error(
            path,
            _("{key} is {value}").format(key="backups.directory", value=repr(directory)),
            _("write the folder's full path"),
        ) from None
    return BackupSettings(folder, keep, daily)


def _optional_text(path: Path, table: Mapping[str, Any], key: str, example: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _error(
            path,
            _("{key} is {value}").format(key=key, value=repr(value)),
            _("write it as quoted text, like {example}").format(example=example),
        )
    return value.strip()


def _keymap(path: Path, table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Binding id -> keys; unquoted `board.edit = "f2"` is a dotted key (a nested table) and means the same."""
    keymap: dict[str, str] = {}
    for name, value in table.items():
        binding_id = f"{prefix}{name}"
        if isinstance(value, dict):
            keymap |= _keymap(path, value, f"{binding_id}.")
            continue
        parts = [part.strip() for part in value.split(",")] if isinstance(value, str) else []
        if not parts or not all(parts):
            raise _error(
                path,
                _("{key} is {value}").format(key=f"[keys] {binding_id}", value=repr(value)),
                _('give one or more keys separated by commas, like "{binding}" = "ctrl+e,f2"').format(
                    binding=binding_id
                ),
            )
        keymap[binding_id] = ",".join(parts)
    return keymap


# -- writing ------------------------------------------------------------------------------------------------------


def _save_setting(key: str, value: str, path: Path | None) -> None:
    """Set one top-level text setting; refuse to touch a file that does not read cleanly."""
    path = paths.config_path() if path is None else path
    table = _read_table(path)
    _settings_from_table(path, table)
    wanted = {**table, key: value}
    text = _edited_text(path, key, value, wanted) if path.exists() else None
    _write_atomically(path, text if text is not None else _dump(wanted))


def _edited_text(path: Path, key: str, value: str, wanted: Mapping[str, Any]) -> str | None:
    """The file with only `key`'s line changed or added, keeping comments; `None` if that cannot be done safely."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError):
        return None
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    first_table = next((index for index, line in enumerate(lines) if re.match(r"\s*\[", line)), len(lines))
    new_line = f"{key} = {toml_string(value)}\n"
    assignments = [index for index in range(first_table) if re.match(r"\s*[\w\"'-]+\s*=", lines[index])]
    existing = [index for index in assignments if re.match(rf"\s*{re.escape(key)}\s*=", lines[index])]
    if existing:
        lines[existing[0]] = new_line
    else:
        lines.insert(assignments[-1] + 1 if assignments else 0, new_line)
    text = "".join(lines)
    try:
        if tomllib.loads(text) != wanted:
            return None
    except tomllib.TOMLDecodeError:
        return None
    return text


def _dump(table: Mapping[str, Any]) -> str:
    """A config file from scratch: the flat settings, then the [keys] table, then the other tables."""
    lines = [HEADER]
    for key in SETTING_KEYS:
        if key not in table or isinstance(table[key], dict):
            continue
        lines.append(_line(key, table[key]))
    if "keys" in table:
        lines.append("\n[keys]\n")
        for binding_id, keys in _keymap(Path("config"), table["keys"]).items():
            lines.append(f"{toml_key(binding_id)} = {toml_string(keys)}\n")
    for key in SETTING_KEYS:  # [backups], [sync]: kept as they were read
        if key != "keys" and isinstance(table.get(key), dict):
            lines.append(f"\n[{key}]\n")
            lines.extend(_line(name, value) for name, value in table[key].items())
    return "".join(lines)


def _line(key: str, value: Any) -> str:
    """One `key = value` line of a flat setting (a whole number, a truth value or text)."""
    if isinstance(value, bool):
        return f"{toml_key(key)} = {'true' if value else 'false'}\n"
    shown = str(value) if isinstance(value, int) else toml_string(str(value))
    return f"{toml_key(key)} = {shown}\n"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: str) -> str:
    """`value` as a TOML basic string, quotes and control characters escaped."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """`key` bare when TOML allows it, quoted otherwise (binding ids contain dots, so they are quoted)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temp file in the same directory and `os.replace`, so readers see the old or the new file."""
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        raise _error(
            path, _("cannot be written ({reason})").format(reason=os_reason(error)), _("check its folder is writable")
        ) from None


def _error(path: Path, problem: str, fix: str) -> FactBoardError:
    """One line: which file, what is wrong, what to do."""
    return FactBoardError(
        " ".join(_("Config file {path}: {problem}; fix it: {fix}.").format(path=path, problem=problem, fix=fix).split())
    )
