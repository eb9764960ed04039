"""Moving a team's existing board in from a spreadsheet (Excel, LibreOffice or CSV), without retyping.

Every team that starts with FactBoard has its board in a spreadsheet. `plan_import` reads one (`sheets`), finds the
header row under any title rows (the reference board has a row of column letters above it and row numbers beside
it), matches each header to a board column by the words teams write in every language (`headers`: `Borger`,
`Kontaktperson`, `FVK`, `Må`, `Man`, `Key worker`…) ignoring case, accents and spacing, and checks every cell with
the same field rules the write path uses. Values may be written as on the reference board: dates in the board's
date order (`190327` on a Swedish board, `27.03.19` on a Danish one, ISO anywhere), triage and category as the
template's words, children as `Ja, 2 st`, weekday cells as `DEN+MJR` (visits of the chosen week). Empty rows inside
the table are skipped, and rows under the table without a client code (a `Noter: …` row) are left out and named.

The result is an `ImportPlan`: a preview of every row, every problem with its row and column, and the unknown
columns. `run_import` then writes the good rows through the one write path, all in one transaction, with the
source `import:<file name>` so each row's history says it was imported and from which file. If any row has a
problem nothing is written, unless the person asked to skip bad rows; then the skipped rows are named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain import characters
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.domain.dates import DateFormats, format_date, parse_date
from factboard_tui.core.domain.plan_template import (
    MEASURE_SLOTS,
    PLAN_EXISTS,
    PLAN_KINDS,
    review_field,
    status_field,
)
from factboard_tui.core.domain.plans import split_measure_cell, split_plan_cell
from factboard_tui.core.domain.templates import (
    WEEKDAY_KEYS,
    BoardTemplate,
    available_templates,
    fold,
    load_template,
)
from factboard_tui.core.errors import ImportRefused, InvalidValue
from factboard_tui.core.i18n import N_, _, ngettext
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.headers import answer_words, column_letter, header_aliases, header_language
from factboard_tui.core.transfer.sheets import read_sheet

IMPORT_SOURCE = "import"
"""The change log's source for imported rows is `import:<file name>`."""

HEADER_SEARCH_ROWS = 20
"""How far down the header row may be (the reference board has a row of column letters above it)."""

IGNORED_COLUMNS = frozenset({"days_on_board"})
IMPORTED_DATES = (
    "date_on",
    "evaluation_date",
    *(review_field(kind) for kind in PLAN_KINDS),
    *(name for slot in MEASURE_SLOTS for name in (slot.start, slot.expiry)),
)
"""Columns read as dates in the board's order of day, month and year (date_off is refused: `off` closes a row)."""
PLAN_STATUS_FIELDS = {status_field(kind): kind for kind in PLAN_KINDS}
MEASURE_COLUMNS = {slot.measure: slot for slot in MEASURE_SLOTS}
"""A legal measure's column, which may hold its dates too: `LPT 2026-11-01 – 2026-12-20`."""
"""A plan's column, which may hold its review date too: `Finns (2026-12-01)`."""
"""Columns FactBoard computes itself: recognised, and not imported."""

Progress = Callable[[str, int, int], None]
"""Told (phase, rows done, rows in all) while a file is read (`reading`) and checked (`checking`)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one cell (or a whole row) of the file."""

    row: int
    """The row number as the spreadsheet shows it (1 is the first line of the file)."""
    column: str
    """`C (Triage)`: the column letter and its header, or empty for the whole row."""
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("row {row}, column {column}: {problem}").format(
                row=self.row, column=self.column, problem=self.message
            )
        return _("row {row}: {problem}").format(row=self.row, problem=self.message)


@dataclass(frozen=True, slots=True)
class PlannedRow:
    """One row of the file ready to write, with what the preview shows of it."""

    line: int
    write: RowWrite
    preview: dict[str, str]


@dataclass
class ImportPlan:
    """What an import would do: rows to write, problems, and how the columns were understood."""

    file_name: str
    template_id: str
    """The template whose words the values were read with."""
    columns: dict[int, str]
    """Column index (0-based) to field key or weekday key."""
    headers: dict[int, str]
    """Column index to the header as written in the file."""
    unknown: list[str]
    ignored: list[str]
    monday: date
    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)
    """Rows under the table without a client code (a notes row, a signature): not board rows, not imported."""
    read_as: str = ""
    """How the file was read (`XLSX`, `CSV, Windows-1252, separated by ';'`)."""
    dates_as: str = ""
    """The date format six- and eight-digit dates were read in (the board's, or --template's): `DD.MM.YYYY`."""

    @property
    def bad_lines(self) -> list[int]:
        """Row numbers that have at least one problem, in file order."""
        return sorted({problem.row for problem in self.problems})

    @property
    def good_rows(self) -> list[PlannedRow]:
        """Rows without problems."""
        bad = set(self.bad_lines)
        return [row for row in self.rows if row.line not in bad]

    @property
    def row_count(self) -> int:
        """Data rows found in the file (good and bad)."""
        return len({row.line for row in self.rows} | set(self.bad_lines))


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What a real import wrote."""

    row_ids: list[int]
    skipped: list[int]
    """Row numbers of the file that had problems and were skipped (with --skip-bad)."""


# -- reading files --------------------------------------------------------------------------------------------------


def read_cells(path: Path, progress: Progress | None = None) -> tuple[list[tuple[int, list[Any]]], str]:
    """The file's rows as (row number, cells), and how the file was read (see `sheets.Sheet.described`)."""
    if progress is not None:
        progress(N_("reading"), 0, 1)
    sheet = read_sheet(path)
    if progress is not None:
        progress(N_("reading"), 1, 1)
    return sheet.rows, sheet.described


# -- headers --------------------------------------------------------------------------------------------------------


def _templates(board: Board, template_id: str | None) -> list[BoardTemplate]:
    """The chosen (or the board's) template first, then every other shipped one."""
    first = load_template(template_id) if template_id else board.template
    others = [load_template(other) for other in available_templates() if other != first.id]
    return [first, *others]


def _find_header(rows: list[tuple[int, list[Any]]], aliases: dict[str, str]) -> int | None:
    """Position in `rows` of the row with the most recognised headers (at least two), among the first rows."""
    best, best_count = None, 1
    for position, (_number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = sum(1 for cell in cells if isinstance(cell, str) and fold(cell) in aliases)
        if count > best_count:
            best, best_count = position, count
    return best


def _values_template(header: list[Any], templates: list[BoardTemplate], template_id: str | None) -> BoardTemplate:
    """The template whose words the file uses: the one asked for, else the one of the header's language."""
    if template_id is not None:
        return templates[0]
    language = header_language(header, templates)
    return next((template for template in templates if template.language == language), templates[0])


# -- values ---------------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as the checks want it: text trimmed, whole floats as ints, empty as None."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float | date | datetime):
        return value
    return str(value)


def _date_text(raw: Any) -> Any:
    """A date cell as text to read, or the date itself. A spreadsheet keeps `021126` typed into a number cell as
    21126: five or seven digits get their leading zero back."""
    if isinstance(raw, int) and not isinstance(raw, bool) and len(str(raw)) in (5, 7):
        return f"0{raw}"
    return raw if isinstance(raw, date) else str(raw)


class _Reader:
    """Turns one file row into checked values, collecting problems by column."""

    def __init__(self, board: Board, words: BoardTemplate, headers: dict[int, str], dates: DateFormats) -> None:
        self.board = board
        self.template = board.template
        self.dates = dates
        self.words = [words] if words.id == board.template.id else [words, board.template]
        self.headers = headers
        yes = {fold(template.yes) for template in self.words} | {"yes", "y", "true", "1", "x"}
        no = {fold(template.no) for template in self.words} | {"no", "n", "false", "0"}
        self.yes_no = answer_words() | {word: True for word in yes} | {word: False for word in no}

    def where(self, index: int) -> str:
        return f"{column_letter(index)} ({self.headers[index]})"

    def yes_or_no(self, raw: Any, key: str) -> bool:
        if isinstance(raw, bool):
            return raw
        found = self.yes_no.get(fold(str(raw)))
        if found is None:
            words = self.words[0]
            raise InvalidValue(
                key,
                _("{template} '{raw}' must be {yes} or {no}.").format(
                    template=self.template.label(key), raw=raw, yes=words.yes, no=words.no
                ),
            )
        return found

    def plan_word(self, raw: Any, key: str) -> Any:
        """A plan status or legal measure in the file's words (or the board's) as its key; a yes/no in a plan's
        column (the old crisis plan column) as "exists" or "missing". Anything else goes on to `fields.coerce`,
        which names what the board takes."""
        answer = self.yes_no.get(fold(str(raw)))
        if F.ROW_FIELDS[key].kind is F.Kind.PLAN and answer is not None:
            return PLAN_EXISTS if answer else "missing"
        wanted = fold(str(raw))
        for words in self.words:
            if F.ROW_FIELDS[key].kind is F.Kind.PLAN:
                found = [status for status, word in words.plans.statuses.items() if fold(word) == wanted]
            else:
                found = [measure.key for measure in words.plans.measures if fold(measure.label) == wanted]
            if found:
                return found[0]
        return raw

    def choice(self, raw: Any, key: str) -> str:
        """A triage level or category written in the file's words (or the board's), as its key."""
        for template in self.words:
            found = template.match_triage(str(raw)) if key == "triage" else template.match_category(str(raw))
            if found is not None:
                return found
        words = self.words[0]
        options = [level.label for level in words.triage] if key == "triage" else [c.label for c in words.categories]
        label = self.template.label(key)
        sentence = (
            _("{label} '{characters}' is not a triage level of the board: use {value}.")
            if key == "triage"
            else _("{label} '{characters}' is not a category of the board: use {value}.")
        )
        raise InvalidValue(
            key, sentence.format(label=label, characters=characters.excerpt(raw), value=", ".join(options))
        )

    def value(self, key: str, raw: Any) -> Any:
        """The stored value of one field from one cell, or `InvalidValue`."""
        if key in ("triage", "category"):
            raw = self.choice(raw, key)
        elif key in IMPORTED_DATES:
            raw = parse_date(_date_text(raw), key, self.template.label(key), self.dates)
        elif F.ROW_FIELDS[key].kind in (F.Kind.PLAN, F.Kind.MEASURE):
            raw = self.plan_word(raw, key)
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(raw)
        return F.coerce(key, raw, self.template)

    def children(self, raw: Any) -> tuple[bool, str | None]:
        """`Ja`, `Nej`, or `Ja, 2 st` (yes with a note) as on the reference board."""
        head, note = F.split_children(str(raw))
        return self.yes_or_no(head, "children"), note

    def visit(self, key: str, raw: Any) -> tuple[str | None, str | None]:
        label = self.template.weekdays[WEEKDAY_KEYS.index(key)]
        staff, note = F.split_visit_cell(str(raw))
        return F.parse_visit_staff(staff, label), F.clean_visit_note(note)


def plan_import(
    board: Board,
    path: Path,
    template_id: str | None = None,
    monday: date | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read and check a spreadsheet without writing anything (see the module docstring)."""
    if template_id is not None and template_id not in available_templates():
        known = ", ".join(available_templates())
        raise ImportRefused(
            _("There is no board template '{template_id}': choose one of {known}.").format(
                template_id=template_id, known=known
            )
        )
    rows, read_as = read_cells(path, progress)
    name = path.name
    rows = [(number, cells) for number, cells in rows if any(_plain(cell) is not None for cell in cells)]
    if not rows:
        raise ImportRefused(
            _("{name} is empty (its first sheet has no rows): choose the file that holds the board.").format(name=name)
        )
    templates = _templates(board, template_id)
    aliases = header_aliases(templates)
    position = _find_header(rows, aliases)
    if position is None:
        example = ", ".join(board.template.label(key) for key in ("date_on", "client_code", "triage", "actions"))
        raise ImportRefused(
            _(
                "{name} has no header row FactBoard knows (looked for labels like {example} in its first "
                "{header_search_rows} rows): put the board's column labels in the row above the data."
            ).format(name=name, example=example, header_search_rows=HEADER_SEARCH_ROWS)
        )
    header_line, header = rows[position]
    words = _values_template(header, templates, template_id)
    columns: dict[int, str] = {}
    headers: dict[int, str] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    for index, cell in enumerate(header):
        text = _plain(cell)
        if text is None:
            continue
        text = str(text)
        key = aliases.get(fold(text))
        if key is None:
            unknown.append(f"{column_letter(index)} ({text})")
        elif key in IGNORED_COLUMNS:
            ignored.append(f"{column_letter(index)} ({text})")
        elif key in columns.values():
            first = next(i for i, k in columns.items() if k == key)
            raise ImportRefused(
                _(
                    "{name} has two columns for {template}: {column_letter} ({headers}) and {column_letter2} "
                    "({text}) in row {header_line}; remove one."
                ).format(
                    name=name,
                    template=board.template.label(key),
                    column_letter=column_letter(first),
                    headers=headers[first],
                    column_letter2=column_letter(index),
                    text=text,
                    header_line=header_line,
                )
            )
        else:
            columns[index] = key
            headers[index] = text
    missing = [key for key in ("client_code", "triage") if key not in columns.values()]
    if missing:
        labels = " and ".join(f"{board.template.label(key)} ({key.replace('_', ' ')})" for key in missing)
        raise ImportRefused(
            _(
                "{name} has no column for {labels} in its header row {header_line}: add it, headed as on the board."
            ).format(name=name, labels=labels, header_line=header_line)
        )
    plan = ImportPlan(
        file_name=name,
        template_id=words.id,
        columns=columns,
        headers=headers,
        unknown=unknown,
        ignored=ignored,
        monday=monday or week_start(board.today()),
        read_as=read_as,
    )
    dates = (templates[0] if template_id is not None else board.template).dates
    plan.dates_as = dates.long
    data = rows[position + 1 :]
    code_column = next(index for index, key in columns.items() if key == "client_code")
    table_end = max(
        (at for at, (_line, cells) in enumerate(data) if code_column < len(cells) and _plain(cells[code_column])),
        default=-1,
    )
    reader = _Reader(board, words, headers, dates)
    open_codes = {row.client_code: row for row in board.rows()}
    seen: dict[str, int] = {}
    for done, (line, cells) in enumerate(data, start=1):
        if done - 1 > table_end:
            plan.left_out.append(line)  # under the table, no client code: a notes row, a signature
        else:
            _check_row(plan, reader, line, cells, open_codes, seen)
        if progress is not None and (done % 100 == 0 or done == len(data)):
            progress(N_("checking"), done, len(data))
    if not plan.rows and not plan.problems:
        raise ImportRefused(
            _("{name} has a header row but no board rows under it: nothing to import.").format(name=name)
        )
    return plan


def _check_row(
    plan: ImportPlan,
    reader: _Reader,
    line: int,
    cells: list[Any],
    open_codes: dict[str, Any],
    seen: dict[str, int],
) -> None:
    """Check one file row, adding it to the plan and its problems to the plan's problems."""
    template = reader.template
    values: dict[str, Any] = {}
    visits: dict[date, tuple[str | None, str | None]] = {}
    preview: dict[str, str] = {}
    problems: list[Problem] = []
    failed: set[str] = set()
    found_any = False
    for index, key in plan.columns.items():
        raw = _plain(cells[index]) if index < len(cells) else None
        if raw is None:
            continue
        found_any = True
        preview[key] = _preview_text(raw)
        try:
            if key in IMPORTED_DATES:
                values[key] = reader.value(key, raw)
                preview[key] = format_date(values[key], template.dates)  # the date as it will be stored
                continue
            if key in WEEKDAY_KEYS:
                day = plan.monday + timedelta(days=WEEKDAY_KEYS.index(key))
                visits[day] = reader.visit(key, raw)
            elif key == "children":
                values["children"], note = reader.children(raw)
                if note and "children_note" not in values:
                    values["children_note"] = F.coerce("children_note", note, template)
            elif key in PLAN_STATUS_FIELDS and isinstance(raw, str):  # `Finns (2026-12-01)`, as the export writes
                status, review = split_plan_cell(raw)
                values[key] = reader.value(key, status)
                if review is not None:
                    values.setdefault(
                        review_field(PLAN_STATUS_FIELDS[key]),
                        reader.value(review_field(PLAN_STATUS_FIELDS[key]), review),
                    )
            elif key in MEASURE_COLUMNS and isinstance(raw, str):  # `LPT 2026-11-01 – 2026-12-20`
                measure, start, expiry = split_measure_cell(raw)
                values[key] = reader.value(key, measure)
                slot = MEASURE_COLUMNS[key]
                for dated, text in ((slot.start, start), (slot.expiry, expiry)):
                    if text is not None:
                        values.setdefault(dated, reader.value(dated, text))
            elif key in ("date_off", "off_reason"):
                raise InvalidValue(
                    key,
                    _(
                        "{template} is filled in: only rows still on the board are imported; remove this row or "
                        "clear the cell."
                    ).format(template=template.label(key)),
                )
            else:
                values[key] = reader.value(key, raw)
        except InvalidValue as error:
            failed.add(key)
            problems.append(Problem(line, reader.where(index), str(error)))
    if not found_any:
        return  # a row with only a row number or unknown columns: not a board row
    for key in ("client_code", "triage"):
        if key not in values and key not in failed:
            problems.append(Problem(line, "", _("{label} is empty: fill it in.").format(label=template.label(key))))
    code = values.get("client_code")
    if isinstance(code, str):
        if code in seen:
            problems.append(
                Problem(
                    line,
                    "",
                    _("{code} is also in row {row} of the file: keep one of them.").format(code=code, row=seen[code]),
                )
            )
        elif code in open_codes:
            problems.append(
                Problem(line, "", _("{code} is already on the board: remove the row from the file.").format(code=code))
            )
        seen.setdefault(code, line)
    plan.problems.extend(problems)
    plan.rows.append(PlannedRow(line, RowWrite(Op.ADD, values=values, visits=visits), preview))


def _preview_text(raw: Any) -> str:
    if isinstance(raw, date):
        return raw.isoformat()
    return " ".join(str(raw).split())


def import_source(file_name: str) -> str:
    """The change log's source for rows imported from `file_name`: `import:<name>`, kept short and inert."""
    return f"{IMPORT_SOURCE}:{characters.inert_line(file_name).strip()[:120]}"


def run_import(board: Board, plan: ImportPlan, author: str, skip_bad: bool = False) -> ImportResult:
    """Write the plan's rows through the one write path, all in one transaction; nothing if any row is bad."""
    if plan.bad_lines and not skip_bad:
        raise refusal(plan)
    good = plan.good_rows
    if not good:
        first = str(plan.problems[0]) if plan.problems else _("the file has no rows")
        raise ImportRefused(
            _(
                "No row of {file_name} can be imported (first problem: {first}); fix the file and import it again."
            ).format(file_name=plan.file_name, first=first)
        )
    results = board.write_rows(author, [row.write for row in good], source=import_source(plan.file_name))
    return ImportResult([result.row_id for result in results], plan.bad_lines)


def refusal(plan: ImportPlan, dry_run: bool = False) -> ImportRefused:
    """The one-line refusal of a plan with bad rows: how many, the first problem, and what to do."""
    count = len(plan.bad_lines)
    if dry_run:
        sentence = ngettext(
            "{count} row has problems in {file_name} (first: {problem}); nothing was imported: fix the file or pass "
            "--skip-bad to import only the good rows.",
            "{count} rows have problems in {file_name} (first: {problem}); nothing was imported: fix the file or "
            "pass --skip-bad to import only the good rows.",
            count,
        )
    else:
        sentence = ngettext(
            "{count} row has problems in {file_name} (first: {problem}); nothing was imported: fix the file (see "
            "them all with --dry-run) or pass --skip-bad to import only the good rows.",
            "{count} rows have problems in {file_name} (first: {problem}); nothing was imported: fix the file (see "
            "them all with --dry-run) or pass --skip-bad to import only the good rows.",
            count,
        )
    return ImportRefused(sentence.format(count=count, file_name=plan.file_name, problem=plan.problems[0]))


def iter_problems(plan: ImportPlan) -> Iterator[str]:
    """Every problem as one line, in file order."""
    for problem in sorted(plan.problems, key=lambda problem: problem.row):
        yield str(problem)
