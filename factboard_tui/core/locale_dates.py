"""Month and weekday names from the locale data of the language in use (Babel's CLDR), never from `strftime`.

`strftime("%b")` speaks the C library's locale of the machine (English on most servers, whatever the board's
language), so the header said `23 Nov–29 Nov` on a Swedish board. Babel carries the CLDR data of every language
FactBoard speaks, written as each country writes it (`23–29 nov.` in Swedish, `23.–29. nov.` in Danish and
Norwegian).

Babel is imported inside the functions, not at module level: its import (about 50 ms) stays off the TUI's start-up
path before the unlock prompt; the unlock screen then loads it while the passphrase is typed (`prepare`). The date
*order* of values in the grid, exports and inputs is the template's (see `core/domain/fields.py`); this module only
names days and months.
"""

from __future__ import annotations

from datetime import date

from factboard_tui.core.i18n import current_language

LOCALES = {"en": "en_GB", "sv": "sv_SE", "da": "da_DK", "nb": "nb_NO", "nl": "nl_NL"}
"""The CLDR locale of each language (British English: the European day-month order)."""


def prepare() -> None:
    """Import Babel and read the CLDR data of every language FactBoard speaks (about 35 ms, then 5-20 ms a language,
    once a process). A screen waiting for a passphrase calls this, so the board's first frame, which names its week,
    does not pay for it: the board's language is known only once it is unlocked."""
    from babel.dates import format_interval

    for locale in LOCALES.values():
        format_interval(date(2026, 11, 23), date(2026, 11, 29), "MMMd", locale=locale)


def _locale(language: str | None) -> str:
    return LOCALES.get(language or current_language(), "en_GB")


def day_month(day: date, language: str | None = None) -> str:
    """`23 Nov`, `23 nov.`, `23. nov.`: a day of the month and the month's short name."""
    from babel.dates import format_date

    return str(format_date(day, "d MMM", locale=_locale(language)))


def week_span(first: date, last: date, language: str | None = None) -> str:
    """The days from `first` to `last` as the language writes a span (`23–29 nov.`, `30 Nov – 6 Dec`)."""
    from babel.dates import format_interval

    return str(format_interval(first, last, "MMMd", locale=_locale(language)))


def weekday_name(day: date, width: str = "wide", language: str | None = None) -> str:
    """The weekday's name (`måndag`; `width` "abbreviated" gives `mån`)."""
    from babel.dates import format_date

    pattern = {"wide": "EEEE", "abbreviated": "EEE", "short": "EEEEEE"}[width]
    return str(format_date(day, pattern, locale=_locale(language)))


def month_name(day: date, width: str = "wide", language: str | None = None) -> str:
    """The month's name (`november`; `width` "abbreviated" gives `nov.`)."""
    from babel.dates import format_date

    return str(format_date(day, "MMMM" if width == "wide" else "MMM", locale=_locale(language)))


def long_date(day: date, language: str | None = None) -> str:
    """A date written out for a heading (`måndag 23 november 2026`, `Monday 23 November 2026`)."""
    from babel.dates import format_date

    return str(format_date(day, "full", locale=_locale(language)))
