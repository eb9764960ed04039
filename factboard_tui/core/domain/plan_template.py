"""What a board template says about plans and legal measures: the words, the measures of its country, the limits.

FACT audits ask whether every client has a current crisis plan, a coordinated plan and a care plan, and Dutch and
Scandinavian teams follow each client's compulsory-care decision to its expiry. The kinds of plan are the same
everywhere (crisis, signalling, coordinated, care: code keeps them as stable keys and a row holds each one's status
and review-due date), but each country names them its own way (SIP in Sweden, KIP in Denmark, IP in Norway) and
each country has its own laws for compulsory care. So the template gives the words, the country's legal measures
(each with the law it comes from), how many days before an expiry the board warns, and after how many meetings a
row not discussed is carried forward.

A board keeps its own copy of its template: a copy from before plans existed takes this block from the shipped
template of the same id (or the English one), so an old board opens with the plans of its language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from factboard_tui.core.domain import characters
from factboard_tui.core.errors import TemplateError

PLAN_KINDS: tuple[str, ...] = ("crisis", "signal", "coordinated", "care")
"""The kinds of plan a row follows, in the order the board shows them."""
PLAN_STATUSES: tuple[str, ...] = ("missing", "in_progress", "exists")
"""A plan's stored status: none yet, being made, in place. "Review due" is not stored: its date says it."""
PLAN_EXISTS = "exists"


def status_field(kind: str) -> str:
    """The row field holding a plan's status: `crisis_plan`."""
    return f"{kind}_plan"


def review_field(kind: str) -> str:
    """The row field holding a plan's review-due date: `crisis_plan_review`."""
    return f"{kind}_plan_review"


MEASURE_FIELD = "legal_measure"
MEASURE_START = "legal_measure_start"
MEASURE_EXPIRY = "legal_measure_expiry"
MEASURE_FIELD_2 = "legal_measure_2"
MEASURE_START_2 = "legal_measure_start_2"
MEASURE_EXPIRY_2 = "legal_measure_expiry_2"


@dataclass(frozen=True, slots=True)
class MeasureSlot:
    """The row fields of one legal measure a client is under: a row has two (in Denmark a tvangsindlæggelse and a
    tvangsbehandling run together), the second shown as "measure 2"."""

    number: int
    """1 or 2."""
    measure: str
    start: str
    expiry: str

    @property
    def fields(self) -> tuple[str, str, str]:
        """(measure, start, expiry) field names."""
        return (self.measure, self.start, self.expiry)


MEASURE_SLOTS: tuple[MeasureSlot, ...] = (
    MeasureSlot(1, MEASURE_FIELD, MEASURE_START, MEASURE_EXPIRY),
    MeasureSlot(2, MEASURE_FIELD_2, MEASURE_START_2, MEASURE_EXPIRY_2),
)
"""The legal measures a row holds at once, in the board's order."""
PLAN_FIELDS: tuple[str, ...] = tuple(name for kind in PLAN_KINDS for name in (status_field(kind), review_field(kind)))
MEASURE_FIELDS: tuple[str, ...] = tuple(name for slot in MEASURE_SLOTS for name in slot.fields)


@dataclass(frozen=True, slots=True)
class PlanKind:
    """One kind of plan as the board names it."""

    key: str
    label: str
    """The plan's name (`Krisplan`, `SIP`)."""
    review: str
    """The label of its review-due date (`Krisplan ses över`)."""


@dataclass(frozen=True, slots=True)
class LegalMeasure:
    """A compulsory-care decision of the board's country."""

    key: str
    label: str
    """As the team says it (`LPT`, `TUD`, `Zorgmachtiging`)."""
    law: str = ""
    """The law and section it comes from, shown in the pick-list and help."""


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """The template's plans block."""

    kinds: tuple[PlanKind, ...]
    statuses: dict[str, str]
    """Status key to the board's word."""
    measure: str
    """The label of the legal measure column."""
    measure_start: str
    measure_expiry: str
    measures: tuple[LegalMeasure, ...]
    measure_2: str = "Legal measure 2"
    """The labels of the second measure's columns (`Tvångsåtgärd 2`)."""
    measure_start_2: str = "Measure 2 from"
    measure_expiry_2: str = "Measure 2 until"
    warning_days: int = 14
    """Warn this many days before a legal measure expires."""
    carry_forward: int = 2
    """A row not discussed in this many meetings in a row is carried forward."""

    def kind(self, key: str) -> PlanKind:
        """The plan kind with this key."""
        for kind in self.kinds:
            if kind.key == key:
                return kind
        raise KeyError(key)

    def measure_label(self, key: str | None) -> str:
        """The label of a legal measure key (the key itself if the template does not know it)."""
        for measure in self.measures:
            if measure.key == key:
                return measure.label
        return key or ""

    def column_labels(self) -> dict[str, str]:
        """Labels of the row fields the plans and measures add, for `BoardTemplate.label`."""
        labels: dict[str, str] = {}
        for kind in self.kinds:
            labels[status_field(kind.key)] = kind.label
            labels[review_field(kind.key)] = kind.review
        labels |= {MEASURE_FIELD: self.measure, MEASURE_START: self.measure_start, MEASURE_EXPIRY: self.measure_expiry}
        labels |= {
            MEASURE_FIELD_2: self.measure_2,
            MEASURE_START_2: self.measure_start_2,
            MEASURE_EXPIRY_2: self.measure_expiry_2,
        }
        return labels


FALLBACK: dict[str, Any] = {
    "kinds": [
        {"key": "crisis", "label": "Crisis plan", "review": "Crisis plan review"},
        {"key": "signal", "label": "Signalling plan", "review": "Signalling plan review"},
        {"key": "coordinated", "label": "Coordinated plan", "review": "Coordinated plan review"},
        {"key": "care", "label": "Care plan", "review": "Care plan review"},
    ],
    "statuses": {"missing": "Missing", "in_progress": "Being made", "exists": "Exists"},
    "measure": "Legal measure",
    "measure_start": "Measure from",
    "measure_expiry": "Measure until",
    "measure_2": "Legal measure 2",
    "measure_start_2": "Measure 2 from",
    "measure_expiry_2": "Measure 2 until",
    "measures": [],
    "warning_days": 14,
    "carry_forward": 2,
}
"""The block for a template (copy) that has none and whose shipped template has none either."""


def parse_plans(raw: Any, fallback: Mapping[str, Any], fail: Callable[[str], TemplateError]) -> PlanSettings:
    """The plans block of a template file or a board's copy (both have the same shape); missing keys come from
    `fallback` (the shipped template's block, else `FALLBACK`)."""
    table = raw if isinstance(raw, dict) else {}
    merged = {**FALLBACK, **fallback, **table}

    def plain(value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(f"'plans.{where}' must be a non-empty text")
        found = characters.refused_character(value, multiline=False)
        if found is not None:
            raise fail(f"'plans.{where}' holds {found[1]}")
        return value

    def whole(key: str, low: int, high: int) -> int:
        value = merged[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise fail(f"'plans.{key}' must be a whole number from {low} to {high}")
        return value

    def tables(key: str) -> list[dict[str, Any]]:
        found = merged[key]
        if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
            raise fail(f"'plans.{key}' must list tables")
        return found

    kinds = tuple(
        PlanKind(*(plain(item.get(name), f"kinds.{name}") for name in ("key", "label", "review")))
        for item in tables("kinds")
    )
    if sorted(kind.key for kind in kinds) != sorted(PLAN_KINDS):
        raise fail(f"'plans.kinds' must name each of {', '.join(PLAN_KINDS)} once")
    statuses_raw = merged["statuses"]
    if not isinstance(statuses_raw, dict) or set(statuses_raw) != set(PLAN_STATUSES):
        raise fail(f"'plans.statuses' must give a word for each of {', '.join(PLAN_STATUSES)}")
    statuses = {key: plain(statuses_raw[key], f"statuses.{key}") for key in PLAN_STATUSES}
    measures = tuple(
        LegalMeasure(
            plain(item.get("key"), "measures.key"),
            plain(item.get("label"), "measures.label"),
            plain(item["law"], "measures.law") if item.get("law") else "",
        )
        for item in tables("measures")
    )
    if len({measure.key for measure in measures}) != len(measures):
        raise fail("'plans.measures' keys must be unique")
    return PlanSettings(
        kinds=tuple(sorted(kinds, key=lambda kind: PLAN_KINDS.index(kind.key))),
        statuses=statuses,
        measure=plain(merged["measure"], "measure"),
        measure_start=plain(merged["measure_start"], "measure_start"),
        measure_expiry=plain(merged["measure_expiry"], "measure_expiry"),
        measures=measures,
        measure_2=plain(merged["measure_2"], "measure_2"),
        measure_start_2=plain(merged["measure_start_2"], "measure_start_2"),
        measure_expiry_2=plain(merged["measure_expiry_2"], "measure_expiry_2"),
        warning_days=whole("warning_days", 0, 365),
        carry_forward=whole("carry_forward", 1, 20),
    )
