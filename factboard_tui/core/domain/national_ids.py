"""Finding national identity numbers in free text, so the board never stores one.

The board holds pseudonymous client codes (`DD-75`); a personal identity number in a free-text cell ("Pnr
19800101-1234 ringde") would make every copy of the board (backups, exports, sync bundles to other sites) carry
one. The one write path (`fields.clean_text`) and the sync check call `find_national_id` on every free-text value.

What counts, per country (each rule is the number's own format and check, so ordinary numbers pass):

- **Sweden** (personnummer, samordningsnummer = day + 60): `YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC`, and the same
  with a four-digit year. The date must exist and the last digit must be the Luhn check of the ten digits, except
  in the written form with the century, `YYYYMMDD-NNNN`: that shape means nothing else, and a number with one
  digit mistyped still points at one person. A space between date and last four does not count: a date followed
  by a time (`291126 1400`) looks the same.
- **Denmark** (CPR): `DDMMYY-XXXX` with a date that exists in the century the seventh digit gives. Modulus 11 is
  not required there (numbers issued since 2007 may fail it). Ten digits written without the dash count only when
  they also pass modulus 11: without the dash, every ten-digit number starting with a date (a Swedish phone number
  `0701234567` does) would be refused.
- **Norway** (fødselsnummer, D-number = day + 40, H-number = month + 40): eleven digits, or six and five with a space
  or dash, with a date that exists and both check digits right.
- **The Netherlands** (BSN): nine digits, or `1234.56.782` / `123.456.782`, that pass the 11-proof.

A number is looked for only where digits stand alone (no digit right before or after it); a run of digit groups
that starts with an international dialling prefix (`+46 …`, `0046 …`) is a phone number. Full-width digits and
Unicode dashes are read as their
ASCII forms. The finder says which kind it found, never the number: messages must not echo it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import N_, _

_DASHES = re.compile("[\u2010-\u2015\u2212\ufe63\uff0d]")
"""Dashes a word processor or a phone keyboard puts where a person typed `-`."""

_ANY_DIGIT = re.compile(r"\d")
"""Any digit, full-width and other Unicode digits too: most cells have none, and are done at once."""
_RUN = re.compile(r"[0-9]+(?:[-+. ][0-9]+)*")
"""Digits, possibly in groups joined by one separator each: the places a number can stand."""
_INTERNATIONAL = re.compile(r"00[0-9]{1,3}$")
"""A first group like `0046`: the international dialling prefix of a phone number."""

SWEDISH = N_("a Swedish personal identity number")
DANISH = N_("a Danish CPR number")
NORWEGIAN = N_("a Norwegian national identity number")
DUTCH = N_("a Dutch citizen service number (BSN)")
"""The kinds of number found, as the refusal names them (`find_national_id` returns one; `_()` where shown)."""


def find_national_id(text: str) -> str | None:
    """What kind of national identity number `text` holds (for the message), or None."""
    if not _ANY_DIGIT.search(text):
        return None
    if not text.isascii():
        text = _DASHES.sub("-", unicodedata.normalize("NFKC", text))
    for run in _RUN.finditer(text):
        if len(run.group()) < 9 or (run.start() and text[run.start() - 1] == "+"):
            continue  # too short for any of the numbers, or a phone number with its country code (+46 …)
        parts = re.split(r"([-+. ])", run.group())
        if len(parts) > 1 and _INTERNATIONAL.match(parts[0]):
            continue  # 0046 …: a phone number too
        found = _in_run(parts)
        if found is not None:
            return found
    return None


def _in_run(parts: list[str]) -> str | None:
    """Look at each group of a run, and each pair (and triple) of neighbouring groups with their separators."""
    groups = parts[0::2]
    separators = parts[1::2]
    for index, group in enumerate(groups):
        found = _whole(group)
        if found is None and index + 1 < len(groups):
            found = _pair(group, separators[index], groups[index + 1])
        if found is None and index + 2 < len(groups) and separators[index] == separators[index + 1] == ".":
            found = _dotted_bsn(group + groups[index + 1] + groups[index + 2], (len(group), len(groups[index + 1])))
        if found is not None:
            return found
    return None


def _whole(digits: str) -> str | None:
    """One group of digits with no separator inside."""
    match len(digits):
        case 9:
            return DUTCH if bsn_valid(digits) else None
        case 10:
            if swedish_valid(digits):
                return SWEDISH
            return DANISH if danish_date(digits) and danish_mod11(digits) else None
        case 11:
            return NORWEGIAN if norwegian_valid(digits) else None
        case 12:
            return SWEDISH if swedish_valid(digits) else None
    return None


def _pair(first: str, separator: str, second: str) -> str | None:
    """Two groups joined by one separator: `800101-1234`, `19800101+1234`, `010180 12345`."""
    shape = (len(first), len(second))
    digits = first + second
    if shape in ((6, 4), (8, 4)) and separator in "-+":
        if swedish_valid(digits, checked=shape == (6, 4)):
            return SWEDISH
        if shape == (6, 4) and separator == "-" and danish_date(digits):
            return DANISH
    if shape == (6, 5) and separator in " -" and norwegian_valid(digits):
        return NORWEGIAN
    return None


def _dotted_bsn(digits: str, shape: tuple[int, int]) -> str | None:
    return DUTCH if shape in ((4, 2), (3, 3)) and len(digits) == 9 and bsn_valid(digits) else None


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    """The Luhn check (Swedish numbers: over the ten digits YYMMDDNNNC)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def swedish_valid(digits: str, checked: bool = True) -> bool:
    """A Swedish personnummer or samordningsnummer of 10 or 12 digits: a date that exists, and (if `checked`)
    the Luhn check."""
    if len(digits) == 12:
        century, digits = int(digits[:2]), digits[2:]
        years = [century * 100 + int(digits[:2])] if century in (18, 19, 20) else []
    elif len(digits) == 10:
        years = [1900 + int(digits[:2]), 2000 + int(digits[:2])]
    else:
        return False
    month, day = int(digits[2:4]), int(digits[4:6])
    day = day - 60 if day > 60 else day  # samordningsnummer
    if not any(_real_date(year, month, day) for year in years):
        return False
    return luhn_valid(digits) or not checked


def danish_date(digits: str) -> bool:
    """Whether ten digits start with DDMMYY that exists in the century CPR's seventh digit gives."""
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    seventh = int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    return _real_date(century + year, month, day)


def danish_mod11(digits: str) -> bool:
    """CPR's modulus-11 check (weights 4 3 2 7 6 5 4 3 2 1), required of numbers issued before 2007."""
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(char) * weight for char, weight in zip(digits, weights, strict=True)) % 11 == 0


def norwegian_valid(digits: str) -> bool:
    """A Norwegian fødselsnummer (or D- or H-number): a date that exists and both modulus-11 check digits."""
    if len(digits) != 11:
        return False
    day, month = int(digits[:2]), int(digits[2:4])
    day = day - 40 if day > 40 else day  # D-number
    month = month - 40 if month > 40 else month  # H-number (health care's help numbers)
    year = int(digits[4:6])
    if not any(_real_date(century + year, month, day) for century in (1800, 1900, 2000)):
        return False
    values = [int(char) for char in digits]
    first = 11 - sum(v * w for v, w in zip(values, (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=False)) % 11
    second = 11 - sum(v * w for v, w in zip(values, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=False)) % 11
    return (first % 11) == values[9] and (second % 11) == values[10]


def bsn_valid(digits: str) -> bool:
    """The Dutch 11-proof: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(char) * weight for char, weight in zip(digits, weights, strict=True)) % 11 == 0


def refuse_national_id(text: str, key: str, label: str) -> None:
    """`InvalidValue` naming the field when `text` holds a national identity number (never echoing it)."""
    kind = find_national_id(text)
    if kind is not None:
        raise InvalidValue(key, national_id_message(label, kind))


def national_id_message(label: str, kind: str) -> str:
    """The one line that says a value was refused for holding an identity number, and what to do."""
    return _(
        "{label} holds what looks like {kind}: the board keeps pseudonymous client codes only, never identity "
        "numbers; remove it."
    ).format(label=label, kind=_(kind))
