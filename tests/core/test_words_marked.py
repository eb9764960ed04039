"""Every user-visible string in `factboard_tui/` is marked for translation.

How: an AST walk (not a Babel extract compare: an unmarked string is exactly what an extract cannot see). It finds
every string literal and f-string given to what a person reads — notifications, widgets' texts and titles, binding
descriptions and tooltips, dialogs' questions, palette entries, Rich text and `shown` parts, console output,
FactBoard's errors, Typer's help — and fails for each one that is not inside `_()`, `ngettext()`, `pgettext()` or
`N_()` and still holds a word once placeholders, `code`, `--options` and the few words no language translates
(FactBoard, CSV, HTML …) are set aside. A literal such as `" · "` or `f"{code} {name}"` holds no word and passes.

It also fails for an f-string inside `_()` (the catalog would hold `{…}` names that change with the code, and
Babel cannot extract it): placeholders are named and filled with `.format()`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import factboard_tui
from factboard_tui.core import errors

PACKAGE = Path(factboard_tui.__file__).parent

MARKERS = {"_", "ngettext", "pgettext", "N_"}
"""What marks a string for the catalog (core/i18n.py)."""

ERROR_CLASSES = {
    name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, errors.FactBoardError)
}
FIRST_IS_A_KEY = {"InvalidValue", "SyncRefused", "EditConflict"}
"""Errors whose first argument is a field name or a reason word for scripts, not a sentence."""

SINKS = {
    "notify",
    "Static",
    "Label",
    "Button",
    "Checkbox",
    "PaletteCommand",
    "ConfirmDialog",
    "ReasonDialog",
    "TextEditorDialog",
    "ConflictDialog",
    "VisitsDialog",
    "show_error",
    "BadParameter",
    "prompt",
    "confirm",
    "ask_secret",
    "print",
    "echo",
    "Text",
    "assemble",
    "shown",
    "shown_sentence",
    "update",
    "add_column",
    "add_columns",
    "Binding",
    *ERROR_CLASSES,
}
"""Calls whose string arguments a person reads."""

KEYWORDS = {"help", "placeholder", "title", "tooltip", "description", "border_title", "prompt", "label", "prefix"}
"""Keyword arguments a person reads, whatever the call."""

TEMPORARY_FILES = {"mkdtemp", "mkstemp", "NamedTemporaryFile", "TemporaryDirectory", "SpooledTemporaryFile"}
"""tempfile's functions: `prefix=` there names a file, not a line a person reads."""

ATTRIBUTES = {"border_title", "border_subtitle", "empty_text", "title", "sub_title"}
"""Attributes a person reads when a string is assigned to them."""

NOT_READ = {"id", "classes", "name", "group", "style", "severity", "key", "action", "variant", "markup", "key_display"}
"""Keyword arguments that are names, styles or keys, never words."""

UNTRANSLATED = {
    "FactBoard",
    "factboard",
    "CSV",
    "HTML",
    "XLSX",
    "ICS",
    "JSON",
    "UTF",
    "Markdown",
    "MiB",
    "KiB",
    "Argon2id",
    "SQLCipher",
}
"""Words that stay as they are in every language."""

WORD = re.compile(r"[^\W\d_]{2,}")
SET_ASIDE = re.compile(r"\{[^{}]*\}|`[^`]*`|--[\w-]+|\$\w+|\[[/\w ]*\]|\b[\w.-]+\.(?:toml|db|csv|xlsx|html|md|ics)\b")


def words(text: str) -> list[str]:
    """The words of `text` a translator would translate."""
    return [word for word in WORD.findall(SET_ASIDE.sub(" ", text)) if word not in UNTRANSLATED]


def literal_text(node: ast.expr) -> str | None:
    """The text of a string literal or the literal parts of an f-string (None: not a string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(part.value for part in node.values if isinstance(part, ast.Constant))
    return None


def callee(node: ast.Call) -> str | None:
    function = node.func
    return (
        function.id
        if isinstance(function, ast.Name)
        else function.attr
        if isinstance(function, ast.Attribute)
        else None
    )


class Finder(ast.NodeVisitor):
    """Collects the unmarked user-visible strings of one module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[str] = []

    def report(self, node: ast.expr, why: str) -> None:
        text = literal_text(node)
        if text is not None and words(text):
            self.found.append(f"{self.path.relative_to(PACKAGE.parent)}:{node.lineno}: {why}: {text[:80]!r}")

    def candidates(self, node: ast.expr) -> list[ast.expr]:
        """The strings in an argument: itself, both sides of `a + b` and `x if c else y`, a tuple's first item."""
        if isinstance(node, ast.BinOp):
            return self.candidates(node.left) + self.candidates(node.right)
        if isinstance(node, ast.IfExp):
            return self.candidates(node.body) + self.candidates(node.orelse)
        if isinstance(node, ast.Tuple) and node.elts:  # a `shown` part: (text, style)
            return self.candidates(node.elts[0])
        if isinstance(node, ast.Starred):
            return self.candidates(node.value)
        return [node]

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        """A marked literal inside an f-string's braces: Babel's extractor (Python 3.11 tokens) never sees it, so it
        stays out of the catalogs and shows in English whatever the language."""
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Call)
                and callee(inner) in MARKERS
                and any(literal_text(argument) is not None for argument in inner.args)
            ):
                self.found.append(
                    f"{self.path.relative_to(PACKAGE.parent)}:{inner.lineno}: {callee(inner)}() in an f-string"
                )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = callee(node)
        if name in MARKERS:
            for argument in node.args:
                if isinstance(argument, ast.JoinedStr):
                    self.found.append(f"{self.path.relative_to(PACKAGE.parent)}:{node.lineno}: f-string in {name}()")
            return  # marked: nothing inside is reported
        if name in SINKS:
            arguments = node.args[1:] if name in FIRST_IS_A_KEY else node.args
            if name == "Binding":
                arguments = node.args[2:3]
            for argument in arguments:
                for each in self.candidates(argument):
                    self.report(each, f"{name}()")
        for keyword in node.keywords:
            if name in TEMPORARY_FILES:
                break  # their prefix= is part of a file name
            if keyword.arg in KEYWORDS and keyword.arg not in NOT_READ:
                for each in self.candidates(keyword.value):
                    self.report(each, f"{keyword.arg}=")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr in ATTRIBUTES:
                for each in self.candidates(node.value):
                    self.report(each, f".{target.attr} =")
        self.generic_visit(node)


def unmarked(path: Path) -> list[str]:
    finder = Finder(path)
    finder.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return finder.found


def test_every_string_a_person_reads_is_marked_for_translation() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in unmarked(path)]
    assert not found, "Mark these for translation (core/i18n.py: _, ngettext, N_):\n" + "\n".join(found)


def test_the_finder_sees_what_it_should(tmp_path: Path) -> None:
    """The walk itself: unmarked sentences in each kind of place are found; marked or wordless ones are not."""
    module = tmp_path / "sample.py"
    module.write_text(
        "\n".join(
            (
                'self.notify(f"Copied {n} visits")',
                'raise InvalidValue("triage", "Unknown triage")',
                'Binding("a", "add_row", "Add", tooltip="Put a client on the board")',
                'box.border_title = "Rows"',
                'shown(("Meeting", "bold"), " · ", team)',
                'out.print(_("Wrote {n} rows").format(n=n))',
                'Binding("b", "back", N_("Back"), tooltip=N_("Go back"))',
                'Static(f"{code} · {name}", id="title")',
                'typer.Option("--db", help="The board\'s database file")',
                '_(f"Hello {name}")',
                "f\"<p>{escape(_('Not encrypted'))}</p>\"",
            )
        )
    )
    module_path = PACKAGE.parent / "sample.py"
    finder = Finder(module_path)
    finder.visit(ast.parse(module.read_text()))
    said = "\n".join(finder.found)
    for expected in (
        "Copied",
        "Unknown triage",
        "'Add'",
        "Put a client",
        "Rows",
        "Meeting",
        "database file",
        "f-string",
        "_() in an f-string",
    ):
        assert expected in said
    for fine in ("Wrote", "Back", "Go back", "code"):
        assert fine not in said
    assert "triage'" not in said.replace("Unknown triage'", "")


def test_no_module_shadows_gettexts_underscore() -> None:
    """`hours, _, minutes = text.partition(":")` makes `_` a local string: every `_()` in that function (or a
    function nested in it) then fails with "'str' object is not callable", only when that line of code runs."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.For | ast.With | ast.comprehension):
                targets = [node.target] if not isinstance(node, ast.With) else []
            elif isinstance(node, ast.arguments):
                found += [f"{path}: argument _" for arg in node.args + node.kwonlyargs if arg.arg == "_"]
            for target in targets:
                if isinstance(node, ast.comprehension):
                    continue  # a comprehension's own scope
                names = [each for each in ast.walk(target) if isinstance(each, ast.Name) and each.id == "_"]
                found += [f"{path.relative_to(PACKAGE.parent)}:{name.lineno}: _ assigned" for name in names]
    assert not found, "Name the throwaway (_colon, _day): " + ", ".join(found)


SPEAKING_MODULES = (
    "core/diagnosis.py",
    "core/errors.py",
    "settings.py",
    "core/security/locks.py",
    "core/security/journal.py",
    "core/security/backups.py",
    "core/security/recovery.py",
    "core/security/audit.py",
    "core/security/seal.py",
    "crash.py",
    "tui/themes.py",
    "core/domain/characters.py",
    "core/domain/national_ids.py",
    "core/domain/templates.py",
    "core/domain/history.py",
    "core/domain/meetings.py",
    "core/transfer/importer.py",
    "core/sync/records.py",
    "core/sync/service.py",
)
"""Modules whose worded strings all end up in what a person reads: reasons, clauses and pieces that are formatted
into a marked sentence ("… while {what}", "{label} holds {what}") or returned to a face. Here every worded string
constant is marked, wherever it stands; only the few below are codes the code compares, not words."""

CODES = {
    "core/diagnosis.py": {"database is locked", "HMAC verification failed"},
    "core/errors.py": {"; nothing was changed.", " (nothing was changed)."},
    "core/domain/meetings.py": {"skipped rows wait", "over time", "on time"},
    "core/domain/templates.py": {"triage.meaning"},
    "core/domain/characters.py": {"LINE FEED", "CARRIAGE RETURN"},
    "core/sync/service.py": {
        "trust peer",
        "revoke peer",
        "sync export",
        "factboard sync bundle ",
        "signature from FactBoard site ",
        " (at another site)",
    },
    "core/security/audit.py": {
        "audit break",
        "id, at, who, action, client, subject, detail, first_change, last_change, content, prev, hash",
    },
    "settings.py": {
        "# FactBoard settings for this machine (no patient data). Binding ids for [keys] are on the help screen.\n",
        'theme = "factboard-laptop"',
        'user = "CSA"',
        'language = "en"',
    },
    "crash.py": {
        "FactBoard crash report",
        "time (UTC): ",
        "Exception types and frames, outermost cause first. Local variables and exception messages are left out",
        "on purpose: they can hold board data.",
    },
}
"""Per module: strings that are matched against (SQLite's and SQLCipher's own English, a verdict's stable key, a
template key), never shown as they are; Unicode's names of control characters (identifiers, shown beside the
code point as every language's character tables show them); TOML examples and the config file's own comment (the
file's syntax); and the crash report's text, which is for whoever maintains FactBoard, not for the team."""


SQL = re.compile(
    r"\s*(PRAGMA|SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|ATTACH|DETACH|DROP)\b|.*\b(FROM|WHERE|BEGIN|ORDER BY|AFTER)\b"
)
INTERNAL_ERRORS = {"ValueError", "TypeError", "KeyError", "AssertionError", "RuntimeError"}
"""Exceptions for the code, caught before a person reads anything (or a bug): their words stay English."""


def worded_constants(path: Path) -> list[tuple[int, str]]:
    """Every string constant of `path` with words a translator would translate, outside `_()` & co., docstrings,
    dictionary keys and comparisons."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            skipped |= {
                id(each.value) for each in body if isinstance(each, ast.Expr) and isinstance(each.value, ast.Constant)
            }
        if isinstance(node, ast.Call) and callee(node) in INTERNAL_ERRORS:
            skipped |= {id(inner) for argument in node.args for inner in ast.walk(argument)}
        if isinstance(node, ast.Call) and callee(node) in MARKERS:
            skipped |= {id(inner) for argument in node.args for inner in ast.walk(argument)}
        if isinstance(node, ast.Dict):
            skipped |= {id(key) for key in node.keys if key is not None}
        if isinstance(node, ast.Compare):
            skipped |= {id(inner) for part in (node.left, *node.comparators) for inner in ast.walk(part)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped or not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if (
            not SQL.match(node.value)
            and sum(1 for token in SET_ASIDE.sub(" ", node.value).split() if words(token)) >= 2
        ):
            found.append((node.lineno, node.value))
    return found


def test_every_worded_string_of_the_speaking_modules_is_marked() -> None:
    """A reason or a piece of a sentence built outside `_()` reaches a Swedish nurse in English, inside a Swedish
    sentence ("Disken är full while writing the backup"). In these modules no worded string may stand unmarked."""
    found = []
    for name in SPEAKING_MODULES:
        allowed = CODES.get(name, set())
        for line, text in worded_constants(PACKAGE / name):
            if text not in allowed:
                found.append(f"{name}:{line}: {text[:80]!r}")
    assert not found, "Mark these for translation, as whole sentences or reasons of their own:\n" + "\n".join(found)
