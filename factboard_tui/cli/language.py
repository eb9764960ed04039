"""The CLI's language, chosen before its commands are even imported (so `--help` speaks it too).

Typer reads every option's help and every command's description when the command modules are imported, so the
language is chosen first, from the command line as typed: `--lang`, else `$FACTBOARD_LANG` (scripts and tests), else
the config's `language`, else `LANG`/`LC_MESSAGES`. Once a command opens a board, the board's template decides
instead, unless the person chose (`cli.common.unlocked` calls `speak_for_board`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import start_language

LANG_ENV = "FACTBOARD_LANG"
"""The language for this run, like `--lang` (for scripts and tests)."""


def given_flag(argv: Sequence[str]) -> str | None:
    """The value of `--lang X` or `--lang=X` before any `--` in `argv` (None: not given)."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def start(argv: Sequence[str]) -> str:
    """Choose the language for this run, before any board is open; returns it."""
    from factboard_tui.settings import load_settings

    try:
        config = load_settings().language
    except FactBoardError:  # a broken config is reported by the command that reads it, in the language chosen here
        config = None
    return start_language(flag=given_flag(argv) or os.environ.get(LANG_ENV), config=config)
