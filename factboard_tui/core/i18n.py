"""Words through gettext: the one place every user-visible sentence of FactBoard is translated.

The board's own domain words (column labels, triage levels, categories, weekday names) live in its template; the
app's words (screens, dialogs, notifications, CLI messages, export headings) live in gettext catalogs under
`factboard_tui/locale/<lang>/LC_MESSAGES/factboard.mo`. Both faces mark every literal with `_()` (or `ngettext`
for counts, `pgettext` where one English word has two meanings, `N_` for module-level constants translated where
they are shown) and choose the language once, with `use_language`, from the board's template, the config's
`language`, `--lang`, or `LANG`/`LC_MESSAGES` when no board is open.

Standard library only (the core stays headless and quick to import): the catalogs are compiled by Babel at build
time or committed; reading them needs nothing but `gettext`.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "factboard"
"""The gettext domain of FactBoard's catalogs."""

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""Where the compiled catalogs live (inside the package, so they ship in the wheel)."""

LANGUAGES = ("en", "sv", "da", "nb", "nl")
"""The languages FactBoard speaks; English is the source language of the catalogs."""

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_preferred: str | None = None
"""The person's own choice (`--lang`, else the config's `language`), kept for when a board opens."""


def use_language(language: str | None) -> str:
    """Speak `language` from now on (an unknown or missing one falls back to English); returns the language used."""
    global _translations, _language
    wanted = known_language(language) or "en"
    _translations = gettext.translation(DOMAIN, LOCALE_DIR, [wanted], fallback=True)
    _language = wanted
    return wanted


def known_language(language: str | None) -> str | None:
    """`language` as one of `LANGUAGES` (`sv_SE.UTF-8` -> `sv`, `no`/`nn` -> `nb`), or None when FactBoard does not
    speak it (`C`, `POSIX`, `de_DE`, empty)."""
    wanted = (language or "").split(":")[0].split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    wanted = {"no": "nb", "nn": "nb"}.get(wanted, wanted)
    return wanted if wanted in LANGUAGES else None


def environment_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for, in gettext's order (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`):
    the first variable that is set decides (a set but unknown one, like `C`, means no choice here)."""
    environ = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            # LANGUAGE may list several ("nb:sv:en"): the first one FactBoard speaks wins.
            for part in value.split(":") if variable == "LANGUAGE" else [value]:
                if (found := known_language(part)) is not None:
                    return found
            if variable != "LANGUAGE":
                return None
    return None


def choose_language(
    *,
    flag: str | None = None,
    config: str | None = None,
    board: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to speak: `--lang`, else the config's `language`, else the open board's template, else (only
    when no board is open) `LANG`/`LC_MESSAGES`, else English.

    A person's own choice (flag, config) beats the board's: a Dutch locum on a Swedish board may read English.
    The environment counts only without a board, because the team's board speaks the team's language whatever the
    shared wall-screen machine's locale is.
    """
    for choice in (flag, config, board):
        if (found := known_language(choice)) is not None:
            return found
    if board is None and (found := environment_language(environ)) is not None:
        return found
    return "en"


def start_language(*, flag: str | None = None, config: str | None = None) -> str:
    """At start, before any board is open: remember the person's choice and speak it (else `LANG`, else English)."""
    global _preferred
    _preferred = known_language(flag) or known_language(config)
    return use_language(choose_language(flag=_preferred))


def speak_for_board(board_language: str | None) -> str:
    """A board is open: speak its template's language, unless the person chose their own at start."""
    return use_language(choose_language(flag=_preferred, board=board_language or "en"))


def current_language() -> str:
    """The language in use (one of `LANGUAGES`)."""
    return _language


def _(message: str) -> str:
    """`message` in the language in use."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted message that `count` takes in the language in use ("1 rad", "2 rader")."""
    return _translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the language in use, where `context` tells apart one English word with two meanings."""
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it now (a module-level constant, translated with `_`
    where it is shown, after the language has been chosen)."""
    return message
