"""Column headers as teams write them, in every language FactBoard speaks.

A spreadsheet's header row says which column is which, but teams head their boards in their own words: a Danish
board says `Borger, Kontaktperson, Læge, Øvrige behandlere, Aktuelle indsatser, Man … Søn`, a Swedish one
`Patient, FVK, Dr, Må … Sö`. The words live in data files, one per language (`data/headers/<lang>.toml`: each
column key and weekday key with the headers that name it), never in code, so a team's word is added without a
release of the code. Every shipped template's own labels and weekday names count too. Matching folds case, accents,
spaces and dashes (`templates.fold`).

The language whose words the header row uses most is the file's language (the board's own on a tie): its template's
words read the triage levels, categories and yes/no of the rows.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factboard_tui.core.domain.plan_template import MEASURE_FIELDS, PLAN_FIELDS
from factboard_tui.core.domain.templates import COLUMN_KEYS, LATER_COLUMNS, WEEKDAY_KEYS, BoardTemplate, fold
from factboard_tui.core.errors import TemplateError
from factboard_tui.core.i18n import _
from factboard_tui.core.paths import shipped_dir

HEADER_KEYS = tuple(dict.fromkeys((*COLUMN_KEYS, *LATER_COLUMNS, *PLAN_FIELDS, *MEASURE_FIELDS, *WEEKDAY_KEYS)))
"""Every key a header may name."""


def headers_dir() -> Path:
    """The header words shipped with the app, one TOML file per language."""
    return shipped_dir("data") / "headers"


@dataclass(frozen=True, slots=True)
class HeaderWords:
    """The headers of one language: folded header text to column or weekday key."""

    language: str
    words: dict[str, str]
    answers: dict[str, bool]
    """Folded yes and no words of the language (`Nei`, `Nee`) to their meaning."""


@functools.cache
def shipped_header_words() -> tuple[HeaderWords, ...]:
    """Every language's header words from `data/headers/` (read once)."""
    return tuple(load_header_words(path) for path in sorted(headers_dir().glob("*.toml")))


def load_header_words(path: Path) -> HeaderWords:
    """One language's header file, checked: every key known, every word a non-empty text."""
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TemplateError(
            _("Header words {name} cannot be read ({error}): fix the file.").format(name=path.name, error=error)
        ) from None
    words: dict[str, str] = {}
    for table in ("columns", "weekdays"):
        for key, names in raw.get(table, {}).items():
            if key not in HEADER_KEYS or not isinstance(names, list):
                raise TemplateError(
                    _("Header words {name}: '{table}.{key}' is not a known column with a list.").format(
                        name=path.name, table=table, key=key
                    )
                )
            for name in names:
                if not isinstance(name, str) or not fold(name):
                    raise TemplateError(
                        _("Header words {name}: '{table}.{key}' lists an empty or non-text word.").format(
                            name=path.name, table=table, key=key
                        )
                    )
                words.setdefault(fold(name), key)
    answers: dict[str, bool] = {}
    for meaning, table in ((True, "yes"), (False, "no")):
        names = raw.get("answers", {}).get(table, [])
        if not isinstance(names, list) or not all(isinstance(name, str) and fold(name) for name in names):
            raise TemplateError(
                _("Header words {name}: 'answers.{table}' must list words.").format(name=path.name, table=table)
            )
        answers.update({fold(name): meaning for name in names})
    return HeaderWords(path.stem, words, answers)


def answer_words() -> dict[str, bool]:
    """Yes and no in every language's header file, folded, to their meaning."""
    answers: dict[str, bool] = {}
    for found in shipped_header_words():
        answers.update(found.answers)
    return answers


def template_words(template: BoardTemplate) -> dict[str, str]:
    """A template's own labels and weekday names, folded, to their keys."""
    words: dict[str, str] = {}
    for key in HEADER_KEYS:
        if key in template.columns:
            words.setdefault(fold(template.columns[key]), key)
    for index, key in enumerate(WEEKDAY_KEYS):
        words.setdefault(fold(template.weekdays[index]), key)
        words.setdefault(fold(template.weekday_names[index]), key)
    return words


def language_words(templates: list[BoardTemplate]) -> dict[str, dict[str, str]]:
    """Per language: its template's words (if a template speaks it) and its header file's words."""
    languages: dict[str, dict[str, str]] = {}
    for template in templates:
        languages.setdefault(template.language, {}).update(template_words(template))
    for found in shipped_header_words():
        words = languages.setdefault(found.language, {})
        for word, key in found.words.items():
            words.setdefault(word, key)
    return languages


def header_aliases(templates: list[BoardTemplate]) -> dict[str, str]:
    """Folded header text to key, over every language (earlier templates win a clash, then the header files)."""
    aliases: dict[str, str] = {}
    for template in templates:
        for word, key in template_words(template).items():
            aliases.setdefault(word, key)
    for found in shipped_header_words():
        for word, key in found.words.items():
            aliases.setdefault(word, key)
    for key in HEADER_KEYS:
        aliases.setdefault(fold(key), key)
    return aliases


def header_language(header: list[Any], templates: list[BoardTemplate]) -> str:
    """The language most of the header's cells are written in; the first template's (the board's) on a tie."""
    folded = {fold(cell) for cell in header if isinstance(cell, str)}
    languages = language_words(templates)
    first = templates[0].language
    scores = {language: len(folded & set(words)) for language, words in languages.items()}
    best = max(scores.values(), default=0)
    if scores.get(first, 0) == best:
        return first
    return next(language for language, score in scores.items() if score == best)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
