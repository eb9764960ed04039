"""The FACT fidelity criteria the board can answer, each with its source and whether the period met it.

A fidelity audit scores a team on a scale whose items come from named instruments: the CCAF's FACT fidelity scale
(FACTs, 2017 edition), the entry criteria of the Norwegian FACT evaluation (FACT-LVB) and the Dartmouth ACT
Fidelity Scale (DACTS, Teague, Bond & Drake 1998), whose items H2 ("team approach": in a typical two-week period,
the share of clients who see more than one member of the team; 90 % or more is its top anchor) and H3 ("program
meeting": the team meets at least four days a week and reviews each client each time) FACT adopted for the
clients on its board. Each `Criterion` names its source, the threshold and the figure the board gives; `met` is
None when the period has no data for it (no meetings, no row on the board long enough, no caseload size set), so
a report never says "met" or "not met" about nothing.

The wording and thresholds are those of issue 19 and the instruments it names; the sources are given so a team can
check them against the edition its auditor uses: Bähler, Delespaul, Kroon, van Vugt & Westen, "FACT scale 2017"
(CCAF, Utrecht; with its workbook for teams preparing an audit), and the DACTS as fidelity reviews quote it (H2:
"in a typical 2 week period what percentage of consumers sees more than one member of the team"; H3: daily team
meetings where the team discusses its clients).
"""

from __future__ import annotations

from dataclasses import dataclass

from factboard_tui.core.domain.statistics import Statistics
from factboard_tui.core.i18n import N_

MEETINGS_PER_WEEK = 3
"""Board meetings a week (with at least four disciplines present)."""

SEEN_BY_FOUR_SHARE = 0.5
"""Share of board clients seen by at least four team members."""

SEEN_BY_TWO_SHARE = 0.9
"""Share of board clients seen by more than one staff member within two weeks (DACTS H2's top anchor)."""

CASELOAD_SHARE = (0.10, 0.20)
"""The board holds 10-20 % of the team's caseload (CCAF)."""

SOURCE_FACTS = N_("CCAF FACT fidelity scale (FACTs 2017)")
SOURCE_FACT_LVB = N_("CCAF FACTs 2017; FACT-LVB entry criteria")
SOURCE_DACTS_H2 = N_("DACTS item H2 (team approach)")
SOURCE_DACTS_H3 = N_("DACTS item H3 (program meeting)")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One fidelity criterion for the period."""

    key: str
    """A stable name (`meetings`, `seen_by_four`, `seen_by_two`, `reviewed`, `caseload_share`)."""
    text: str
    """What the criterion asks, in English (`_()` where shown)."""
    source: str
    """Where it comes from (`_()` where shown)."""
    value: float | None
    """The board's figure (a share 0..1, or meetings a week); None when there is nothing to measure."""
    met: bool | None
    """Whether the period met it; None when it cannot be told (see the module docstring)."""


def criteria(figures: Statistics) -> list[Criterion]:
    """The criteria, in the order the issue lists them, weighed against the period's figures."""
    meetings, team, board = figures.meetings, figures.team, figures.board
    qualifying = meetings.qualifying_per_week if meetings.meetings else None
    reviewed = meetings.reviewed_share
    low, high = CASELOAD_SHARE
    share = board.caseload_share
    return [
        Criterion(
            "meetings",
            N_("Board meetings at least 3 times a week with at least 4 disciplines present"),
            SOURCE_FACT_LVB,
            qualifying,
            None if qualifying is None else qualifying >= MEETINGS_PER_WEEK,
        ),
        Criterion(
            "seen_by_four",
            N_("At least 50 % of board clients seen by at least 4 team members within 14 days"),
            SOURCE_FACTS,
            team.share_four,
            None if team.share_four is None else team.share_four >= SEEN_BY_FOUR_SHARE,
        ),
        Criterion(
            "seen_by_two",
            N_("At least 90 % of board clients seen by more than one staff member within 2 weeks"),
            SOURCE_DACTS_H2,
            team.share_two,
            None if team.share_two is None else team.share_two >= SEEN_BY_TWO_SHARE,
        ),
        Criterion(
            "reviewed",
            N_("Every client on the board discussed at each meeting"),
            SOURCE_DACTS_H3,
            reviewed,
            None if reviewed is None else reviewed >= 1.0,
        ),
        Criterion(
            "caseload_share",
            N_("The board holds 10–20 % of the team's caseload"),
            SOURCE_FACTS,
            share,
            None if share is None else low <= share <= high,
        ),
    ]
