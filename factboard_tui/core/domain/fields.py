"""What each board field accepts, and how typed text becomes a stored value.

The CLI, the TUI, spreadsheet imports and (later) sync all hand raw text to the one write path, which calls
`coerce` here; a value that does not fit comes back as `InvalidValue` naming the field, with one line saying
what to do. The same specs tell forms which editor to use (single line, text area, pick-list, date).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from factboard_tui.core.domain import characters
from factboard_tui.core.domain.dates import format_date, parse_date
from factboard_tui.core.domain.national_ids import refuse_national_id
from factboard_tui.core.domain.plan_template import (
    MEASURE_SLOTS,
    PLAN_EXISTS,
    PLAN_KINDS,
    PLAN_STATUSES,
    review_field,
    status_field,
)
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate, fold
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import N_, _


class Kind(StrEnum):
    """How a field is edited and validated."""

    CODE = "code"
    DATE = "date"
    TRIAGE = "triage"
    CATEGORY = "category"
    INITIALS = "initials"
    TEXT = "text"
    LONG_TEXT = "long_text"
    YES_NO = "yes_no"
    VISIT = "visit"
    PLAN = "plan"
    """A plan's status: a key of `plan_template.PLAN_STATUSES`, or none recorded."""
    MEASURE = "measure"
    """A legal measure: a key of the template's measures."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One editable field of a board row."""

    key: str
    kind: Kind
    max_length: int = 0
    required: bool = False


ROW_FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        FieldSpec("date_on", Kind.DATE, required=True),
        FieldSpec("client_code", Kind.CODE, 16, required=True),
        FieldSpec("triage", Kind.TRIAGE, required=True),
        FieldSpec("category", Kind.CATEGORY),
        FieldSpec("primary_contact", Kind.INITIALS, 6),
        FieldSpec("doctor", Kind.INITIALS, 6),
        FieldSpec("other_providers", Kind.TEXT, 120),
        FieldSpec("children", Kind.YES_NO),
        FieldSpec("children_note", Kind.TEXT, 200),
        FieldSpec("situation", Kind.LONG_TEXT, 2000),
        FieldSpec("actions", Kind.LONG_TEXT, 2000),
        FieldSpec("safety", Kind.TEXT, 500),
        FieldSpec("evaluation_date", Kind.DATE),
        FieldSpec("date_off", Kind.DATE),
        FieldSpec("off_reason", Kind.TEXT, 200),
        *(
            spec
            for kind in PLAN_KINDS
            for spec in (FieldSpec(status_field(kind), Kind.PLAN), FieldSpec(review_field(kind), Kind.DATE))
        ),
        *(
            spec
            for slot in MEASURE_SLOTS
            for spec in (
                FieldSpec(slot.measure, Kind.MEASURE),
                FieldSpec(slot.start, Kind.DATE),
                FieldSpec(slot.expiry, Kind.DATE),
            )
        ),
    )
}
"""Every stored field of a board row that the write path may change."""
FREE_TEXT_FIELDS = frozenset(key for key, spec in ROW_FIELDS.items() if spec.kind in (Kind.TEXT, Kind.LONG_TEXT))
"""A row's free text: what a purge removes from periods long over, and where two sites' concurrent edits are kept
as a conflict for a person to settle."""
STAFF_DEFAULTS: dict[str, str | bool] = {"name": "", "discipline": "", "organisation": "", "active": True}
"""A team member's fields before any is given (a new member, or one known to sync only by initials)."""

VISIT_STAFF_MAX = 40
VISIT_NOTE_MAX = 200

CODE_PATTERN = re.compile(r"^[A-ZÅÄÖÆØÜ]{1,4}-[0-9]{1,4}$")
"""Pseudonymous client codes like `DD-75`: letters, a dash, digits. Never a name or a national ID number."""
INITIALS_PATTERN = re.compile(r"^[A-ZÅÄÖÆØÜ]{1,6}$")
VISIT_PATTERN = re.compile(r"^[A-ZÅÄÖÆØÜ]{1,6}(\+[A-ZÅÄÖÆØÜ]{1,6})*$")
_NATIONAL_ID = re.compile(r"\d{6}")


def field_aliases(template: BoardTemplate) -> dict[str, str]:
    """Names a person may use for a field: its key (with - or _) and the board's own label, folded."""
    aliases: dict[str, str] = {}
    for key in (*ROW_FIELDS, *WEEKDAY_KEYS):
        aliases[fold(key)] = key
        aliases[fold(template.label(key))] = key
    aliases[fold("code")] = "client_code"
    return aliases


def resolve_field(name: str, template: BoardTemplate) -> str:
    """The field key a name refers to, or an error listing the names that work."""
    key = field_aliases(template).get(fold(name))
    if key is None:
        known = ", ".join((*ROW_FIELDS, *WEEKDAY_KEYS))
        raise InvalidValue(
            name,
            _("There is no field '{characters}': use one of {known}.").format(
                characters=characters.excerpt(name), known=known
            ),
        )
    return key


def coerce(key: str, raw: Any, template: BoardTemplate) -> Any:
    """The stored value for a raw value (usually text) of field `key`, or `InvalidValue`."""
    spec = ROW_FIELDS.get(key)
    if spec is None:
        raise InvalidValue(key, _("There is no field '{key}'.").format(key=key))
    label = template.label(key)
    if raw is None or (isinstance(raw, str) and characters.blank(raw)):
        if spec.required:
            raise InvalidValue(key, _("{label} is required: fill it in.").format(label=label))
        return None
    match spec.kind:
        case Kind.CODE:
            return parse_client_code(str(raw), label)
        case Kind.DATE:
            return parse_date(raw, key, label, template.dates)
        case Kind.TRIAGE:
            found = template.match_triage(str(raw))
            if found is None:
                choices = ", ".join(level.label for level in template.triage)
                raise InvalidValue(
                    key,
                    _("{label} '{characters}' is not a triage level of this board: use {choices}.").format(
                        label=label, characters=characters.excerpt(raw), choices=choices
                    ),
                )
            return found
        case Kind.CATEGORY:
            found = template.match_category(str(raw))
            if found is None:
                choices = ", ".join(category.label for category in template.categories)
                raise InvalidValue(
                    key,
                    _("{label} '{characters}' is not a category of this board: use {choices}.").format(
                        label=label, characters=characters.excerpt(raw), choices=choices
                    ),
                )
            return found
        case Kind.INITIALS:
            return parse_initials(str(raw), key, label)
        case Kind.YES_NO:
            return parse_yes_no(raw, key, label, template)
        case Kind.PLAN:
            return parse_plan_status(raw, key, label, template)
        case Kind.MEASURE:
            return parse_measure(str(raw), key, label, template)
        case Kind.TEXT | Kind.LONG_TEXT:
            return clean_text(str(raw), key, label, spec.max_length, multiline=spec.kind is Kind.LONG_TEXT)
    raise AssertionError(spec.kind)  # pragma: no cover


def parse_client_code(raw: str, label: str = "Client code") -> str:
    """A client code, upper-cased; refuses anything that looks like a name or a national ID number."""
    code = unicodedata.normalize("NFC", raw.strip().upper())
    if _NATIONAL_ID.search(code):
        raise InvalidValue(
            "client_code",
            _(
                "{label} looks like a national ID number: use the pseudonymous code (like DD-75), never a "
                "personal number."
            ).format(label=label),
        )
    if not CODE_PATTERN.match(code):
        raise InvalidValue(
            "client_code",
            _(
                "{label} '{characters}' is not a client code: use 1-4 letters, a dash and 1-4 digits, like DD-75."
            ).format(label=label, characters=characters.excerpt(raw)),
        )
    return code


def parse_initials(raw: str, key: str, label: str) -> str:
    """Staff initials like CSA."""
    initials = raw.strip().upper()
    if not INITIALS_PATTERN.match(initials):
        raise InvalidValue(
            key,
            _("{label} '{characters}' is not staff initials: use 1-6 letters, like CSA.").format(
                label=label, characters=characters.excerpt(raw)
            ),
        )
    return initials


def parse_visit_staff(raw: str, label: str = "Visit") -> str:
    """A weekday cell: one or more initials joined by +, like DEN+MJR (spaces are dropped)."""
    value = re.sub(r"\s+", "", raw).upper()
    if len(value) > VISIT_STAFF_MAX or not VISIT_PATTERN.match(value):
        raise InvalidValue(
            "visit",
            _("{label} '{characters}' is not staff initials: use initials joined by +, like DEN+MJR.").format(
                label=label, characters=characters.excerpt(raw)
            ),
        )
    return value


def parse_yes_no(raw: Any, key: str, label: str, template: BoardTemplate) -> bool:
    """Yes/no in the board's language (its template's words) or in English (also true/false, 1/0)."""
    if isinstance(raw, bool):
        return raw
    word = fold(str(raw))
    if word in {fold(template.yes), "yes", "y", "true", "1"}:
        return True
    if word in {fold(template.no), "no", "n", "false", "0"}:
        return False
    raise InvalidValue(
        key,
        _("{label} '{characters}' must be {yes} or {no}.").format(
            label=label, characters=characters.excerpt(raw), yes=template.yes, no=template.no
        ),
    )


LEGACY_PLAN_TEXT: dict[str, str | None] = {"true": PLAN_EXISTS, "false": None}
"""The crisis plan was a yes/no before plans had a status: its old change records and older sites' bundles say
`true` (a plan exists: status "exists") or `false` (nothing recorded)."""


def parse_plan_status(raw: Any, key: str, label: str, template: BoardTemplate) -> str | None:
    """A plan's status by key or the board's word (`Finns`); yes means "exists" and no "missing" (a spreadsheet's
    old yes/no crisis plan column), and the stored `true`/`false` of the old yes/no field read as before."""
    if isinstance(raw, bool):
        return PLAN_EXISTS if raw else None
    text = str(raw).strip()
    if text in LEGACY_PLAN_TEXT:
        return LEGACY_PLAN_TEXT[text]
    wanted = fold(text)
    for status in PLAN_STATUSES:
        if wanted in (fold(status), fold(template.plans.statuses[status])):
            return status
    if wanted in {fold(template.yes), "yes", "y"}:
        return PLAN_EXISTS
    if wanted in {fold(template.no), "no", "n"}:
        return "missing"
    choices = ", ".join(template.plans.statuses.values())
    raise InvalidValue(
        key,
        _("{label} '{characters}' is not a plan status: use {choices}.").format(
            label=label, characters=characters.excerpt(raw), choices=choices
        ),
    )


def parse_measure(raw: str, key: str, label: str, template: BoardTemplate) -> str:
    """A legal measure of the board's country, by key or label (`LPT`, `Zorgmachtiging`)."""
    wanted = fold(raw)
    for measure in template.plans.measures:
        if wanted in (fold(measure.key), fold(measure.label)):
            return measure.key
    choices = ", ".join(measure.label for measure in template.plans.measures) or _("none on this board")
    raise InvalidValue(
        key,
        _("{label} '{characters}' is not a legal measure of this board: use {choices}.").format(
            label=label, characters=characters.excerpt(raw), choices=choices
        ),
    )


def clean_text(raw: str, key: str, label: str, max_length: int, multiline: bool) -> str:
    """Free text: the characters `core.domain.characters` allows, trimmed, one line unless the field takes several,
    within its length, and no national identity number (`national_ids`)."""
    text = characters.clean(raw, key, label, multiline)
    if len(text) > max_length:
        raise InvalidValue(
            key,
            _("{label} is too long ({count:,} characters, at most {max_length:,}): shorten it.").format(
                label=label, count=len(text), max_length=max_length
            ),
        )
    refuse_national_id(text, key, label)
    return text


def clean_visit_note(raw: str | None) -> str | None:
    """The optional note of a visit cell."""
    if raw is None or characters.blank(raw):
        return None
    return clean_text(raw, "visit_note", _("Visit note"), VISIT_NOTE_MAX, multiline=False)


UNDO_OFF_REASON = N_("undo: added by mistake")
"""The reason an undone add stores (in English, the same at every site); shown in the reader's language."""
DUPLICATE_OFF_REASON = N_("Added twice at different sites: the row added first stays")
"""The reason every site stores when a sync merge takes off the later of two rows for one client."""
OFF_REASONS = frozenset({UNDO_OFF_REASON, DUPLICATE_OFF_REASON})
"""Reasons FactBoard itself writes: `display` translates them; a reason a person typed stays as typed."""


def display(value: Any, template: BoardTemplate, key: str) -> str:
    """A stored value as the board shows it (labels in the board's language, dates in ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return template.yes if value else template.no
    if isinstance(value, date):
        return format_date(value, template.dates)
    if key == "triage":
        try:
            return template.triage_level(str(value)).label
        except KeyError:
            return str(value)
    if key == "category":
        return template.category_label(str(value))
    if key == "off_reason" and value in OFF_REASONS:
        return _(str(value))
    spec = ROW_FIELDS.get(key)
    if spec is not None and spec.kind is Kind.PLAN:
        return template.plans.statuses.get(str(value), str(value))
    if spec is not None and spec.kind is Kind.MEASURE:
        return template.plans.measure_label(str(value))
    return str(value)


def pick_list(key: str, template: BoardTemplate) -> list[str]:
    """The board's words a field is chosen from (triage levels, categories, yes/no, plan statuses, legal measures),
    for the editors' pick-lists; empty for a field typed freely."""
    spec = ROW_FIELDS.get(key)
    if spec is None:
        return []
    match spec.kind:
        case Kind.TRIAGE:
            return [level.label for level in template.triage]
        case Kind.CATEGORY:
            return [category.label for category in template.categories]
        case Kind.YES_NO:
            return [template.yes, template.no]
        case Kind.PLAN:
            return list(template.plans.statuses.values())
        case Kind.MEASURE:
            return [measure.label for measure in template.plans.measures]
    return []


def split_children(text: str) -> tuple[str, str | None]:
    """The children cell as the reference board writes it, `Ja, 2 st`: the yes/no, and the note after the comma."""
    head, _comma, note = text.partition(",")
    return head.strip(), (note.strip() or None)


def split_visit_cell(text: str) -> tuple[str, str | None]:
    """A weekday cell as typed, `DEN+MJR: note`, split into staff and optional note."""
    staff, _colon, note = text.partition(":")
    return staff.strip(), (None if characters.blank(note) else note)
