"""The change log read by people: one `Change` record turned into one line of the board's own words.

The store keeps changes as stable keys and text (`triage`, `watch`, `visit:2026-11-23`, `"true"`), which is right
for sync and audit but not for a person looking back at a row. `describe_change` gives the field the board's
label and the values as the board shows them, so the history screen, and later the CLI and exports, all read
the same. It is a pure function of a change and the board's template, so it is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from factboard_tui.core.domain.changes import VISIT_NOTE, Outcome, visit_part
from factboard_tui.core.domain.fields import LEGACY_PLAN_TEXT, ROW_FIELDS, Kind, display
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.i18n import N_, _

if TYPE_CHECKING:  # the database layer loads behind the prompt, and never for help (issue 15)
    from factboard_tui.core.store.schema import Change

EMPTY = "—"
"""How a missing value reads: an added field had no old value, a removed visit has no new one."""

STAFF_FIELD_LABELS: dict[str, str] = {
    "initials": N_("Initials"),
    "name": N_("Name"),
    "discipline": N_("Discipline"),
    "organisation": N_("Organisation"),
    "active": N_("Active"),
}
"""Labels of the team list's fields, in English (`_()` where shown; templates label board columns only; the team
list is app chrome)."""

IMPORT_PREFIX = "import:"
"""Rows imported from a spreadsheet are written with the source `import:<file name>`."""

OPERATIONS = {"add": N_("added"), "set": N_("changed"), "off": N_("taken off"), "undo": N_("undone")}
"""What a change did, as the history says it (the change log stores the `Op` code)."""

SOURCES = {
    "tui": N_("the board screen"),
    "cli": N_("the command line"),
    "sync": N_("a sync bundle"),
    "app": N_("FactBoard"),
}
"""Which face or process wrote a change, as the history says it (the change log stores the code)."""

SOURCE_KINDS = {
    "tui": N_("screen"),
    "cli": N_("command"),
    "sync": N_("sync"),
    "app": N_("app"),
    "demo": N_("demo"),
    "import": N_("import"),
}
"""The same, in one short word for the history's Source column."""


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One change as a person reads it: when, who, from where, what kind, which field, from what to what."""

    at: datetime
    """When the change was written, timezone-aware (UTC as stored; the face converts to local time)."""
    author: str
    """Initials of who wrote it."""
    source: str
    """Which face wrote it (`tui`, `cli`, `demo`, `import`, …)."""
    op: str
    """The kind of write, kept as stored: `add`, `set`, `off`, `undo`, `import`."""
    field_label: str
    """The field in the board's words: a column label, `Må 2026-11-23` for a visit, or a team-list field."""
    old: str
    """The value before, as the board shows it (`—` when there was none)."""
    new: str
    """The value after, as the board shows it (`—` when there is none)."""

    superseded: bool = False
    """A change from another site that arrived after a newer value for the field: recorded, not applied."""

    @property
    def source_kind(self) -> str:
        """The face or process that wrote it, without details: `import` for `import:board.xlsx`."""
        return self.source.partition(":")[0]

    @property
    def source_word(self) -> str:
        """`source_kind` in one short word of the language in use (an unknown kind as it is stored)."""
        kind = self.source_kind
        return _(SOURCE_KINDS[kind]) if kind in SOURCE_KINDS else kind

    @property
    def origin(self) -> str:
        """How the change came about, in the language in use: `added, imported from board.xlsx` for an import,
        else `changed via the board screen` (the stored `op` and `source` stay codes)."""
        operation = _(OPERATIONS[self.op]) if self.op in OPERATIONS else self.op
        if self.source.startswith(IMPORT_PREFIX):
            return _("{operation}, imported from {file}").format(
                operation=operation, file=self.source.removeprefix(IMPORT_PREFIX)
            )
        source = _(SOURCES[self.source]) if self.source in SOURCES else self.source
        return _("{operation} via {source}").format(operation=operation, source=source)

    @property
    def what(self) -> str:
        """The field label, marked when the change was an undo or arrived too late to apply (sync), so neither
        reads as an ordinary edit."""
        label = _("{field} (undo)").format(field=self.field_label) if self.op == "undo" else self.field_label
        return _("{field} (older, not applied)").format(field=label) if self.superseded else label


def describe_change(change: Change, template: BoardTemplate) -> ChangeLine:
    """One stored change in the board's own words (see the module docstring)."""
    at = change.at if change.at.tzinfo is not None else change.at.replace(tzinfo=UTC)
    if change.entity == "staff":
        label = _(STAFF_FIELD_LABELS[change.field]) if change.field in STAFF_FIELD_LABELS else change.field
        old, new = (_staff_value(change.field, value, template) for value in (change.old, change.new))
    else:
        label = field_label(change.field, template)
        old, new = (_row_value(change.field, value, template) for value in (change.old, change.new))
    return ChangeLine(
        at=at,
        author=change.author,
        source=change.source,
        op=change.op,
        field_label=label,
        old=old,
        new=new,
        superseded=change.outcome == Outcome.SUPERSEDED,
    )


def field_label(field: str, template: BoardTemplate) -> str:
    """The board's label of a row field, or of a visit (`Må 2026-11-23`) or a visit's note (`… note`)."""
    visit = visit_part(field)
    if visit is not None:
        kind, day_text = visit
        day = _parse_day(day_text)
        if day is None:
            return field
        when = f"{template.weekdays[day.weekday()]} {day.isoformat()}"
        return _("{day} note").format(day=when) if kind == VISIT_NOTE else when
    if field in template.columns:
        return template.label(field)
    return field


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _row_value(field: str, value: str | None, template: BoardTemplate) -> str:
    """A row field's stored text as the board shows it."""
    if value is None or value == "":
        return EMPTY
    spec = ROW_FIELDS.get(field)
    if spec is not None and spec.kind is Kind.YES_NO:
        return _yes_no(value, template)
    if spec is not None and spec.kind is Kind.PLAN and value in LEGACY_PLAN_TEXT:
        return _yes_no(value, template)  # the old yes/no crisis plan, read as it was written
    if field in ("triage", "category") or (spec is not None and spec.kind in (Kind.PLAN, Kind.MEASURE)):
        return display(value, template, field)
    return value


def _staff_value(field: str, value: str | None, template: BoardTemplate) -> str:
    """A team-list field's stored text as the team list shows it."""
    if value is None or value == "":
        return EMPTY
    if field == "active":
        return _yes_no(value, template)
    if field == "discipline":
        return template.disciplines.get(value, value)
    if field == "organisation":
        return template.organisations.get(value, value)
    return value


def _yes_no(value: str, template: BoardTemplate) -> str:
    """`true`/`false` as the board's yes and no (anything else unchanged)."""
    return {"true": template.yes, "false": template.no}.get(value, value)
