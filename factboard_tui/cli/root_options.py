"""Options given before the command (`factboard --db X --user DEN rows set …`) and how every command takes them.

`--db`, `--user` and `--theme` may stand before the command as well as after it. Before, they used to be read
only when no command followed, so `factboard --db OTHER rows list` listed the default board and `factboard --user
DEN rows set …` stamped `$FACTBOARD_USER` as the author. Now the root callback keeps them here, and every command
(through `cli.common.user_errors`, which wraps them all) takes them as if they had been given after it: an option the
command has not got is refused with one line, and the same option given on both sides with different values too.
Nothing given is ever ignored.

A `ContextVar` holds them rather than Click's `ctx.obj`: the commands are plain functions that never see the
context, and the root callback runs before every one of them, in the same process. It also keeps how each command
is typed (`rows list`), walked from the app it registered on, so a refusal names the command; the command modules
never see the app (`cli/registry.py` registers them).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, fields
from typing import Any

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _

ROOT_OPTION_NAMES = ("db", "user", "theme")
"""The options the root command takes, by parameter name (`--db`, `--user`, `--theme`)."""


@dataclass(frozen=True, slots=True)
class RootOptions:
    """What was given before the command (None: not given)."""

    db: Any = None
    user: str | None = None
    theme: str | None = None


_given: ContextVar[RootOptions | None] = ContextVar("root_options", default=None)
_names: ContextVar[dict[Callable[..., Any], str] | None] = ContextVar("command_names", default=None)


def keep(options: RootOptions, names: dict[Callable[..., Any], str]) -> None:
    """Remember what the root callback was given, and how each command is typed, for the command that follows."""
    _given.set(options)
    _names.set(names)


def command_name(callback: Callable[..., Any]) -> str:
    """How a person types the command whose registered function is `callback` (`rows list`)."""
    return (_names.get() or {}).get(callback, "")


def apply(function: Callable[..., Any], kwargs: dict[str, Any], command: str) -> dict[str, Any]:
    """`kwargs` of a command with the options given before it filled in, or a one-line refusal.

    `command` names it for the message (`rows list`).
    """
    given = _given.get() or RootOptions()
    accepted = inspect.signature(function).parameters
    merged = dict(kwargs)
    for option in fields(given):
        value = getattr(given, option.name)
        if value is None:
            continue
        flag = f"--{option.name}"
        if option.name not in accepted:
            takes = [f"--{name}" for name in ROOT_OPTION_NAMES if name in accepted]
            said = (
                _(
                    "{flag} does not apply to `factboard {command}` (it takes {takes}): "
                    "leave {flag} out; nothing was done."
                )
                if takes
                else _("{flag} does not apply to `factboard {command}`: leave {flag} out; nothing was done.")
            )
            listed = (
                _("{first} and {second}").format(first=", ".join(takes[:-1]), second=takes[-1])
                if len(takes) > 1
                else "".join(takes)
            )
            raise FactBoardError(said.format(flag=flag, command=command, takes=listed))
        here = merged.get(option.name)
        if here is None:
            merged[option.name] = value
        elif here != value:
            raise FactBoardError(
                _(
                    "{flag} is given twice, as {before} before `{command}` and as {after} after it: give it once; "
                    "nothing was done."
                ).format(flag=flag, before=value, command=command, after=here)
            )
    return merged


def command_names(typer_app: Any) -> dict[Callable[..., Any], str]:
    """Each registered command function and its name as typed (`rows list`), walking the sub-apps."""
    names: dict[Callable[..., Any], str] = {}
    for path, callback in _walk(typer_app, ()):
        names[callback] = " ".join(path)
    return names


def _walk(typer_app: Any, prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Callable[..., Any]]]:
    for info in typer_app.registered_commands:
        yield (*prefix, info.name or info.callback.__name__.replace("_", "-")), info.callback
    for group in typer_app.registered_groups:
        name = group.name
        # A group added without a name (`app.add_typer(board.commands)`) puts its commands at this level.
        yield from _walk(group.typer_instance, (*prefix, name) if isinstance(name, str) else prefix)
