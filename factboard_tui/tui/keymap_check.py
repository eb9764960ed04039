"""What is wrong with the config's `[keys]`: binding ids FactBoard does not have, and keys given to two bindings
that are active at the same time.

Textual's `set_keymap` ignores an id it never meets, so a typo (`board.edti`) silently does nothing, and a key
remapped onto another binding of the same screen makes one of the two unreachable. The app says so once, when it
starts, as warnings naming the id or key; nothing is refused, the rest of the keymap applies.

Which bindings exist is read from the TUI's own classes (every screen, dialog and widget under `factboard_tui.tui`
with `BINDINGS` that carry an `id`), so a binding added anywhere is known here without being listed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping

from textual.binding import Binding
from textual.dom import DOMNode

from factboard_tui.core.i18n import _


def _subclasses(kind: type) -> Iterator[type]:
    child: type
    for child in kind.__subclasses__():
        yield child
        yield from _subclasses(child)


def bindings_by_owner() -> dict[str, list[Binding]]:
    """Every screen, dialog, widget and the app with bindings that have ids: `module.Class` -> its own bindings."""
    import factboard_tui.tui as tui

    for module in pkgutil.walk_packages(tui.__path__, "factboard_tui.tui."):
        importlib.import_module(module.name)
    owners: dict[str, list[Binding]] = {}
    for kind in set(_subclasses(DOMNode)):
        if not kind.__module__.startswith("factboard_tui.tui"):
            continue
        own = [binding for binding in vars(kind).get("BINDINGS", []) if isinstance(binding, Binding) and binding.id]
        if own:
            owners[f"{kind.__module__}.{kind.__qualname__}"] = own
    return owners


def keymap_problems(keymap: Mapping[str, str], owners: Mapping[str, list[Binding]]) -> list[str]:
    """One line per problem in `keymap` (binding id -> keys): unknown ids, then keys two bindings of one screen,
    dialog or widget share. (A screen's binding that takes an app-wide key, like a dialog's q that closes it instead
    of quitting, is a deliberate override, not a clash.)"""
    known = {binding.id for bindings in owners.values() for binding in bindings}
    problems = [
        _("[keys] {id} is no binding of FactBoard's (the help screen, f1, lists them): it does nothing.").format(
            id=binding_id
        )
        for binding_id in sorted(set(keymap) - known)
    ]
    seen: set[tuple[str, str, str]] = set()
    for bindings in owners.values():
        holders: dict[str, set[str]] = {}
        for binding in bindings:
            keys = keymap.get(binding.id or "", binding.key)
            for key in (part.strip() for part in keys.split(",")):
                holders.setdefault(key, set()).add(binding.id or "")
        for key, ids in holders.items():
            if len(ids) < 2 or not ids & set(keymap):
                continue  # only a clash the config made is the config's problem
            first, second = sorted(ids)[:2]
            if (key, first, second) in seen:
                continue
            seen.add((key, first, second))
            problems.append(
                _("[keys] {key} is given to both {first} and {second}, on the same screen: change one.").format(
                    key=key, first=first, second=second
                )
            )
    return problems
