"""The meeting's header: what meeting this is, the clock against the budget, the pace, and who is present.

Four lines of text (the team and day, today's agenda from the template, the pace in words, the attendance or its
warning) beside the meeting clock in large digits and the time left. The header's bottom rule turns to the warning
colour when the meeting is behind and to the success colour when it is ahead; the words always say it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Digits, Static

from factboard_tui.core.domain.meetings import MeetingSession, attendance_warning, clock_text, disciplines_present
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.schema import Staff
from factboard_tui.shown import shown

VERDICT_CLASSES = {"behind": "-behind", "over time": "-behind", "ahead": "-ahead", "done": "-ahead"}
"""Header classes by pace verdict."""


def agenda_line(template: BoardTemplate, today: date, now: datetime) -> Text:
    """Today's agenda from the template, the item running now by the clock highlighted; or, on a day the
    template has no meeting, a line saying so (the budget is then the template's `meeting_minutes`)."""
    items = template.agenda_for(today.weekday())
    if not items:
        day = template.weekday_names[today.weekday()]
        return shown(
            _("No meeting on {day} in the board's template: {minutes} min.").format(
                day=day, minutes=template.meeting_minutes
            ),
            style="dim",
            one_line=True,
        )
    local = now.astimezone()
    minute = local.hour * 60 + local.minute
    parts: list[Text] = []
    for item in items:
        style = "bold reverse" if item.runs_at(minute) else "bold"
        parts.append(shown((f" {item.time} {item.title} ", style), one_line=True))
    return Text(" · ", no_wrap=True, overflow="ellipsis").join(parts)


class MeetingHeader(Horizontal):
    """Title lines, the meeting clock and the time left."""

    def compose(self) -> ComposeResult:
        yield Static("", id="meeting-title")
        yield Digits("00:00", id="meeting-clock")
        yield Static("", id="meeting-clock-text")

    def show(
        self,
        session: MeetingSession | None,
        now: datetime,
        team: str,
        template: BoardTemplate,
        today: date,
        attendees: Sequence[str],
        staff: Sequence[Staff],
    ) -> None:
        """Draw everything for the moment `now`."""
        lines = [
            shown(
                (_("Meeting"), "bold"),
                " · ",
                team,
                " · ",
                template.weekday_names[today.weekday()],
                f" {today.isoformat()}",
                one_line=True,
            ),
            agenda_line(template, today, now),
            Text(session.pace(now).text if session else "", style="bold"),
        ]
        found = disciplines_present(staff, attendees)
        warning = attendance_warning(staff, attendees, template)
        if not staff:
            lines.append(Text(_("Checking in who is present…"), style="dim"))
        elif warning is None:
            lines.append(
                shown(
                    ngettext(
                        "Present {count}: {who}  ({disciplines} disciplines)",
                        "Present {count}: {who}  ({disciplines} disciplines)",
                        len(attendees),
                    ).format(count=len(attendees), who=" ".join(attendees), disciplines=len(found))
                )
            )
        else:
            lines.append(shown(f"⚠ {warning}", style="bold reverse", one_line=True))
        self.query_one("#meeting-title", Static).update(Text("\n", no_wrap=True, overflow="ellipsis").join(lines))
        if session is None:
            return
        self.query_one("#meeting-clock", Digits).update(clock_text(session.elapsed(now)))
        remaining = session.remaining(now)
        left = (
            _("{time} left").format(time=clock_text(remaining))
            if remaining >= timedelta(0)
            else _("{time} over").format(time=clock_text(-remaining))
        )
        self.query_one("#meeting-clock-text", Static).update(
            _("elapsed of {minutes} min").format(minutes=session.budget_minutes)
            + f"\n{left}\n"
            + _("row {time}").format(time=clock_text(session.row_elapsed(now)))
        )
        verdict = VERDICT_CLASSES.get(session.pace(now).verdict)
        self.set_class(verdict == "-behind", "-behind")
        self.set_class(verdict == "-ahead", "-ahead")
