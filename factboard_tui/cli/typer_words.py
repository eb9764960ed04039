"""Typer's and its Click's own words in the language chosen at start: the help's panel titles and usage line, the
help option's line, and the usage errors ("No such option", "Missing argument", "No such command").

Typer reads its titles once, at import, from the standard library's gettext (which follows `LANG`, not the board
or `--lang`), and its vendored Click writes its usage errors in English only. So a Swedish nurse who mistypes an
option met `Usage:` and `No such option: --foo` inside FactBoard's Swedish help. `speak_typer` (called once the
language is chosen, before any help or error is shown) puts FactBoard's translations in those places; the English
text stays exactly what Typer writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from factboard_tui.core.i18n import N_, _

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


def speak_typer() -> None:
    """Give Typer's help and usage errors the words of the language in use (idempotent)."""
    from typer import _click, core, rich_utils
    from typer._click import core as click_core
    from typer._click import exceptions, formatting

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

    exceptions.BadParameter.format_message = bad_parameter  # type: ignore[method-assign]
    exceptions.MissingParameter.format_message = missing_parameter  # type: ignore[method-assign]
    exceptions.NoSuchOption.format_message = no_such_option  # type: ignore[method-assign]


def _hint(error: Any) -> str | None:
    """The option or argument a usage error names, as Click quotes it (`'--db'`, `'CODE'`)."""
    from typer._click import exceptions

    hint: Sequence[str] | str | None = error.param_hint
    if hint is None and error.param is not None:
        hint = error.param.get_error_hint()
    return exceptions._join_param_hints(hint)
