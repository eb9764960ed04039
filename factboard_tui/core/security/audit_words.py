"""The words FactBoard itself writes into audit entries (unlocks, restores, re-keys, backups, meetings, extracts),
stored as a message id with named values so each reader sees them in their own language.

An entry's detail was English free text ("3 failed unlocks since 2026-11-30T07:12 (cli)", "the board before is kept
as …"), and a Swedish coordinator's `audit show` read it in English. Now the writer stores `stored(MESSAGE, name=…)`:
canonical JSON `{"msg": "<English msgid>", "name": …}`, the msgid marked with `N_` here. `said()` turns it back into
a sentence in the language in use when the log is shown. The hash chain and the seal cover the stored text, so
`audit verify` is unchanged; an older entry's free text is not JSON with a known `msg` and is shown as stored, and
so is anything a person typed.
"""

from __future__ import annotations

import json
from typing import Any

from factboard_tui.core.domain.history import SOURCES
from factboard_tui.core.i18n import N_, _

MESSAGE = "msg"
"""The key naming the message id in a stored detail."""

FAILED_UNLOCKS = N_("failed unlocks: {count}, the first at {since} (through {via})")
FAILED_UNLOCKS_UNKNOWN_START = N_("failed unlocks: {count}, since an unknown time (through {via})")
FAILED_UNLOCKS_ALTERED = N_(
    "failed unlocks: {count}, counted from an unreadable or altered attempts file (through {via})"
)
WRONG_ON_LOCK_SCREEN = N_("a wrong passphrase on the lock screen")
UNLOCKED = N_("through {via}")
LOCKED = N_("idle, or locked with ctrl+l")
RESTORED = N_("the board before is kept as {file}")
REKEYED = N_("the database has a new key; the old recovery key no longer opens it")
BACKED_UP = N_("rows: {count}, copied to {folder}")
EXTRACTED = N_("lines: {count}, as {format}")
ROWS = N_("rows: {count}")
MEETING = N_("meeting {number}")
MEETING_STORED = N_("rows: {count}, present: {present}")
MEETING_TAKEN_OVER = N_("from {chair}, running since {since}")
MEETING_TAKEN_OVER_STALE = N_("from {chair}, running since {since} (no longer answering)")
MEETING_CLOSED = N_("{chair}, running since {since}")
PURGED = N_("rows: {rows}, fields: {fields} (taken off the board before {date})")
SYNC_WRITTEN = N_("to {peer}, changes: {count}")
PEER_SITE = N_("site {site}")

MESSAGES = frozenset(
    {
        FAILED_UNLOCKS,
        FAILED_UNLOCKS_UNKNOWN_START,
        FAILED_UNLOCKS_ALTERED,
        WRONG_ON_LOCK_SCREEN,
        UNLOCKED,
        LOCKED,
        RESTORED,
        REKEYED,
        BACKED_UP,
        EXTRACTED,
        ROWS,
        MEETING,
        MEETING_STORED,
        MEETING_TAKEN_OVER,
        MEETING_TAKEN_OVER_STALE,
        MEETING_CLOSED,
        PURGED,
        SYNC_WRITTEN,
        PEER_SITE,
    }
)
"""Every message a stored detail may name: anything else is shown as stored."""

VIAS = {
    **SOURCES,
    "passwd": N_("the passphrase change"),
    "restore": N_("the restore"),
    "rekey": N_("the re-key"),
    "lock screen": N_("the lock screen"),
}
"""How a board was opened (`via`, stored as a code), as the log says it."""


def stored(message: str, **values: Any) -> str:
    """The detail to store: `message` (one of `MESSAGES`) with its named values, as canonical JSON."""
    assert message in MESSAGES, message
    return json.dumps({MESSAGE: message, **values}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def said(text: str | None) -> str:
    """A stored detail or subject in the language in use: a stored message translated with its values, anything
    else (an older entry's free text, a file name, what a person typed) as it is."""
    if not text or not text.startswith("{"):
        return text or ""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict) or data.get(MESSAGE) not in MESSAGES:
        return text
    values = {name: value for name, value in data.items() if name != MESSAGE}
    if "via" in values:
        via = str(values["via"])
        values["via"] = _(VIAS[via]) if via in VIAS else via
    try:
        return _(str(data[MESSAGE])).format(**values)
    except (KeyError, IndexError, ValueError):
        return text
