"""Board templates: everything about a board that depends on the team's language and habits.

A template (one TOML file per language in `data/templates/`) gives the column labels, the triage levels in
priority order with their colours and meanings, the categories, the weekday names and the meeting agenda per
weekday. Code refers to stable keys (`crisis`, `date_on`, `mon`); every word a user reads comes from here, so
nothing in the code is Swedish or Danish. A board copies its template into its own database when it is created,
so editing a template file later never changes an existing board.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from factboard_tui.core.domain import characters
from factboard_tui.core.domain.dates import DateFormats, check_pattern, template_formats
from factboard_tui.core.domain.plan_template import FALLBACK as PLANS_FALLBACK
from factboard_tui.core.domain.plan_template import PlanSettings, parse_plans
from factboard_tui.core.errors import TemplateError
from factboard_tui.core.i18n import _
from factboard_tui.core.paths import templates_dir

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Language-neutral weekday keys, Monday first (ISO weekday 1..7)."""

COLUMN_KEYS: tuple[str, ...] = (
    "date_on",
    "client_code",
    "triage",
    "category",
    "primary_contact",
    "doctor",
    "other_providers",
    "children",
    "children_note",
    "situation",
    "actions",
    "safety",
    "evaluation_date",
    "crisis_plan",
    "date_off",
    "off_reason",
)
"""Every column label a template must give (weekday labels come from `weekdays`)."""

LATER_COLUMNS: dict[str, str] = {"days_on_board": "Days"}
"""Labels added after boards already existed: a board's older template copy takes them from the shipped template
of its language (or this English fallback), so adding a column never locks a team out of its board."""


@dataclass(frozen=True, slots=True)
class TriageLevel:
    """One triage level; the template lists them in priority order (most urgent first)."""

    key: str
    label: str
    colour: str
    text: str = "#000000"
    meaning: str = ""
    crisis: bool = False


@dataclass(frozen=True, slots=True)
class Category:
    """A reason the client is on the board (the reference board's "Kategori")."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One block of the morning meeting on a given weekday."""

    time: str
    title: str
    minutes: int

    @property
    def start_minute(self) -> int:
        """When the item starts, in minutes after midnight (`08:15` is 495)."""
        hours, _colon, minutes = self.time.partition(":")
        return int(hours) * 60 + int(minutes)

    def runs_at(self, minute_of_day: int) -> bool:
        """Whether the item is on at `minute_of_day` (minutes after midnight)."""
        return self.start_minute <= minute_of_day < self.start_minute + self.minutes


@dataclass(frozen=True, slots=True)
class BoardTemplate:
    """A whole board template, as loaded from TOML or from a board's own copy."""

    id: str
    language: str
    name: str
    columns: dict[str, str]
    triage: tuple[TriageLevel, ...]
    categories: tuple[Category, ...]
    weekdays: tuple[str, ...]
    weekday_names: tuple[str, ...]
    yes: str
    no: str
    disciplines: dict[str, str]
    organisations: dict[str, str]
    agenda: dict[str, tuple[AgendaItem, ...]] = field(default_factory=dict)
    sync_stale_hours: int = 24
    """Hours after which a site's last bundle shows in the warning colour on the wall and in `sync peers` (issue 20)."""
    meeting_minutes: int = 15
    max_days_on_board: int = 90
    dates: DateFormats = field(default_factory=DateFormats)
    """How the board writes dates (`date_format`, `date_format_short` in the template file; see `dates`)."""
    # -- statistics (issue 19: the fidelity report) --
    caseload_size: int = 0
    """The team's caseload (clients in its care), for the board's share of it (CCAF: 10-20 %); 0 is not set."""
    plans: PlanSettings = field(default_factory=lambda: parse_plans({}, {}, TemplateError))
    """Plans, legal measures, the expiry warning and the carry-forward (`[plans]`; see `plan_template`)."""

    # -- look-ups -------------------------------------------------------------------------------------------------

    def label(self, column: str) -> str:
        """The board's label for a column key (see COLUMN_KEYS and LATER_COLUMNS) or weekday key."""
        if column in WEEKDAY_KEYS:
            return self.weekdays[WEEKDAY_KEYS.index(column)]
        return self.columns[column]

    def triage_level(self, key: str) -> TriageLevel:
        """The triage level with this key."""
        for level in self.triage:
            if level.key == key:
                return level
        raise KeyError(key)

    def triage_rank(self, key: str) -> int:
        """Priority of a triage key: 0 is the most urgent; unknown keys sort last."""
        for rank, level in enumerate(self.triage):
            if level.key == key:
                return rank
        return len(self.triage)

    def category_label(self, key: str | None) -> str:
        """The label of a category key (the key itself if the template does not know it)."""
        for category in self.categories:
            if category.key == key:
                return category.label
        return key or ""

    def match_triage(self, text: str) -> str | None:
        """The triage key that `text` names, by key or label, ignoring case, accents and spacing."""
        wanted = fold(text)
        for level in self.triage:
            if wanted in (fold(level.key), fold(level.label)):
                return level.key
        return None

    def match_category(self, text: str) -> str | None:
        """The category key that `text` names, by key or label, ignoring case, accents and spacing."""
        wanted = fold(text)
        for category in self.categories:
            if wanted in (fold(category.key), fold(category.label)):
                return category.key
        return None

    def agenda_for(self, weekday_index: int) -> tuple[AgendaItem, ...]:
        """The meeting agenda for an ISO weekday index 0 (Monday) .. 6 (Sunday)."""
        return self.agenda.get(WEEKDAY_KEYS[weekday_index], ())

    def meeting_slot(self, weekday_index: int) -> tuple[int, int] | None:
        """The day's meeting slot as minutes after midnight, (start, end): from the first agenda item's start to
        the end of the last (reference 002: Monday 8:15-10:30); None on a day with no meeting (an empty agenda).

        Derived from the agenda every template already has, so old boards get their slots with no new key."""
        items = self.agenda_for(weekday_index)
        if not items:
            return None
        spans = [(item.start_minute, item.start_minute + item.minutes) for item in items]
        return min(start for start, _end in spans), max(end for _start, end in spans)

    def meeting_budget(self, weekday_index: int) -> int:
        """Minutes the day's meeting has: its slot's length, or `meeting_minutes` on a day with no slot."""
        slot = self.meeting_slot(weekday_index)
        return slot[1] - slot[0] if slot else self.meeting_minutes

    # -- (de)serialisation ----------------------------------------------------------------------------------------

    def to_json(self) -> str:
        """The template as JSON, for the copy a board keeps in its own database."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BoardTemplate:
        """Read a board's own copy of its template."""
        return parse_template(json.loads(text), source=None)


_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l"})
"""Letters that Unicode does not split into a base letter and an accent."""


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Text reduced for matching: lower case, no accents, no spaces, dashes or underscores.

    Cached: matching a triage or category folds every label of the template for every value, and an import of
    thousands of rows does that thousands of times.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = kept.translate(_UNDECOMPOSED)
    return "".join(ch for ch in kept if ch.isalnum() or ch in "<>")


def available_templates() -> list[str]:
    """Ids of the templates shipped with the app."""
    return sorted(path.stem for path in templates_dir().glob("*.toml"))


def load_template(template_id: str, directory: Path | None = None) -> BoardTemplate:
    """Load a shipped template by id (`sv`, `da`, `en`)."""
    folder = directory or templates_dir()
    path = folder / f"{template_id}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.toml"))) or _("none")
        raise TemplateError(
            _("There is no board template '{template_id}': choose one of {known}.").format(
                template_id=template_id, known=known
            )
        )
    return load_template_file(path)


def load_template_file(path: Path) -> BoardTemplate:
    """Load and validate one template file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TemplateError(
            _("Template {name} cannot be read ({error}): fix the file or use another.").format(
                name=path.name, error=error
            )
        ) from None
    return parse_template(raw, source=path.name)


def parse_template(raw: Any, source: str | None) -> BoardTemplate:
    """Build a template from parsed TOML/JSON, with a one-line error naming what is wrong (`source`: the file's
    name, None for the copy a board keeps of its template)."""

    def fail(problem: str) -> TemplateError:
        """`problem`: what is wrong, a translated clause of its own ("'triage' must list at least one level")."""
        if source is None:
            return TemplateError(
                _("The board's copy of its template is not valid: {problem}; restore the board from a backup.").format(
                    problem=problem
                )
            )
        return TemplateError(
            _("Template {source}: {problem}; fix the template file.").format(source=source, problem=problem)
        )

    if not isinstance(raw, dict):
        raise fail(_("it is not a table"))

    def plain(value: str, where: str) -> str:
        """Template words are shown on every screen: they hold no character the board's cells may not."""
        found = characters.refused_character(value, multiline=False)
        if found is not None:
            raise fail(_("'{key}' holds {what}").format(key=where, what=found[1]))
        return value

    def text(table: dict[str, Any], key: str, where: str = "") -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise fail(_("'{key}' must be a non-empty text").format(key=f"{where}{key}"))
        return plain(value, f"{where}{key}")

    def integer(key: str, default: int, low: int, high: int) -> int:
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise fail(_("'{key}' must be a whole number from {low} to {high}").format(key=key, low=low, high=high))
        return value

    def text_table(key: str, required: tuple[str, ...] = ()) -> dict[str, str]:
        table = raw.get(key)
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise fail(_("'{key}' must be a table of texts").format(key=key))
        missing = [name for name in required if name not in table]
        if missing:
            raise fail(_("'{key}' lacks {names}").format(key=key, names=", ".join(missing)))
        return {plain(str(k), f"{key}.{k}"): plain(str(v), f"{key}.{k}") for k, v in table.items()}

    def seven(key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or len(value) != 7 or not all(isinstance(v, str) and v for v in value):
            raise fail(_("'{key}' must list seven weekday texts, Monday first").format(key=key))
        return tuple(plain(day, key) for day in value)

    levels_raw = raw.get("triage")
    if not isinstance(levels_raw, list) or not levels_raw:
        raise fail(_("'triage' must list at least one level"))
    levels: list[TriageLevel] = []
    for item in levels_raw:
        if not isinstance(item, dict):
            raise fail(_("each triage level must be a table"))
        levels.append(
            TriageLevel(
                key=text(item, "key", "triage."),
                label=text(item, "label", "triage."),
                colour=_colour(item.get("colour"), fail),
                text=_colour(item.get("text", "#000000"), fail),
                meaning=plain(str(item.get("meaning", "")), "triage.meaning"),
                crisis=bool(item.get("crisis", False)),
            )
        )
    if len({level.key for level in levels}) != len(levels):
        raise fail(_("triage keys must be unique"))

    categories_raw = raw.get("categories")
    if not isinstance(categories_raw, list) or not categories_raw:
        raise fail(_("'categories' must list at least one category"))
    categories: list[Category] = []
    for item in categories_raw:
        if not isinstance(item, dict):
            raise fail(_("each category must be a table"))
        categories.append(Category(key=text(item, "key", "categories."), label=text(item, "label", "categories.")))

    if "agenda" not in raw or "meeting_minutes" not in raw:
        # A template copy from before meetings had an agenda: take the meeting settings of the shipped template.
        shipped = _shipped_table(raw.get("id"))
        raw = {"agenda": shipped.get("agenda", {}), "meeting_minutes": shipped.get("meeting_minutes", 15)} | raw
    agenda_raw = raw.get("agenda", {})
    if not isinstance(agenda_raw, dict) or not set(agenda_raw) <= set(WEEKDAY_KEYS):
        raise fail(_("'agenda' must be a table with keys among {keys}").format(keys=", ".join(WEEKDAY_KEYS)))
    agenda: dict[str, tuple[AgendaItem, ...]] = {}
    for day, items in agenda_raw.items():
        if not isinstance(items, list):
            raise fail(_("'{key}' must be a list").format(key=f"agenda.{day}"))
        parsed: list[AgendaItem] = []
        for item in items:
            if not isinstance(item, dict):
                raise fail(_("each item of '{key}' must be a table").format(key=f"agenda.{day}"))
            time_text = text(item, "time", f"agenda.{day}.")
            hours, _colon, minutes_part = time_text.partition(":")
            if not (_CLOCK_PART.match(hours) and _CLOCK_PART.match(minutes_part)) or not (
                int(hours) < 24 and int(minutes_part) < 60
            ):
                raise fail(
                    _("'{key}' must look like 08:15, not {value}").format(
                        key=f"agenda.{day}.time", value=repr(time_text)
                    )
                )
            minutes = item.get("minutes")
            if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
                raise fail(
                    _("'{key}' must be a whole number from {low} to {high}").format(
                        key=f"agenda.{day}.minutes", low=1, high=600
                    )
                )
            parsed.append(AgendaItem(time=time_text, title=text(item, "title", f"agenda.{day}."), minutes=minutes))
        agenda[day] = tuple(parsed)

    plans = _plans(raw, fail)
    return BoardTemplate(
        plans=plans,
        dates=_date_formats(raw, fail),
        id=text(raw, "id"),
        language=text(raw, "language"),
        name=text(raw, "name"),
        columns=_with_later_columns(text_table("columns", COLUMN_KEYS), raw.get("id")) | plans.column_labels(),
        triage=tuple(levels),
        categories=tuple(categories),
        weekdays=seven("weekdays"),
        weekday_names=seven("weekday_names"),
        yes=text(raw, "yes"),
        no=text(raw, "no"),
        disciplines=text_table("disciplines"),
        organisations=text_table("organisations"),
        agenda=agenda,
        sync_stale_hours=integer("sync_stale_hours", 24, 1, 24 * 90),  # issue 20: older copies get 24
        meeting_minutes=integer("meeting_minutes", 15, 1, 240),
        max_days_on_board=integer("max_days_on_board", 90, 1, 3650),
        caseload_size=integer("caseload_size", 0, 0, 100_000),
    )


def _date_formats(raw: dict[str, Any], fail: Any) -> DateFormats:
    """The template's date formats: from the file (`date_format`, `date_format_short`) or a board's copy
    (`dates`), else from the shipped template of the same id, else the language's (older copies have none)."""
    found = raw.get("dates")
    copy: dict[str, Any] = found if isinstance(found, dict) else {}
    long, short = raw.get("date_format", copy.get("long")), raw.get("date_format_short", copy.get("short"))
    if long is None or short is None:
        shipped = _shipped_table(raw.get("id"))
        long = long if long is not None else shipped.get("date_format")
        short = short if short is not None else shipped.get("date_format_short")
    for name, value in (("date_format", long), ("date_format_short", short)):
        if value is not None and not (isinstance(value, str) and check_pattern(value)):
            raise fail(
                _("'{key}' must be a date pattern of YYYY or YY, MM and DD, like DD.MM.YYYY, not {value}").format(
                    key=name, value=repr(value)
                )
            )
    language = raw.get("language")
    return template_formats(language if isinstance(language, str) else "", long, short)


def _plans(raw: dict[str, Any], fail: Any) -> PlanSettings:
    """The plans block: from the file or the board's copy, what it lacks from the shipped template of the same id
    (a copy from before plans existed has none), else from the shipped English template."""
    given = raw.get("plans")
    if isinstance(given, dict) and set(PLANS_FALLBACK) <= set(given):
        return parse_plans(given, {}, fail)  # complete: no need to read the shipped file (every board open)
    shipped = _shipped_table(raw.get("id")).get("plans") or _shipped_table("en").get("plans") or PLANS_FALLBACK
    return parse_plans(raw.get("plans"), shipped if isinstance(shipped, dict) else PLANS_FALLBACK, fail)


def _with_later_columns(columns: dict[str, str], template_id: Any) -> dict[str, str]:
    """Fill in labels that older template copies lack, from the shipped template of the same id."""
    missing = [key for key in LATER_COLUMNS if key not in columns]
    if not missing:
        return columns
    table = _shipped_table(template_id).get("columns", {})
    shipped = {k: v for k, v in table.items() if isinstance(v, str) and v} if isinstance(table, dict) else {}
    return columns | {key: shipped.get(key, LATER_COLUMNS[key]) for key in missing}


def _shipped_table(template_id: Any) -> dict[str, Any]:
    """The raw shipped template of this id (for filling in what older copies lack); empty if there is none."""
    if not isinstance(template_id, str) or not template_id.isidentifier():
        return {}
    path = templates_dir() / f"{template_id}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


_CLOCK_PART = re.compile(r"[0-9]{1,2}\Z")
"""Hours or minutes of an agenda time: ASCII digits only (`str.isdigit` also takes `²` and `٣`, which `int` refuses)."""

_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\Z")
"""`#RRGGBB` exactly (`int(…, 16)` alone also takes `+1234`, `1_234` and spaces)."""


def _colour(value: Any, fail: Any) -> str:
    if not (isinstance(value, str) and _COLOUR.match(value)):
        raise fail(_("colours must look like #RRGGBB, not {value}").format(value=repr(value)))
    return value
