"""Which rows a filter keeps: free text, triage, or staff ("my rows").

The TUI's `/` filter and later exports share this. Syntax, words combined with AND:
- plain words match the client code, category key, situation, actions, safety and other providers (case and
  accents ignored);
- `t:kris` / `triage:crisis` keeps one triage level (by the board's label or the stable key);
- `@CSA` keeps rows where CSA is primary contact or doctor or visits in the shown week; `@me` means the signed-in
  person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from factboard_tui.core.domain.templates import BoardTemplate, fold
from factboard_tui.core.store.schema import RowValues, VisitCell


@dataclass(frozen=True)
class RowFilter:
    """A parsed filter; an empty one keeps every row."""

    text: str
    user: str
    template: BoardTemplate | None = None
    words: tuple[str, ...] = field(init=False)
    triage: tuple[str, ...] = field(init=False)
    staff: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        words: list[str] = []
        triage: list[str] = []
        staff: list[str] = []
        for token in self.text.split():
            lower = token.casefold()
            if lower.startswith(("t:", "triage:")):
                wanted = token.split(":", 1)[1]
                found = self.template.match_triage(wanted) if self.template else None
                triage.append(found or fold(wanted))
            elif token.startswith("@") and len(token) > 1:
                staff.append(self.user.upper() if lower == "@me" else token[1:].upper())
            else:
                words.append(fold(token))
        object.__setattr__(self, "words", tuple(words))
        object.__setattr__(self, "triage", tuple(triage))
        object.__setattr__(self, "staff", tuple(staff))

    def matches(self, row: RowValues, visits: dict[date, VisitCell]) -> bool:
        """Whether `row` (with the shown week's visits) passes every part of the filter."""
        if self.triage and row.triage not in self.triage:
            return False
        for initials in self.staff:
            people = {row.primary_contact, row.doctor}
            for visit in visits.values():
                people.update(visit.staff.split("+"))
            if initials not in people:
                return False
        if self.words:
            haystack = fold(
                " ".join(
                    part or ""
                    for part in (
                        row.client_code,
                        row.category,
                        row.situation,
                        row.actions,
                        row.safety,
                        row.other_providers,
                    )
                )
            )
            return all(word in haystack for word in self.words)
        return True
