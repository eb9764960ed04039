"""What a bundle carries, and the strict check every imported change passes before anything is written.

A change travels as a JSON array of eleven items (`FIELDS_ON_THE_WIRE`): origin site, sequence number, hybrid
clock, base stamp, entity (`row` or `staff`), the entity's global key (a row's UUID or staff initials), op, field,
new value (text as the change log keeps it, or null), author and time. Only known entities, fields and ops are
accepted, and every value must be one its field could hold: a bundle that carries anything else is refused whole.
That includes a national identity number in any value (`national_ids`), which only an old or hostile sender can
produce, since every site's write path refuses one.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from factboard_tui.core.domain import characters
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import VISIT, Op, visit_part
from factboard_tui.core.domain.national_ids import find_national_id
from factboard_tui.core.domain.plan_template import PLAN_STATUSES
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.errors import SyncRefused
from factboard_tui.core.i18n import _
from factboard_tui.core.sync.hlc import HLC_PATTERN, LATEST_HLC, stamp

FIELDS_ON_THE_WIRE = ("origin", "seq", "hlc", "base", "entity", "key", "op", "field", "new", "author", "at")
MAX_SEQ = 2**62
"""Sequence numbers (and acknowledgements of them) stay below this, well inside SQLite's 64-bit integers."""
SITE_PATTERN = re.compile(r"^[0-9a-f]{32}$")
STAMP_PATTERN = re.compile(r"^[0-9]{15}-[0-9]{5} [0-9a-f]{32}$")
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
AT_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$")
AUTHOR_PATTERN = re.compile(r"^[A-Z0-9ÅÄÖÆØÜ]{1,12}$")
ROW_OPS = frozenset(Op)
STAFF_OPS = frozenset({Op.ADD, Op.SET})
STAFF_FIELDS: dict[str, int] = {"initials": 6, "name": 80, "discipline": 40, "organisation": 40, "active": 0}
"""Staff fields that sync, with their longest text (0: yes/no)."""


class RemoteChange(NamedTuple):
    """One change record as it travels between sites (a tuple: a bundle holds 100,000 of them)."""

    origin: str
    seq: int
    hlc: str
    base: str | None
    entity: str
    key: str
    op: str
    field: str
    new: str | None
    author: str
    at: str

    @property
    def stamp(self) -> str:
        """Its place in the total order of changes (clock, then site id)."""
        return stamp(self.hlc, self.origin)

    def to_wire(self) -> list[Any]:
        """The JSON array it travels as."""
        return [getattr(self, name) for name in FIELDS_ON_THE_WIRE]


def _refuse(index: int, problem: str) -> SyncRefused:
    """`problem`: what is wrong with the change, a translated phrase that goes on from "Change 3 of the bundle"."""
    return SyncRefused(
        "invalid",
        _("Change {number} of the bundle {problem}: the bundle is refused; nothing was applied.").format(
            number=index + 1, problem=problem
        ),
    )


def _text_ok(value: str, max_length: int, multiline: bool) -> bool:
    """Text the write path could have stored: within its length, no character `core.domain.characters` refuses (what
    it only normalises, NFD, dropped invisible characters and tabs in a field of several lines, is let through:
    older FactBoards stored those, and they cannot act on a terminal)."""
    return len(value) <= max_length and characters.refused_character(value, multiline) is None


def _date_ok(value: str) -> bool:
    if not DATE_PATTERN.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _row_value_ok(field: str, value: str | None, template: BoardTemplate) -> bool:
    """Whether a row field (or visit) could hold this stored text."""
    visit = visit_part(field)
    if visit is not None:
        kind, day = visit
        if not _date_ok(day):
            return False
        if value is None:
            return True
        if kind == VISIT:
            return len(value) <= F.VISIT_STAFF_MAX and bool(F.VISIT_PATTERN.match(value))
        return _text_ok(value, F.VISIT_NOTE_MAX, multiline=False)
    spec = F.ROW_FIELDS.get(field)
    if spec is None:
        return False
    if value is None:
        return not spec.required
    match spec.kind:
        case F.Kind.CODE:
            return bool(F.CODE_PATTERN.match(value)) and len(value) <= spec.max_length
        case F.Kind.DATE:
            return _date_ok(value)
        case F.Kind.TRIAGE:
            return any(level.key == value for level in template.triage)
        case F.Kind.CATEGORY:
            return any(category.key == value for category in template.categories)
        case F.Kind.INITIALS:
            return bool(F.INITIALS_PATTERN.match(value))
        case F.Kind.YES_NO:
            return value in ("true", "false")
        case F.Kind.PLAN:  # `true`/`false`: the old yes/no crisis plan, as older sites still send it
            return value in PLAN_STATUSES or value in F.LEGACY_PLAN_TEXT
        case F.Kind.MEASURE:
            return any(measure.key == value for measure in template.plans.measures)
        case F.Kind.TEXT | F.Kind.LONG_TEXT:
            return _text_ok(value, spec.max_length, multiline=spec.kind is F.Kind.LONG_TEXT)
    return False  # pragma: no cover


def _staff_value_ok(field: str, value: str | None) -> bool:
    if field not in STAFF_FIELDS or value is None:
        return False
    if field == "initials":
        return bool(F.INITIALS_PATTERN.match(value))
    if field == "active":
        return value in ("true", "false")
    return _text_ok(value, STAFF_FIELDS[field], multiline=False)


class ChangeChecker:
    """Checks wire arrays one by one; remembers values already found good (origins, keys, authors, times, base
    stamps and field values repeat across a bundle), so a bundle of 100,000 changes is checked in well under a
    second. JSON gives exact `str`, `int` and `list` objects, so types are compared with `type() is` (which also
    keeps `true` out of the sequence numbers)."""

    def __init__(self, template: BoardTemplate) -> None:
        self.template = template
        self.good_values: set[tuple[str, str, str | None]] = set()
        self.origins: set[str] = set()
        self.authors: set[str] = set()
        self.times: set[str] = set()
        self.bases: set[str] = set()
        self.row_keys: set[str] = set()
        self.staff_keys: set[str] = set()

    @staticmethod
    def _known(value: Any, pattern: re.Pattern[str], known: set[str]) -> bool:
        """Whether `value` is text matching `pattern`; remembered in `known` once it did. The type comes first: a
        list or an object from a hostile bundle cannot be looked up in a set."""
        if type(value) is not str:
            return False
        if value in known:
            return True
        if not pattern.match(value):
            return False
        known.add(value)
        return True

    def parse(self, index: int, item: Any) -> RemoteChange:
        """One wire array as a checked `RemoteChange`, or `SyncRefused` naming what is wrong."""
        if type(item) is not list or len(item) != len(FIELDS_ON_THE_WIRE):
            raise _refuse(index, _("is not a list of {count} items").format(count=len(FIELDS_ON_THE_WIRE)))
        origin, seq, hlc, base, entity, key, op, field, new, author, at = item
        # Each check looks in its set of values found good first (inline: a call per change costs 40 ms in 100,000).
        if type(origin) is not str or (
            origin not in self.origins and not self._known(origin, SITE_PATTERN, self.origins)
        ):
            raise _refuse(index, _("has no valid origin site"))
        if type(seq) is not int or not 1 <= seq < MAX_SEQ:
            raise _refuse(index, _("has no valid sequence number"))
        if type(hlc) is not str or not HLC_PATTERN.match(hlc) or hlc > LATEST_HLC:
            raise _refuse(index, _("has no valid clock"))
        if base is not None and (
            type(base) is not str or (base not in self.bases and not self._known(base, STAMP_PATTERN, self.bases))
        ):
            raise _refuse(index, _("has a malformed base stamp"))
        if type(author) is not str or (
            author not in self.authors and not self._known(author, AUTHOR_PATTERN, self.authors)
        ):
            raise _refuse(index, _("has no valid author"))
        if type(at) is not str or (at not in self.times and not self._known(at, AT_PATTERN, self.times)):
            raise _refuse(index, _("has no valid time"))
        if new is not None and type(new) is not str:
            raise _refuse(index, _("has a value that is not text"))
        if type(field) is not str or type(op) is not str:
            raise _refuse(index, _("is malformed"))
        if entity == "row":
            if type(key) is not str or (key not in self.row_keys and not self._known(key, SITE_PATTERN, self.row_keys)):
                raise _refuse(index, _("names a row without a valid row id"))
            if op not in ROW_OPS:
                raise _refuse(index, _("has an unknown operation '{operation}'").format(operation=op[:20]))
        elif entity == "staff":
            if not self._known(key, F.INITIALS_PATTERN, self.staff_keys):
                raise _refuse(index, _("names staff without valid initials"))
            if op not in STAFF_OPS:
                raise _refuse(index, _("has an unknown operation '{operation}'").format(operation=op[:20]))
        else:
            raise _refuse(index, _("is for an unknown table"))
        checked = (entity, field, new)
        if checked not in self.good_values:
            found = characters.refused_character(new, multiline=True) if new is not None else None
            if found is not None:
                raise _refuse(
                    index, _("has a value for '{field}' that holds {what}").format(field=field[:40], what=found[1])
                )
            if new is not None and (kind := find_national_id(new)) is not None:
                raise SyncRefused(
                    "identity",
                    _(
                        "Change {number} of the bundle carries what looks like {kind} in '{field}': the bundle is "
                        "refused; nothing was applied (a current FactBoard never sends one: ask that site to "
                        "update)."
                    ).format(number=index + 1, kind=_(kind), field=field[:40]),
                )
            if entity == "row" and not _row_value_ok(field, new, self.template):
                raise _refuse(
                    index,
                    _("has a value that field '{field}' cannot hold (or the field is unknown)").format(
                        field=field[:40]
                    ),
                )
            if entity == "staff" and not _staff_value_ok(field, new):
                raise _refuse(
                    index,
                    _("has a value that staff field '{field}' cannot hold (or the field is unknown)").format(
                        field=field[:40]
                    ),
                )
            self.good_values.add(checked)
        return tuple.__new__(RemoteChange, item)  # the checked list as it is, without a keyword-argument call


def parse_change(index: int, item: Any, template: BoardTemplate) -> RemoteChange:
    """One wire array as a checked `RemoteChange` (see `ChangeChecker`)."""
    return ChangeChecker(template).parse(index, item)


def parse_changes(items: Any, ranges: dict[str, list[int]], template: BoardTemplate) -> list[RemoteChange]:
    """Every change of a payload, checked against the sequence ranges the signed header names."""
    if not isinstance(items, list):
        raise SyncRefused("invalid", _("The bundle's payload has no list of changes: nothing was applied."))
    checker = ChangeChecker(template)
    changes = [checker.parse(index, item) for index, item in enumerate(items)]
    seen: dict[str, list[int]] = {}
    for change in changes:
        seen.setdefault(change.origin, []).append(change.seq)
    if set(seen) != set(ranges):
        raise SyncRefused("invalid", _("The bundle's changes come from other sites than its header says: refused."))
    for origin, numbers in seen.items():
        first, last = ranges[origin]
        if len(numbers) != last - first + 1 or numbers != list(range(first, last + 1)):  # length first: no huge list
            raise SyncRefused(
                "invalid", _("The bundle's sequence numbers do not match the range its header signs: refused.")
            )
    return changes


def parse_ranges(value: Any) -> dict[str, list[int]]:
    """The header's `ranges`: origin site -> [first, last] sequence number."""
    if not isinstance(value, dict):
        raise SyncRefused("invalid", _("The bundle header has no sequence ranges: nothing was applied."))
    for origin, pair in value.items():
        if (
            not SITE_PATTERN.match(origin)
            or not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
            or not 1 <= pair[0] <= pair[1] < MAX_SEQ
        ):
            raise SyncRefused("invalid", _("The bundle header's sequence ranges are malformed: nothing was applied."))
    return value


def parse_acks(value: Any) -> dict[str, int]:
    """The sender's acknowledgements: origin site -> the last sequence number it holds."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and SITE_PATTERN.match(k) and type(v) is int and 0 <= v < MAX_SEQ for k, v in value.items()
    ):
        raise SyncRefused("invalid", _("The bundle's acknowledgements are malformed: nothing was applied."))
    return value


_BY_SEQ = operator.itemgetter(1)
"""Sort key of a `RemoteChange` by its sequence number (an item getter: no Python call per change)."""


def group_by_origin(changes: Sequence[RemoteChange]) -> dict[str, list[RemoteChange]]:
    """Changes per origin site, in sequence order."""
    grouped: dict[str, list[RemoteChange]] = {}
    for change in changes:
        grouped.setdefault(change.origin, []).append(change)
    for group in grouped.values():
        group.sort(key=_BY_SEQ)
    return grouped
