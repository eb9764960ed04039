"""Which characters a stored value may hold, decided once for every way in, and how any text is made inert.

Values reach the board from keyboards, pasted e-mails, spreadsheets and other sites. A few characters in them do
not stand for text at all:

- **refused**: C0 and C1 control codes (ESC starts the sequences that clear a terminal, set its title or make
  hyperlinks, and U+009B is the same command in one code; U+0085 usually means text decoded with the wrong
  encoding), DEL, the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make a value
  show in another order than it reads, and lone surrogates (bytes that were not valid UTF-8). The write path
  refuses them with one line naming the field: they cannot be shown honestly, and whoever typed one can retype.
- **dropped**: invisible characters that carry no meaning on a board: zero-width space, word joiner, byte order
  mark and the direction marks LRM, RLM and ALM (a terminal shows text in the order it was typed, so a mark
  changes nothing a reader sees). Nobody can see or remove them, and they would make equal-looking values differ
  (a filter for a word would miss the cell). Zero-width joiner and non-joiner stay: emoji sequences (👩‍⚕️) and
  Persian or Indic spelling need them.
- **normalised**: CR LF, CR and the line and paragraph separators U+2028/U+2029 are line breaks (which a one-line
  field turns into spaces), a tab is a space, and text is stored in NFC, so a word is the same value however it
  was typed.

Everything else, markup-like brackets, emoji, flags, right-to-left scripts, CJK, combining marks, quotes and
backslashes, is stored and shown exactly as typed.

`inert` is the other half, for showing: whatever a string holds (a value stored before these rules, a file name,
an exception message, a peer's name), every refused character becomes a visible stand-in (the Unicode control
pictures such as ␛ for C0, � for the rest), so nothing that reaches a terminal can act on it. The faces turn the
result into Rich `Text` or Textual `Content`, never markup.
"""

from __future__ import annotations

import re
import unicodedata

from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _

_REFUSED_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
"""Code points no stored value may hold (tab and line feed are decided per field)."""
REFUSED_MULTILINE = re.compile(f"[{_REFUSED_CLASS}]")
"""A refused character in a field of several lines (tab and line feed allowed)."""
REFUSED_ONE_LINE = re.compile(f"[{_REFUSED_CLASS}\t\n]")
"""A refused character in a one-line field."""

DROPPED = "\u200b\u2060\ufeff\u200e\u200f\u061c"
"""Invisible characters removed as a value arrives: ZWSP, word joiner, BOM, LRM, RLM, ALM."""
_DROP = str.maketrans(dict.fromkeys(DROPPED))
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
_NEEDS_WORK = re.compile(f"[\r\t\u2028\u2029{DROPPED}]")
_VISIBLE = re.compile(f"[^\\s{DROPPED}]")

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
_C0_NAMES = {0: "NULL", 7: "BELL", 8: "BACKSPACE", 9: "TAB", 10: "LINE FEED", 13: "CARRIAGE RETURN", 27: "ESCAPE"}

_UNSAFE = re.compile(f"[{_REFUSED_CLASS}\t\u2028\u2029]")
"""What `inert` replaces: everything refused, plus tabs and the Unicode line separators."""
_STAND_INS: dict[int, str] = (
    {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟, the Unicode control pictures
    | {0x7F: "\u2421", 0x09: " ", 0x0A: "\n", 0x2028: "\n", 0x2029: "\n"}
    | dict.fromkeys(range(0x80, 0xA0), "\ufffd")
    | dict.fromkeys(_BIDI, "\ufffd")
    | dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
)
_ONE_LINE = _STAND_INS | {0x0A: " ", 0x2028: " ", 0x2029: " "}
_UNSAFE_ONE_LINE = re.compile(f"[{_REFUSED_CLASS}\t\n\u2028\u2029]")


def describe(character: str) -> str:
    """A refused character as a person can look it up: code point, Unicode's name (an identifier, as in every
    language's character tables), and why it is refused; a phrase that fits "{label} holds {what}"."""
    code = ord(character)
    point = f"U+{code:04X}"
    if code in _BIDI:
        return _("a direction override ({code} {name}) that makes text show in another order than it reads").format(
            code=point, name=unicodedata.name(character)
        )
    if 0xD800 <= code < 0xE000:
        return _("bytes that are not valid text (save the source as UTF-8)")
    name = _C0_NAMES.get(code, "DELETE" if code == 0x7F else "")
    if name:
        return _("a control character ({code} {name}) that a terminal would act on").format(code=point, name=name)
    return _("a control character ({code}) that a terminal would act on").format(code=point)


def refused_character(text: str, multiline: bool) -> tuple[int, str] | None:
    """The first character `text` may not hold (1-based position, description), or None when it is fine."""
    found = (REFUSED_MULTILINE if multiline else REFUSED_ONE_LINE).search(text)
    if found is None:
        return None
    return found.start() + 1, describe(found.group())


def _normalised(raw: str) -> str:
    """Line breaks, tabs, invisible characters and NFC as the rules above say; refuses and trims nothing.

    Most values need none of it: one search finds out (a bulk import cleans 100,000 values)."""
    text = raw
    if _NEEDS_WORK.search(text):
        text = _LINE_BREAKS.sub("\n", text).replace("\t", " ").translate(_DROP)
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean(raw: str, key: str, label: str, multiline: bool) -> str:
    """`raw` as a field may store it (trimmed; a one-line field's line breaks as spaces), or `InvalidValue` naming
    the field (by `label`) and the character.

    The check comes before trimming: Python counts U+0085 and U+001C-U+001F as white space, and a refused
    character is refused wherever it stands.
    """
    text = _normalised(raw)
    found = refused_character(text, multiline=True)
    if found is not None:
        position, what = found
        raise InvalidValue(
            key,
            _("{label} holds {what}, at character {position}: retype the value without it.").format(
                label=label, what=what, position=position
            ),
        )
    text = text.strip()
    if not multiline and "\n" in text:
        text = " ".join(text.split("\n"))
    return text


def blank(raw: str) -> bool:
    """Whether `raw` says nothing (white space, invisible characters): the field is cleared. A refused character
    is never blank, even where Python counts it as white space (U+0085, U+001C-U+001F)."""
    return _VISIBLE.search(raw) is None and refused_character(raw, multiline=True) is None


def inert(text: str) -> str:
    """`text` with every character a terminal could act on replaced by a visible stand-in (line feeds kept)."""
    return text.translate(_STAND_INS) if _UNSAFE.search(text) else text


def inert_line(text: str) -> str:
    """`inert`, and line breaks as spaces: the text on one terminal line, one stand-in per character."""
    return text.translate(_ONE_LINE) if _UNSAFE_ONE_LINE.search(text) else text


def json_safe(encoded: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every unsafe character as a `\\uXXXX` escape.

    The same JSON value, but a C1 code, bidi override or separator in a string cannot act on the terminal that
    shows it (JSON already escapes C0); a lone surrogate becomes its escape instead of failing to encode.
    """
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", encoded)


def excerpt(raw: object, limit: int = 40) -> str:
    """A value quoted in a one-line message: inert, on one line, at most `limit` characters."""
    text = inert_line(str(raw).strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"
