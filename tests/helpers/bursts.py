"""Typing in bursts, as nurses do: one API for the Pilot tests and the tmux scenarios.

A burst is text and keys: text is typed character by character (a `\t` in it is Tab, a `\n` is Enter), and a
`Key` is a named key (`ENTER`, `Key("ctrl+u")`). With Pilot, `await burst(pilot, "kro+csa: hembesök", TAB, "Ring",
ENTER)` hands the whole burst to the app's driver in one go, as a terminal's read delivers a fast typist's keys,
with no pause between them (`pilot.press` lets the app settle after every key). In tmux, `terminal.burst(…)` is one
`tmux send-keys` call.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot


@dataclass(frozen=True)
class Key:
    """A named key, in Textual's names (`enter`, `ctrl+u`, `down`)."""

    name: str


ENTER, TAB, ESCAPE, BACKSPACE = Key("enter"), Key("tab"), Key("escape"), Key("backspace")
UP, DOWN, LEFT, RIGHT = Key("up"), Key("down"), Key("left"), Key("right")
CLEAR = Key("ctrl+u")
"""Clears an input field from the cursor back to its start."""

Part = str | Key

_CHARACTER_KEYS = {"\t": TAB, "\n": ENTER, "\r": ENTER, "\x1b": ESCAPE, "\x7f": BACKSPACE}
_KEY_CHARACTERS = {"enter": "\r", "tab": "\t", "escape": "\x1b", "backspace": "\x7f", "space": " "}
_TMUX_NAMES = {
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "BTab",
    "escape": "Escape",
    "backspace": "BSpace",
    "delete": "DC",
    "space": "Space",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "home": "Home",
    "end": "End",
    "pageup": "PPage",
    "pagedown": "NPage",
}


def keys_of(parts: tuple[Part, ...]) -> list[str | Key]:
    """The burst as single characters and `Key`s, in order."""
    keys: list[str | Key] = []
    for part in parts:
        if isinstance(part, Key):
            keys.append(part)
        else:
            keys.extend(_CHARACTER_KEYS.get(character, character) for character in part)
    return keys


def _key_name(character: str) -> str:
    """Textual's key name for a typed character (`a`, `ö`, `plus_sign`, `colon`, `space`), as its driver names it."""
    return _character_to_key(character)


async def burst(pilot: Pilot[object], *parts: Part) -> None:
    """Deliver the whole burst to the app at once, the way its driver delivers a terminal's read of a fast typist's
    keys (named keys and text alike, no pause between them), then wait until the app has handed out every key and
    settled.

    The app hands the keys out one at a time, each once the screen has settled after the one before it
    (`tui/typeahead.py`), so a burst may cross fields, dialogs and screens as a person's typing does.
    """
    deliver(pilot, *parts)
    await typed(pilot)


def deliver(pilot: Pilot[object], *parts: Part) -> None:
    """Hand the whole burst to the app's driver at once, without waiting for the app to take it (for a test that
    holds something the keys must wait for, and checks where they went once it lets go)."""
    driver = pilot.app._driver
    assert driver is not None, "the app is not running"
    for key in keys_of(parts):
        if isinstance(key, Key):
            event = events.Key(key.name, _KEY_CHARACTERS.get(key.name))
        else:
            event = events.Key(_key_name(key), key)
        event.set_sender(pilot.app)
        driver.send_message(event)


async def typed(pilot: Pilot[object]) -> None:
    """Wait until the app has handed out every key typed so far (bounded), then let it settle."""
    from helpers.pilot import until  # here: helpers.pilot needs nothing of this module, keep it that way

    type_ahead = getattr(pilot.app, "type_ahead", None)
    await pilot.pause()
    if type_ahead is not None:
        await until(pilot, lambda: not type_ahead.busy, "every key typed handed out")  # type: ignore[arg-type]


def tmux_arguments(target: list[str], parts: tuple[Part, ...]) -> list[str]:
    """One `tmux send-keys` command line (after `tmux -L SOCKET`) that types the whole burst: text sent literally,
    keys by their tmux names, chained with `;` so the server writes them all to the terminal in one go."""
    commands: list[list[str]] = []
    text = ""
    for key in keys_of(parts):
        if isinstance(key, str):
            text += key
            continue
        if text:
            commands.append(["send-keys", *target, "-l", text])
            text = ""
        commands.append(["send-keys", *target, _tmux_name(key)])
    if text:
        commands.append(["send-keys", *target, "-l", text])
    arguments: list[str] = []
    for command in commands:
        arguments.extend([*([";"] if arguments else []), *command])
    return arguments


def _tmux_name(key: Key) -> str:
    if key.name.startswith("ctrl+"):
        return "C-" + key.name.removeprefix("ctrl+")
    return _TMUX_NAMES.get(key.name, key.name)


async def run_command(pilot: Pilot[object], label: str) -> None:
    """Run a command as a person does: ctrl+p opens the palette, `label` is typed in one burst, and Enter runs the
    hit once the palette (which searches in a worker) lists it first."""
    from helpers.pilot import until  # here: helpers.pilot needs nothing of this module, keep it that way
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "the command palette")
    await burst(pilot, label)
    hits = pilot.app.screen.query_one(CommandList)

    def listed_first() -> bool:
        return hits.option_count > 0 and label in str(hits.get_option_at_index(0).prompt)

    await until(pilot, listed_first, f"{label!r} listed first in the palette")
    await burst(pilot, ENTER)
