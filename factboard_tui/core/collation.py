"""Sorting names as the team's alphabet does: Swedish ends `… x y z å ä ö`, Danish and Norwegian `… z æ ø å`.

Python sorts by code point, so a Swedish export listed the groups `Svalöv, Ängelholm, Åstorp` (Ä and Å come after
Ö in Unicode, but Å before Ä before Ö in Swedish), and `casefold()` alone does not help. ICU (PyICU) would know
every language's rules, but it needs the ICU C library and a compiler on every team's machine, so FactBoard carries
the rules of its five languages here instead, as CLDR gives them:

- Swedish: å ä ö after z; æ sorts as ä, ø as ö, ü as y.
- Danish and Norwegian: æ ø å after z; ä sorts as æ, ö as ø, ü as y, and `aa` as å (`Aabenraa` after `Vejle`).
- Dutch and English: the Latin alphabet, accents set aside (é as e), then the accent and case break ties.

Standard library only (the core stays headless and quick to import).
"""

from __future__ import annotations

import unicodedata

from factboard_tui.core.i18n import current_language

_AFTER_Z = 0x110000
"""Ranks above every code point: the letters a language puts after z."""

_LETTERS: dict[str, dict[str, int]] = {
    "sv": {"å": _AFTER_Z, "ä": _AFTER_Z + 1, "æ": _AFTER_Z + 1, "ö": _AFTER_Z + 2, "ø": _AFTER_Z + 2, "ü": ord("y")},
    "da": {"æ": _AFTER_Z, "ä": _AFTER_Z, "ø": _AFTER_Z + 1, "ö": _AFTER_Z + 1, "å": _AFTER_Z + 2, "ü": ord("y")},
}
_LETTERS["nb"] = _LETTERS["da"]

_DOUBLE_A = frozenset({"da", "nb"})
"""Languages where `aa` is the old spelling of å and sorts with it."""


def _base(letter: str) -> int:
    """The rank of a letter with its accents set aside (é -> e, ñ -> n); other characters by code point."""
    decomposed = unicodedata.normalize("NFD", letter)
    return ord(decomposed[0]) if decomposed else 0


def sort_key(text: str, language: str | None = None) -> tuple[tuple[int, ...], str, str]:
    """A key that sorts `text` in `language`'s alphabet (default: the language in use).

    First by letters (case and accents aside, the language's own letters in their places), then by the accented,
    then the cased form, so equal names stay in one stable order.
    """
    language = language or current_language()
    folded = unicodedata.normalize("NFC", text).casefold()
    letters = _LETTERS.get(language, {})
    folded_for_rank = folded.replace("aa", "å") if language in _DOUBLE_A else folded
    ranks = tuple(letters.get(letter, 0) or _base(letter) for letter in folded_for_rank)
    return ranks, folded, text


def sorted_names(names: list[str], language: str | None = None) -> list[str]:
    """`names` in the language's alphabetical order."""
    return sorted(names, key=lambda name: sort_key(name, language))
