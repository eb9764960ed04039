"""Hostile values: text any keyboard, paste, spreadsheet or peer can put in a cell, and what the board does with it.

Every entry says what happens to it in a free-text field (the rules live in `factboard_tui/core/domain/characters.py`):

- `LITERAL`: stored exactly as given and shown exactly as given, on every screen and in every output;
- `NORMALISED`: stored as `stored` (a field of several lines) or `stored_one_line`, then shown literally; the
  difference is invisible (a zero-width character dropped, NFD composed) or a line break;
- `REFUSED`: refused with one line naming the field, nothing changed (a sync bundle carrying it is refused whole).

To add a case, append a `Hostile` to `HOSTILE` (a later module may extend it with its own list). Values stay
below 80 characters so every free-text field (and a staff name) can hold them, except the 100 KB one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What the write path does with a value."""

    LITERAL = "literal"
    NORMALISED = "normalised"
    REFUSED = "refused"


@dataclass(frozen=True)
class Hostile:
    """One hostile value and what must become of it."""

    name: str
    """A short id (pytest parameter id)."""
    value: str
    outcome: Outcome
    stored: str | None = None
    """For `NORMALISED`: the value as a field of several lines stores it."""
    stored_one_line: str | None = None
    """For `NORMALISED`: as a one-line field stores it (default: `stored`)."""
    refusal: str = "holds"
    """For `REFUSED`: words the one-line refusal contains."""
    in_files: bool = True
    """Whether it can travel in a UTF-8 file or a command-line argument (NUL and lone surrogates cannot)."""

    def expected(self, multiline: bool) -> str:
        """What a free-text field stores (for `LITERAL` and `NORMALISED`)."""
        assert self.outcome is not Outcome.REFUSED, self.name
        if self.outcome is Outcome.LITERAL:
            return self.value
        assert self.stored is not None
        return self.stored if multiline else (self.stored_one_line or self.stored)


def _literal(name: str, value: str) -> Hostile:
    return Hostile(name, value, Outcome.LITERAL)


def _refused(name: str, value: str, refusal: str = "holds", in_files: bool = True) -> Hostile:
    return Hostile(name, value, Outcome.REFUSED, refusal=refusal, in_files=in_files)


def _normalised(name: str, value: str, stored: str, one_line: str | None = None) -> Hostile:
    return Hostile(name, value, Outcome.NORMALISED, stored, one_line)


HOSTILE: list[Hostile] = [
    # Rich and Textual markup: `[/]` crashed renderers, `[link=…]` became an OSC 8 hyperlink, `[@click=…]` an action.
    _literal("markup-bold", "[bold]x[/]"),
    _literal("markup-close", "[/]"),
    _literal("markup-open-bracket", "["),
    _literal("markup-unclosed-tag", "[red"),
    _literal("markup-click", "[@click=app.quit]X[/]"),
    _literal("markup-link", "[link=https://evil.example]CLICK[/link]"),
    _literal("markup-unclosed-bold", "[b]unclosed"),
    _literal("markup-escaped", "\\[escaped] and \\\\[b]x"),
    _literal("markup-variable", "[$accent]x[/] $error"),
    _literal("markup-style-on", "[on red]   [/on red]"),
    _literal("rich-emoji-codes", ":warning: :smile:"),
    _literal("markdown-link", "[CLICK](https://evil.example)"),
    # Terminal escape sequences (C0 ESC) and other C0 controls.
    _refused("ansi-clear", "\x1b[2J", "U+001B ESCAPE"),
    _refused("ansi-colour", "\x1b[31mred\x1b[0m", "U+001B ESCAPE"),
    _refused("osc8-link", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "U+001B ESCAPE"),
    _refused("osc0-title", "\x1b]0;PWNED\x07", "U+001B ESCAPE"),
    _refused("nul", "a\x00b", "U+0000 NULL", in_files=False),
    _refused("bell", "ring\x07", "U+0007 BELL"),
    _refused("backspace", "back\x08space", "U+0008 BACKSPACE"),
    _refused("delete", "del\x7f", "U+007F DELETE"),
    _refused("vertical-tab", "v\x0btab", "U+000B"),
    # C1 controls: U+009B is CSI and U+009D is OSC in one code; U+0085 is mostly mis-decoded Windows text.
    _refused("c1-next-line", "next\x85line", "U+0085"),
    _refused("c1-csi", "\x9b31mred", "U+009B"),
    _refused("c1-osc", "\x9d0;PWNED\x9c", "U+009D"),
    # Bidi embeddings, overrides and isolates ("Trojan Source").
    _refused("bidi-override", "abc\u202edcba", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    _refused("bidi-embedding", "x\u202ay\u202c", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    _refused("bidi-isolate", "\u2066isolated\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    _refused("lone-surrogate", "bad \udcff byte", "not valid text", in_files=False),
    # What the write path quietly normalises.
    _normalised("line-separator", "line\u2028sep", "line\nsep", "line sep"),
    _normalised("paragraph-separator", "para\u2029graph", "para\ngraph", "para graph"),
    _normalised("crlf", "two\r\nlines", "two\nlines", "two lines"),
    _normalised("tab", "a\tb", "a b"),
    _normalised("zero-width-space", "zero\u200bwidth", "zerowidth"),
    _normalised("byte-order-mark", "\ufeffBOM first", "BOM first"),
    _normalised("word-joiner", "word\u2060joiner", "wordjoiner"),
    _normalised("direction-marks", "\u200eleft\u200f mark", "left mark"),
    _normalised("nfd", "Lo\u0308senord", "Lösenord"),
    # Length: the field's limit refuses it with one line (the longest free-text field takes 2,000 characters).
    _refused("100-kb", "A" * 100_000, "too long"),
    # Scripts, emoji and shapes that must survive exactly.
    _literal("emoji", "👍 bra 😀"),
    _literal("emoji-zwj", "👩‍⚕️ sjuksköterska 🧑‍🤝‍🧑"),
    _literal("emoji-family", "👨‍👩‍👧‍👦"),
    _literal("flags", "🇸🇪 🇩🇰 🇳🇴 🇳🇱"),
    _literal("arabic", "مرحبا بالعالم"),
    _literal("hebrew", "שלום עולם"),
    _literal("cjk", "漢字テスト한국어"),
    _literal("combining-marks", "Z̵̡a̸̢l̶̛g̷̨o̴̧"),
    _literal("zwnj", "می‌خواهم"),
    # Shapes that trip parsers, shells, templates and spreadsheets.
    _literal("leading-dash", "-x"),
    _literal("double-dash-help", "--help"),
    _literal("format-strings", "{} %s {0} %(x)s {x!r} %n"),
    _literal("backslashes", "C:\\Users\\n\\t\\x1b"),
    _literal("quotes", "\"double\" 'single' `back`"),
    _literal("html", "<img src=x onerror=alert(1)>"),
    _literal("csv-formula", "=1+1"),
    _literal("csv-hyperlink", '=HYPERLINK("http://x","y")'),
    _literal("sql", "'; DROP TABLE board_row; --"),
    _literal("path-traversal", "../../etc/passwd"),
]
"""The corpus: every entry goes through the write path, the CLI, the TUI and a real terminal."""

LITERAL = [entry for entry in HOSTILE if entry.outcome is Outcome.LITERAL]
STORED = [entry for entry in HOSTILE if entry.outcome is not Outcome.REFUSED]
"""Values a board can hold (literal or normalised)."""
REFUSED = [entry for entry in HOSTILE if entry.outcome is Outcome.REFUSED]


def by_name(name: str) -> Hostile:
    """One entry of the corpus."""
    return next(entry for entry in HOSTILE if entry.name == name)
