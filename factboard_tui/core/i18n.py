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
from pathlib import Path

DOMAIN = "factboard"
"""The gettext domain of FactBoard's catalogs."""

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""Where the compiled catalogs live (inside the package, so they ship in the wheel)."""

LANGUAGES = ("en", "sv", "da", "nb", "nl")
"""The languages FactBoard speaks; English is the source language of the catalogs."""

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def use_language(language: str | None) -> str:
    """Speak `language` from now on (an unknown or missing one falls back to English); returns the language used."""
    global _translations, _language
    wanted = (language or "en").split(".")[0].split("_")[0].lower()
    if wanted == "no":
        wanted = "nb"
    if wanted not in LANGUAGES:
        wanted = "en"
    _translations = gettext.translation(DOMAIN, LOCALE_DIR, [wanted], fallback=True)
    _language = wanted
    return wanted


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
