"""FactBoard's message catalogs: extract every marked string with Babel, update each language's `.po`, compile `.mo`.

    .venv/bin/python tools/catalogs.py          # after adding or changing marked strings: then translate the .po

What is extracted: every `_()`, `ngettext()`, `pgettext()` and `N_()` in `factboard_tui/` (Babel's Python
extractor), and the description of every CLI command (Typer shows a command's docstring as its help; `cli/registry.py`
translates it through the catalog). The compiled `.mo` files are committed beside their `.po` (so an editable
install, a wheel and an sdist all carry them without a build hook); `tests/core/test_catalogs.py` fails when a `.mo`
is older than its `.po`, when a catalog lacks a msgid, or when an entry is fuzzy or untranslated.
"""

from __future__ import annotations

import inspect
import io
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "factboard_tui"
LOCALE = PACKAGE / "locale"
DOMAIN = "factboard"
TRANSLATED = ("sv", "da", "nb", "nl")
"""The languages with a catalog (English is the source)."""
WIDTH = 120


def command_docs() -> list[tuple[str, str]]:
    """(where, docstring) of every CLI command without an explicit help: Typer shows the docstring."""
    from factboard_tui.cli import app
    from factboard_tui.cli.root_options import _walk

    found = []
    for _path, callback in _walk(app, ()):
        doc = inspect.getdoc(callback)
        if doc:
            found.append((f"{callback.__module__}.{callback.__qualname__}", doc))
    return found


def extract() -> Catalog:
    """Every marked message of the package, as a template catalog."""
    template = Catalog(project="FactBoard", version="", msgid_bugs_address="", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(message, None, [(f"factboard_tui/{filename}", lineno)], auto_comments=comments, context=context)
    for where, doc in command_docs():
        template.add(doc, None, [(where, 0)], auto_comments=["The help of a command (factboard … --help)."])
    return template


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def rendered(catalog: Catalog, **options: Any) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, **options)
    return buffer.getvalue()


def write_if_changed(path: Path, catalog: Catalog, old_date: datetime | None, **options: Any) -> None:
    """Write `catalog` to `path`, unless only its POT-Creation-Date would change: a run that finds nothing new
    leaves every file as it was (the date moves only with the messages)."""
    if old_date is not None and path.exists():
        new_date, catalog.creation_date = catalog.creation_date, old_date
        if rendered(catalog, **options) == path.read_bytes():
            return
        catalog.creation_date = new_date
    path.write_bytes(rendered(catalog, **options))


def creation_date(path: Path) -> datetime | None:
    """The POT-Creation-Date of the catalog at `path` (None when there is none yet)."""
    if not path.exists():
        return None
    with path.open("rb") as file:
        return read_po(file).creation_date


def update() -> None:
    """Bring every `.po` up to the source (new msgids empty, gone ones dropped, no fuzzy guesses) and compile."""
    template = extract()
    LOCALE.mkdir(parents=True, exist_ok=True)
    pot = LOCALE / f"{DOMAIN}.pot"
    write_if_changed(pot, template, creation_date(pot), omit_header=False, sort_output=False)
    for language in TRANSLATED:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        old_date = creation_date(path)
        catalog = read(language) if path.exists() else Catalog(locale=language, domain=DOMAIN, fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        write_if_changed(path, catalog, old_date, ignore_obsolete=True)
        mo = path.with_suffix(".mo")
        data = compiled(read(language))
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
        missing = sum(1 for message in read(language) if message.id and not _translated(message))
        print(f"{language}: {len(catalog) - 1} messages, {missing} to translate")


def _translated(message: object) -> bool:
    string = getattr(message, "string", "")
    return all(string) if isinstance(string, tuple | list) else bool(string)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    update()
