"""Dates as the team writes them: read by the board's date order, shown in the board's own format.

A Swedish board writes `261123` (YYMMDD, as on the paper board) or `2026-11-23`; Danish, Norwegian and Dutch teams
write the day first (`23.11.26`, `23-11-2026`). The template says which (`date_format`, `date_format_short`), and
these two functions are the only way a date goes in or comes out:

- `parse_date(raw, key, label, formats)` reads a typed or imported date: ISO and any date with a four-digit year are
  always understood (a four-digit year last means the day comes first, as everywhere FactBoard is used); six and
  eight digits without separators follow the board's order (`021126` is 2 Nov 2026 on a Danish board and
  26 Nov 2002 on a Swedish one); a date written in the other order with a two-digit year that reads as two real
  dates is refused with one line that shows both readings.
- `format_date(day, formats, short=False)` writes a date for the grid (short) and for exports, forms and the import
  preview (long).

Formats are patterns of `YYYY`, `YY`, `MM` and `DD` with any separator, compiled once into plain f-string
functions: the grid formats two dates per row of a 20,000-row board, and `strftime` is several times slower.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

from factboard_tui.core.domain import characters
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _

YEAR_FIRST = "ymd"
DAY_FIRST = "dmy"

EARLIEST_YEAR, LATEST_YEAR = 1900, 2099
"""Years a board date can have: an eight-digit value read with a year outside these is not that reading."""


@dataclass(frozen=True, slots=True)
class DateFormats:
    """How one board writes dates: the long form (exports, forms, the import preview) and the grid's short form."""

    long: str = "YYYY-MM-DD"
    short: str = "YYMMDD"

    @property
    def order(self) -> str:
        """`ymd` or `dmy`: the order of six- and eight-digit dates typed without separators on this board."""
        return DAY_FIRST if self.long.find("DD") < self.long.find("YY") else YEAR_FIRST


_PATTERN = re.compile(r"YYYY|YY|MM|DD")

DEFAULT_FORMATS: dict[str, DateFormats] = {
    "sv": DateFormats("YYYY-MM-DD", "YYMMDD"),
    "en": DateFormats("YYYY-MM-DD", "YYMMDD"),
    "da": DateFormats("DD.MM.YYYY", "DD.MM.YY"),
    "nb": DateFormats("DD.MM.YYYY", "DD.MM.YY"),
    "nn": DateFormats("DD.MM.YYYY", "DD.MM.YY"),
    "no": DateFormats("DD.MM.YYYY", "DD.MM.YY"),
    "nl": DateFormats("DD-MM-YYYY", "DD-MM-YY"),
}
"""A template without date formats (a board created before they existed) writes dates as its language does."""


def check_pattern(pattern: str) -> bool:
    """Whether `pattern` is a date format a template may give: a year, a month and a day once each, separated
    by at most one character of punctuation or space (`DD.MM.YYYY`, `YYMMDD`, `DD-MM-YY`)."""
    parts = _PATTERN.findall(pattern)
    rest = _PATTERN.sub("", pattern)
    fields = sorted(part[:2] for part in parts)
    return fields == ["DD", "MM", "YY"] and len(rest) <= 2 and all(not ch.isalnum() for ch in rest)


@functools.lru_cache(maxsize=32)
def _formatter(pattern: str) -> str:
    """`pattern` as a `str.format` template over `y`, `y2`, `m` and `d` (built once per pattern)."""
    tokens = {"YYYY": "{y:04d}", "YY": "{y2:02d}", "MM": "{m:02d}", "DD": "{d:02d}"}
    literal = [part.replace("{", "{{").replace("}", "}}") for part in _PATTERN.split(pattern)]
    found = _PATTERN.findall(pattern)
    return "".join(piece + (tokens[found[i]] if i < len(found) else "") for i, piece in enumerate(literal))


def format_date(day: date | datetime | None, formats: DateFormats, short: bool = False) -> str:
    """`day` as the board writes it (empty for no date)."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.date()
    return _formatter(formats.short if short else formats.long).format(
        y=day.year, y2=day.year % 100, m=day.month, d=day.day
    )


_ISO = re.compile(r"(\d{4})([-./ ])(\d{1,2})\2(\d{1,2})")
_DAY_FIRST_LONG = re.compile(r"(\d{1,2})([-./ ])(\d{1,2})\2(\d{4})")
_SHORT_YEAR = re.compile(r"(\d{1,2})([-./ ])(\d{1,2})\2(\d{1,2})")
_DIGITS = re.compile(r"\d{6}|\d{8}")


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _digits(text: str, order: str) -> list[date]:
    """The readings of six or eight digits, the board's order first (eight digits: only years in range)."""
    if len(text) == 6:
        a, b, c = int(text[:2]), int(text[2:4]), int(text[4:])
        reading = _make(2000 + a, b, c) if order == YEAR_FIRST else _make(2000 + c, b, a)
        return [reading] if reading else []
    year_first = _make(int(text[:4]), int(text[4:6]), int(text[6:]))
    day_first = _make(int(text[4:]), int(text[2:4]), int(text[:2]))
    readings = [year_first, day_first] if order == YEAR_FIRST else [day_first, year_first]
    return [day for day in readings if day is not None and EARLIEST_YEAR <= day.year <= LATEST_YEAR][:1]


def parse_date(raw: object, key: str, label: str, formats: DateFormats | None = None) -> date:
    """A date typed or imported into field `key` (shown as `label`), read by the board's date order (see the
    module docstring); `InvalidValue` with one line saying how to write it otherwise."""
    formats = formats or DateFormats()
    if isinstance(raw, date):
        day = raw.date() if isinstance(raw, datetime) else raw
        if EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            return day
        # A spreadsheet's date cell holding no real date (calamine reads NaN as 1899-12-30, Excel's day zero).
        raise InvalidValue(
            key,
            _("{label} {value} is not a date a board can have: write it like {example}.").format(
                label=label, value=day.isoformat(), example=format_date(date(2026, 11, 23), formats)
            ),
        )
    order = formats.order
    text = str(raw).strip()
    example = format_date(date(2026, 11, 23), formats)
    example_short = format_date(date(2026, 11, 23), formats, short=True)
    found: date | None = None
    if match := _ISO.fullmatch(text):
        found = _make(int(match[1]), int(match[3]), int(match[4]))
    elif match := _DAY_FIRST_LONG.fullmatch(text):
        found = _make(int(match[4]), int(match[3]), int(match[1]))
    elif _DIGITS.fullmatch(text):
        readings = _digits(text, order)
        found = readings[0] if readings else None
    elif match := _SHORT_YEAR.fullmatch(text):
        first, middle, last = int(match[1]), int(match[3]), int(match[4])
        day_first = _make(2000 + last, middle, first)
        year_first = _make(2000 + first, middle, last)
        if order == DAY_FIRST or year_first is None:
            found = day_first
        elif day_first is None:
            found = year_first
        else:
            raise InvalidValue(
                key,
                _(
                    "{label} '{value}' can be read two ways, {day_first} (day first) or {year_first} (year first): "
                    "write it as {example} or {example_short}."
                ).format(
                    label=label,
                    value=characters.excerpt(text),
                    day_first=format_date(day_first, formats),
                    year_first=format_date(year_first, formats),
                    example=example,
                    example_short=example_short,
                ),
            )
    if found is not None and not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        found = None
    if found is None:
        raise InvalidValue(
            key,
            _("{label} '{value}' is not a date: write {example} or {example_short}.").format(
                label=label, value=characters.excerpt(text), example=example, example_short=example_short
            ),
        )
    return found


def template_formats(language: str, long: object = None, short: object = None) -> DateFormats:
    """The formats a template gives, filling in what it lacks from its language's defaults."""
    base = DEFAULT_FORMATS.get(language.split("_")[0].lower(), DateFormats())
    return DateFormats(
        long if isinstance(long, str) else base.long,
        short if isinstance(short, str) else base.short,
    )
