"""Initials in a weekday cell checked against the team list, with the closest member for a typo.

A visit whose initials belong to nobody (`XYZ`, or `DNE` for `DEN`) is a visit nobody makes: the write path keeps
accepting any well-formed initials (a locum, a name from an old spreadsheet), but the faces warn before saving and
offer the closest member of the team, so the person confirms or fixes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from factboard_tui.core.i18n import _, ngettext

CLOSE_ENOUGH = 0.5
"""How alike (difflib's ratio) typed initials and a member's must be to be offered as meant."""


@dataclass(frozen=True)
class UnknownInitials:
    """Initials typed that are not on the team list, and the member most likely meant (None if nobody is close)."""

    typed: str
    closest: str | None


def closest_member(typed: str, team: Sequence[str]) -> str | None:
    """The team member's initials most like `typed` (a swap like DNE/DEN, one letter off), or None."""
    best, score = None, CLOSE_ENOUGH
    for member in team:
        ratio = SequenceMatcher(None, typed.upper(), member.upper()).ratio()
        if sorted(typed.upper()) == sorted(member.upper()):
            ratio += 0.5  # the same letters in another order: a typo, not another person
        if ratio > score:
            best, score = member, ratio
    return best


def unknown_initials(staff: str, team: Iterable[str]) -> list[UnknownInitials]:
    """Each of `staff`'s `+`-joined initials that is not on `team`, with the member closest to it."""
    members = sorted({member.upper() for member in team})
    return [
        UnknownInitials(part, closest_member(part, members))
        for part in (part.strip().upper() for part in staff.split("+"))
        if part and part not in members
    ]


def with_closest(staff: str, unknown: Iterable[UnknownInitials]) -> str:
    """`staff` with each unknown initials replaced by the closest member (kept where nobody is close)."""
    fixes = {item.typed: item.closest for item in unknown if item.closest}
    return "+".join(fixes.get(part.strip().upper(), part.strip().upper()) for part in staff.split("+"))


def unknown_warning(unknown: Sequence[UnknownInitials]) -> str:
    """One line naming the initials nobody on the team has, and who was probably meant."""
    parts = [
        _("{typed} (did you mean {closest}?)").format(typed=item.typed, closest=item.closest)
        if item.closest
        else item.typed
        for item in unknown
    ]
    return ngettext("Not on the team list: {initials}.", "Not on the team list: {initials}.", len(unknown)).format(
        initials=", ".join(parts)
    )
