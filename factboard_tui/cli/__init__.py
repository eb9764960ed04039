"""The `factboard` command: a thin Typer face over the core services, one module per command group.

`cli.registry` builds the Typer app from every command module; importing this package alone builds nothing, so
the console script's first step (`factboard_tui.entry`) can answer `--help` from a kept page and open the board
(`cli.opening`) without Typer or the command modules (issue 15). `factboard_tui.cli.app` and `.main` still name the
app and its entry point, built when first asked for.
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from factboard_tui.cli import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
