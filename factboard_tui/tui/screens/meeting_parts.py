"""The meeting screen's key bindings, apart from `MeetingScreen` (screens/meeting.py), which keeps to what the
meeting does: the clock, the claim, the steps through the rows and the minutes.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from factboard_tui.core.i18n import N_

MEETING_BINDINGS: list[BindingType] = [
    Binding("space,n", "next", N_("Next"), id="meeting.next", tooltip=N_("Next row (nothing is marked)")),
    Binding("p", "previous", N_("Previous"), id="meeting.previous", tooltip=N_("Back to the row before")),
    Binding("enter", "discussed", N_("Discussed"), id="meeting.discussed", tooltip=N_("Mark discussed and go on")),
    Binding("s", "skip", N_("Skip"), id="meeting.skip", tooltip=N_("Skip this row for now and go on")),
    Binding(
        "K,shift+up",
        "move(-1)",
        N_("Move up"),
        id="meeting.move_up",
        show=False,
        tooltip=N_("Move this row up the order"),
    ),
    Binding(
        "J,shift+down",
        "move(1)",
        N_("Move down"),
        id="meeting.move_down",
        show=False,
        tooltip=N_("Move this row down"),
    ),
    Binding("t", "edit_triage", N_("Triage"), id="meeting.triage", tooltip=N_("Change this row's triage")),
    Binding("a", "edit_actions", N_("Actions"), id="meeting.actions", tooltip=N_("Edit this row's current actions")),
    Binding("v", "edit_visits", N_("Visits"), id="meeting.visits", tooltip=N_("Edit this week's visits of this row")),
    Binding("h", "privacy", N_("Privacy"), id="meeting.privacy", tooltip=N_("Hide or show free text in the list")),
    Binding("i", "attendance", N_("Check-in"), id="meeting.attendance", show=False, tooltip=N_("Who is present")),
    Binding("e", "end", N_("End"), id="meeting.end", tooltip=N_("End the meeting: summary, stored as minutes")),
    Binding(
        "escape", "leave", N_("Leave"), id="meeting.leave", tooltip=N_("Leave the meeting: store it or discard it")
    ),
]
"""The chair's keys, each with an id a person can remap in the config's `[keys]`."""
