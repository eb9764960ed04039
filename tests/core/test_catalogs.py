"""The message catalogs are complete: every language has every message, none fuzzy, none untranslated, and the
compiled `.mo` files that ship are the `.po` files as they are now.

`tools/catalogs.py` extracts the marked strings with Babel into `locale/factboard.pot` and updates each language's
`.po`; a translator fills them in; the same tool compiles the `.mo` files that are committed and shipped.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import string
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

import factboard_tui

LOCALE = Path(factboard_tui.__file__).parent / "locale"
LANGUAGES = ("sv", "da", "nb", "nl")
TOOL = Path(__file__).resolve().parents[2] / "tools" / "catalogs.py"


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("catalogs_tool", module)
    spec.loader.exec_module(module)
    return module


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language)


def ids(catalog: Catalog) -> set[object]:
    return {(message.context, message.id) for message in catalog if message.id}


def fields(text: str) -> set[str]:
    """The `{name}` placeholders of a message (format specs aside)."""
    return {name.split(":")[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def originals(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    template = read(LOCALE / "factboard.pot")
    catalog = read(LOCALE / language / "LC_MESSAGES" / "factboard.po", language)
    missing = ids(template) - ids(catalog)
    assert not missing, f"{language}.po lacks {len(missing)} messages, e.g. {sorted(map(str, missing))[:5]}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {originals(message)[0]!r}")
        if not all(forms(message)):
            problems.append(f"untranslated: {originals(message)[0]!r}")
        wanted = fields(originals(message)[-1])
        for form in forms(message):
            if form and fields(form) != wanted:
                problems.append(f"placeholders {sorted(fields(form))} instead of {sorted(wanted)}: {form!r}")
    assert not problems, f"{language}.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_mo_is_the_po_compiled(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = tool().compiled(read(folder / "factboard.po", language))
    assert (folder / "factboard.mo").read_bytes() == compiled, "run tools/catalogs.py to compile the .po again"


def test_the_template_holds_every_marked_string_of_the_source() -> None:
    """A string marked in the code but missing from the catalogs would show in English: extract again and compare."""
    extracted = ids(tool().extract())
    template = ids(read(LOCALE / "factboard.pot"))
    assert extracted - template == set(), "run tools/catalogs.py and translate the new messages"


def test_a_run_that_finds_nothing_new_changes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tools/catalogs.py` run again on the same source leaves every catalog as it is: before, each run gave all five
    files a new POT-Creation-Date, and every branch that ran it conflicted with every other on that line."""
    catalogs = tool()
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE, locale)
    monkeypatch.setattr(catalogs, "LOCALE", locale)
    catalogs.update()
    files = sorted(path for path in locale.rglob("*") if path.suffix in (".po", ".pot", ".mo"))
    for path in files:  # as if the last run were long ago (each .mo compiled from its .po, as the tool does)
        if path.suffix != ".mo":
            text = path.read_text(encoding="utf-8")
            path.write_text(
                re.sub(r'"POT-Creation-Date: [^\\]*\\n"', '"POT-Creation-Date: 2020-01-01 08:15+0000\\\\n"', text)
            )
        if path.suffix == ".po":
            path.with_suffix(".mo").write_bytes(catalogs.compiled(read(path, path.parent.parent.name)))
    before = {path: path.read_bytes() for path in files}
    catalogs.update()
    assert {path: path.read_bytes() for path in files} == before


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_line_that_changed_nothing_ends_as_its_ending_is_translated(language: str) -> None:
    """`FactBoardError.with_note` cuts "; nothing was changed." off a line before it adds what did change: in each
    language, every such line must end with the translated ending, or the note would contradict the line."""
    catalog = read(LOCALE / language / "LC_MESSAGES" / "factboard.po", language)
    ending = catalog.get("; nothing was changed.", "the end of an error line")
    assert ending is not None and ending.string
    wrong = [
        form
        for message in catalog
        if message.id and originals(message)[0].endswith("; nothing was changed.")
        for form in forms(message)
        if not form.endswith(ending.string)
    ]
    assert not wrong, f"{language}: these do not end with {ending.string!r}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_names_the_crisis_plan_as_the_template_does(language: str) -> None:
    """The Dutch detail panel said "Crisisplan" (the template's crisis plan) beside a legend "K geen actueel
    signaleringsplan" (the catalog's word, which is the template's other plan): every translated "crisis plan", and
    the crisis triage level's meaning, use the word the template gives the crisis plan."""
    from factboard_tui.core.domain.templates import load_template

    template = load_template(language)
    (crisis,) = (kind for kind in template.plans.kinds if kind.key == "crisis")
    word = crisis.label.casefold()
    assert template.label("crisis_plan") == crisis.label
    (level,) = (level for level in template.triage if level.crisis)
    assert word in level.meaning.casefold(), level.meaning
    said = [
        form
        for message in read(LOCALE / language / "LC_MESSAGES" / "factboard.po", language)
        if message.id and any("crisis plan" in original.casefold() for original in originals(message))
        for form in forms(message)
    ]
    assert said
    for form in said:
        assert word in form.casefold(), form
