"""FactBoard's one command-palette provider: whatever the current screen and the app say can be done now.

Screens and the app do not register palette commands anywhere; each offers a `palette_commands()` method that
returns the commands that make sense at this moment (a row command only with a row under the cursor, "theme: wall"
only when another theme is on). Labels are namespaced (`row: take off board`, `view: filter by staff`,
`theme: wall`) so typing the namespace lists a family. The app sets `COMMANDS = {FactBoardCommands}`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class PaletteCommand:
    """One entry in the command palette."""

    label: str
    """Namespaced, lower case after the colon: `row: take off board`."""
    help: str
    """One sentence under the label saying what happens."""
    callback: Callable[[], object]
    """Run when the command is chosen (its return value is ignored)."""


@runtime_checkable
class OffersPaletteCommands(Protocol):
    """A screen or app that contributes commands to the palette."""

    def palette_commands(self) -> list[PaletteCommand]:
        """The commands that apply right now."""
        ...


class FactBoardCommands(Provider):
    """Commands from the screen under the palette first, then the app's; a label offered twice keeps the screen's."""

    def commands(self) -> list[PaletteCommand]:
        """Ask the calling screen and the app, in that order, for what can be done now."""
        found: dict[str, PaletteCommand] = {}
        for source in (self.screen, self.app):
            if isinstance(source, OffersPaletteCommands):
                for command in source.palette_commands():
                    found.setdefault(command.label, command)
        return list(found.values())

    async def discover(self) -> Hits:
        """Everything, in the order offered, for the palette before anything is typed."""
        for command in self.commands():
            yield DiscoveryHit(command.label, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        """Commands whose label fuzzily matches `query`, highlighted."""
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.label), command.callback, text=command.label, help=command.help
                )
