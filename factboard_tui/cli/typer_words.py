"""Typer's and its Click's own words in the language chosen at start: the help's panel titles and usage line, the
help option's line, and the usage errors ("No such option", "Missing argument", "No such command", "Got unexpected
extra argument").

Typer reads its titles once, at import, from the standard library's gettext (which follows `LANG`, not the board
or `--lang`), and its vendored Click writes its usage errors in English only. So a Swedish nurse who mistypes an
option met `Usage:` and `No such option: --foo` inside FactBoard's Swedish help. `speak_typer` (called once the
language is chosen, before any help or error is shown) puts FactBoard's translations in those places; the English
text stays what Typer writes, except that an extra argument is counted ("argument" or "arguments", not "argument(s)").
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from factboard_tui.core.i18n import N_, _, ngettext

TYPER_CORE_WORDS = (
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)
"""What Typer's core says through gettext (`core._`, given FactBoard's `_` below): marked here for the catalog."""


def _help_words(rich_utils: Any) -> None:
    """The titles and notes Typer's help and error panels take from `typer.rich_utils`."""
    rich_utils.DEPRECATED_STRING = _("(deprecated) ")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.ENVVAR_STRING = _("[env var: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")


class _WhenImported(importlib.abc.MetaPathFinder):
    """Runs `then(module)` right after `name` is first imported (Python has no import hook of its own for this)."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        loader = spec.loader if spec is not None else None
        if loader is None:
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            self.then(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    """`then(module)` now if `name` is imported already, else as soon as it is (once)."""
    module = sys.modules.get(name)
    if module is not None:
        then(module)
        return
    sys.meta_path[:] = [f for f in sys.meta_path if not (isinstance(f, _WhenImported) and f.name == name)]
    sys.meta_path.insert(0, _WhenImported(name, then))


def speak_typer() -> None:
    """Give Typer's help and usage errors the words of the language in use (idempotent).

    The help and error panels' words are set when Typer loads `typer.rich_utils` (Rich's Markdown, syntax and
    traceback modules: about 50 ms of CPU) for a help page or an error, not by every command (issue 15).
    """
    from typer import _click, core
    from typer._click import core as click_core
    from typer._click import exceptions, formatting

    when_imported("typer.rich_utils", _help_words)
    core._ = _  # type: ignore[attr-defined]  # "No such command", "Missing command.", "required" …
    if getattr(_click, "_factboard_speaks", False):
        return
    _click._factboard_speaks = True  # type: ignore[attr-defined]

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]

    get_help_option = click_core.Command.get_help_option

    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    click_core.Command.get_help_option = help_option  # type: ignore[method-assign]

    def translated(pieces: list[str]) -> list[str]:
        words = {"[OPTIONS]": _("[OPTIONS]"), "COMMAND [ARGS]...": _("COMMAND [ARGS]...")}
        return [words.get(piece, piece) for piece in pieces]

    for kind in (click_core.Command, core.TyperGroup):
        usage_pieces = kind.collect_usage_pieces

        def pieces(self: Any, ctx: Any, usage_pieces: Any = usage_pieces) -> list[str]:
            return translated(usage_pieces(self, ctx))

        kind.collect_usage_pieces = pieces  # type: ignore[method-assign]

    from typer import main

    completion_arguments = main.get_install_completion_arguments

    def completion() -> Any:
        install, show = completion_arguments()
        install.help = _("Install completion for the current shell.")  # type: ignore[attr-defined]
        show.help = _(  # type: ignore[attr-defined]
            "Show completion for the current shell, to copy it or customize the installation."
        )
        return install, show

    main.get_install_completion_arguments = completion

    def bad_parameter(self: Any) -> str:
        hint = _hint(self)
        if hint is None:
            return _("Invalid value: {problem}").format(problem=self.message)
        return _("Invalid value for {option}: {problem}").format(option=hint, problem=self.message)

    def missing_parameter(self: Any) -> str:
        hint = _hint(self)
        name = f" {hint}" if hint else ""
        kind = self.param_type
        if kind is None and self.param is not None:
            kind = self.param.param_type_name
        said = {"argument": _("Missing argument{name}."), "option": _("Missing option{name}.")}.get(str(kind))
        said = (said or _("Missing {kind}{name}.").format(kind=kind, name="{name}")).format(name=name)
        extra = self.message
        if self.param is not None and (more := self.param.get_missing_message(ctx=self.ctx)):
            extra = f"{extra}. {more}" if extra else more
        return f"{said} {extra}" if extra else said

    def no_such_option(self: Any) -> str:
        plain = exceptions._escape_control_characters(self.option_name)  # type: ignore[attr-defined]
        said = self.message
        if said == f"No such option: {plain}":
            said = _("No such option: {option}").format(option=plain)
        if not self.possibilities:
            return str(said)
        return _("{problem} (Possible options: {options})").format(
            problem=said, options=", ".join(sorted(self.possibilities))
        )

    parse_args = click_core.Command.parse_args

    def no_extra_arguments(self: Any, ctx: Any, args: list[str]) -> list[str]:
        """Click's own refusal of extra arguments, said whole and counted (it wrote "argument(s)" in English)."""
        if ctx.allow_extra_args or ctx.resilient_parsing:
            return list(parse_args(self, ctx, args))
        ctx.allow_extra_args = True
        try:
            rest = list(parse_args(self, ctx, args))
        finally:
            ctx.allow_extra_args = False
        if rest:
            extra = " ".join(exceptions._escape_control_characters(str(arg)) for arg in rest)  # type: ignore[attr-defined]
            ctx.fail(
                ngettext(
                    "Got unexpected extra argument ({arguments})",
                    "Got unexpected extra arguments ({arguments})",
                    len(rest),
                ).format(arguments=extra)
            )
        return rest

    click_core.Command.parse_args = no_extra_arguments  # type: ignore[method-assign]

    def bad_option_usage(self: Any) -> str:
        return _option_usage(str(self.message))

    exceptions.BadOptionUsage.format_message = bad_option_usage  # type: ignore[method-assign]

    from typer import _coercion, _param_types

    _coercion.get_error_msg = _value_error  # type: ignore[attr-defined]
    _param_types.get_error_msg = _value_error  # type: ignore[attr-defined]
    exceptions.BadParameter.format_message = bad_parameter  # type: ignore[method-assign]
    exceptions.MissingParameter.format_message = missing_parameter  # type: ignore[method-assign]
    exceptions.NoSuchOption.format_message = no_such_option  # type: ignore[method-assign]


OPTION_USAGE = (
    (re.compile(r"Option (?P<option>.+) does not take a value\.\Z"), N_("Option {option} does not take a value.")),
    (re.compile(r"Option (?P<option>.+) requires an argument\.\Z"), N_("Option {option} needs a value.")),
)
"""What Click's parser says (in English only) about an option used wrongly, and FactBoard's words for it."""

VALUE_ERRORS = {
    "int_parsing": N_("{value} is not a whole number."),
    "int_from_float": N_("{value} is not a whole number."),
    "int_type": N_("{value} is not a whole number."),
    "float_parsing": N_("{value} is not a number."),
    "float_type": N_("{value} is not a number."),
    "bool_parsing": N_("{value} is neither yes nor no: use true or false."),
    "date_parsing": N_("{value} is not a date: give it as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("{value} is not a date: give it as YYYY-MM-DD."),
    "greater_than_equal": N_("{value} is too small: give {limit} or more."),
    "greater_than": N_("{value} is too small: give more than {limit}."),
    "less_than_equal": N_("{value} is too large: give {limit} or less."),
    "less_than": N_("{value} is too large: give less than {limit}."),
}
"""Pydantic's reasons (by error type) for a value Typer could not convert, which it wrote in English
("Input should be a valid integer, unable to parse string as an integer"), in FactBoard's words."""


def _option_usage(message: str) -> str:
    """Click's line about an option used wrongly ("requires an argument", "does not take a value"), translated."""
    for pattern, words in OPTION_USAGE:
        if found := pattern.match(message):
            return _(words).format(option=found["option"])
    if found := re.match(r"Option (?P<option>.+) requires (?P<count>\d+) arguments\.\Z", message):
        count = int(found["count"])
        return ngettext("Option {option} needs {count} value.", "Option {option} needs {count} values.", count).format(
            option=found["option"], count=count
        )
    return message


def _value_error(exc: Any) -> str:
    """The first reason Pydantic gives for a value Typer could not convert, in the language in use."""
    from typer._click.exceptions import _escape_control_characters  # type: ignore[attr-defined]

    problems = exc.errors()
    if not problems:
        return str(_escape_control_characters(str(exc)))
    first = problems[0]
    words = VALUE_ERRORS.get(str(first.get("type")))
    if words is None:
        return str(_escape_control_characters(str(first["msg"])))
    limit = next(iter((first.get("ctx") or {}).values()), "")  # a range's bound (`ge`, `le`, `gt`, `lt`)
    return str(_escape_control_characters(_(words).format(value=repr(first.get("input")), limit=limit)))


def _hint(error: Any) -> str | None:
    """The option or argument a usage error names, as Click quotes it (`'--db'`, `'CODE'`)."""
    from typer._click import exceptions

    hint: Sequence[str] | str | None = error.param_hint
    if hint is None and error.param is not None:
        hint = error.param.get_error_hint()
    return exceptions._join_param_hints(hint)
