"""The meeting without a face: order, steps, timers, pace, flags, attendance, the stored record, minutes and CLI.

Everything here runs on real encrypted boards with a clock moved by hand, the way the meeting screen drives it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.boards import NOW, PASSPHRASE, HandClock, snapshot_files
from helpers.cli import Cli
from helpers.hunting import examples
from helpers.meeting import fill
from hypothesis import given, settings
from hypothesis import strategies as st

from factboard_tui.core.domain.meetings import (
    CURRENT,
    DISCUSSED,
    NOT_REACHED,
    SKIPPED,
    MeetingSession,
    attendance_warning,
    clock_text,
    pace,
    row_flags,
)
from factboard_tui.core.domain.templates import BoardTemplate, load_template
from factboard_tui.core.errors import NotFound
from factboard_tui.core.i18n import use_language
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import BoardRow
from factboard_tui.core.transfer.minutes import load_meeting, meeting_ids, minutes_html, minutes_markdown, save_meeting


@pytest.fixture
def template() -> BoardTemplate:
    return load_template("sv")


# -- pace ------------------------------------------------------------------------------------------------------------


def test_pace_reads_like_the_issue_says() -> None:
    verdict = pace(7, 12, timedelta(minutes=9), timedelta(minutes=15))
    assert verdict.text == "7 of 12 rows, 6 min left: behind"


@pytest.mark.parametrize(
    ("reached", "elapsed", "verdict"),
    [
        (0, 0.5, "on time"),  # less than one row's share of the budget gone
        (0, 3, "behind"),  # three minutes and not one row done
        (6, 7.5, "on time"),  # exactly half way in half the time
        (8, 6, "ahead"),
        (5, 9, "behind"),
        (9, 15, "over time"),
        (12, 16, "done"),
    ],
)
def test_pace_verdicts(reached: int, elapsed: float, verdict: str) -> None:
    assert pace(reached, 12, timedelta(minutes=elapsed), timedelta(minutes=15)).verdict == verdict


def test_pace_over_the_budget_says_how_far_over() -> None:
    assert pace(9, 12, timedelta(minutes=17, seconds=30), timedelta(minutes=15)).text == (
        "9 of 12 rows, 2 min over: over time"
    )
    assert clock_text(timedelta(minutes=4, seconds=7)) == "04:07"
    assert clock_text(timedelta(seconds=-75)) == "-01:15"


@pytest.mark.parametrize("language", ["sv", "da", "nb", "nl"])
def test_the_pace_line_is_one_sentence_of_the_catalog(language: str) -> None:
    """The header's pace line was glued from three translated pieces ("{rows}, {left}: {verdict}"), so no
    translator could word it as a sentence: "1 av 5 rader, 132 min kvar: före". Every verdict, with time left and
    with time over, and one row or several, is now one catalog sentence, word for word."""
    from babel.messages.pofile import read_po

    import factboard_tui

    path = Path(factboard_tui.__file__).parent / "locale" / language / "LC_MESSAGES" / "factboard.po"
    with path.open("rb") as file:
        sentences = {
            form
            for message in read_po(file)
            if message.id
            for form in _forms(message.string)
            if "{minutes}" in form and "{reached}" in form
        }
    cases = [  # rows reached, of, minutes gone of 15, rows discussed
        (4, 5, 2, 4),  # ahead
        (3, 5, 8, 3),  # on time
        (0, 5, 4, 0),  # behind, nothing reached yet
        (1, 1, 1, 1),  # one row: done
        (1, 1, 20, 1),  # done, over the budget
        (5, 5, 10, 4),  # every row reached, one skipped: skipped rows wait
        (3, 5, 20, 3),  # over time
    ]
    use_language(language)
    try:
        verdicts = set()
        for reached, total, elapsed, discussed in cases:
            found = pace(reached, total, timedelta(minutes=elapsed), timedelta(minutes=15), discussed=discussed)
            verdicts.add(found.verdict)
            line = found.text
            minutes = abs(int(found.remaining.total_seconds())) // 60
            assert any(
                sentence.format(reached=reached, total=total, minutes=minutes) == line for sentence in sentences
            ), f"{found.verdict}: {line!r} is not one sentence of the {language} catalog"
        assert verdicts == {"ahead", "on time", "behind", "done", "skipped rows wait", "over time"}
    finally:
        use_language("en")


def _forms(string: object) -> list[str]:
    return [form for form in (string if isinstance(string, tuple | list) else [string]) if isinstance(form, str)]


# -- the session -----------------------------------------------------------------------------------------------------


def test_the_meeting_goes_through_rows_in_triage_priority(board: Board) -> None:
    ids = fill(board)
    session = MeetingSession.start(board.rows(), board.template, NOW, "KOO")
    assert session.order == [ids["NN-89"], ids["EE-68"], ids["DD-75"], ids["AA-80"]]
    assert session.budget_minutes == 125  # Wednesday's slot: 08:15-10:20
    assert [item.title for item in session.agenda] == ["Fördjupning", "Dagsplanering", "Paus", "Behandlingskonferens"]


def test_chair_steps_marks_skips_and_moves_rows(board: Board) -> None:
    ids = fill(board)
    clock = HandClock(NOW)
    session = MeetingSession.start(board.rows(), board.template, clock(), "KOO")
    nn, ee, dd, aa = session.order
    clock.advance(minutes=2)
    session.discussed(clock())  # NN-89 discussed, on to EE-68
    assert (session.current, session.outcome(nn)) == (ee, DISCUSSED)
    clock.advance(seconds=30)
    session.skip(clock())  # EE-68 skipped, on to DD-75
    assert (session.current, session.outcome(ee)) == (dd, SKIPPED)
    session.move(1)  # DD-75 after AA-80, still current
    assert session.order == [nn, ee, aa, dd] and session.current == dd
    session.move(1)  # already last: nothing happens
    assert session.order == [nn, ee, aa, dd]
    session.previous(clock())
    assert session.current == aa and session.outcome(aa) == CURRENT and session.outcome(dd) == NOT_REACHED
    session.discussed(clock())  # AA-80 discussed: on to the next not reached, DD-75
    session.discussed(clock())  # DD-75: the only one left is the skipped EE-68
    assert session.current == ee and session.reached == 4
    assert ids["AA-80"] == aa


def test_row_timers_add_up_across_visits_to_a_row(board: Board) -> None:
    fill(board)
    clock = HandClock(NOW)
    session = MeetingSession.start(board.rows(), board.template, clock(), "KOO")
    first = session.current
    clock.advance(seconds=70)
    assert session.row_elapsed(clock()) == timedelta(seconds=70)
    session.next(clock())
    clock.advance(seconds=20)
    assert session.row_elapsed(clock()) == timedelta(seconds=20)
    session.previous(clock())
    clock.advance(seconds=5)
    assert session.row_elapsed(clock()) == timedelta(seconds=75)
    assert session.row_elapsed(clock(), first) == timedelta(seconds=75)
    assert session.elapsed(clock()) == timedelta(seconds=95)
    assert session.remaining(clock()) == timedelta(minutes=125, seconds=-95)  # Wednesday: 08:15-10:20


def test_rows_added_during_the_meeting_join_at_the_end(board: Board) -> None:
    fill(board)
    session = MeetingSession.start(board.rows(), board.template, NOW, "KOO")
    new = board.add_row("CSA", {"client_code": "ZZ-11", "triage": "Kris"})
    session.follow_board(row.id or 0 for row in board.rows())
    assert session.order[-1] == new and len(session.order) == 5


# -- flags and attendance --------------------------------------------------------------------------------------------


def test_flags_the_chair_must_not_miss(board: Board) -> None:
    ids = fill(board)
    today = board.today()
    week = board.week_visits(today)

    def flags(code: str) -> dict[str, str]:
        row = board.row(ids[code])
        return {flag.key: flag.text for flag in row_flags(row, week.get(row.id or 0, {}), board.template, today)}

    assert flags("NN-89") == {
        "crisis_without_plan": "Kris: no current Krisplan",
        "no_visit": "No visit planned this week",
    }
    assert flags("AA-80")["children"] == "Barn <18: Ja (2 st)"
    assert flags("DD-75")["evaluation_passed"] == "Utvärdering passed 2026-11-20"
    assert flags("DD-75")["too_long"] == "147 days on board (limit 90)"
    assert flags("EE-68") == {}  # admitted, visited this week, recent


def test_fewer_than_four_disciplines_is_a_warning(board: Board) -> None:
    fill(board)
    staff = board.staff()
    warning = attendance_warning(staff, ["CSA", "DEN", "HMR"], board.template)
    assert warning == "Only 2 of 4 disciplines present (Läkare, Sjuksköterska): FACT asks for at least four."
    assert attendance_warning(staff, ["CSA", "HMR", "MDN", "KOO"], board.template) is None


# -- the record ------------------------------------------------------------------------------------------------------


def held_meeting(board: Board, clock: HandClock) -> tuple[int, dict[str, int]]:
    """A meeting that discusses two rows, skips one, changes a triage and a visit, and is stored."""
    ids = fill(board)
    session = MeetingSession.start(board.rows(), board.template, clock(), "KOO", first_change_id=board.data_version())
    session.attendees = ["KOO", "CSA", "HMR", "MDN"]
    clock.advance(minutes=3)
    board.set_field("CSA", ids["NN-89"], "triage", "Inlagd", source="tui")
    session.discussed(clock())
    clock.advance(minutes=2)
    board.set_field("KOO", ids["EE-68"], "fri", "CSA+HMR: hembesök", source="tui")
    session.discussed(clock())
    session.skip(clock())
    clock.advance(minutes=1)
    return save_meeting(board, session, clock()), ids


def test_a_stored_meeting_reads_back_with_its_changes(board: Board) -> None:
    clock = HandClock(NOW)
    board.clock = clock
    before_meeting = board.add_row("KOO", {"client_code": "BB-90", "triage": "Ny"})  # not made during the meeting
    meeting_id, _ids = held_meeting(board, clock)
    board.set_field("CSA", before_meeting, "triage", "Stabil")  # after the meeting: not in its record
    record = load_meeting(board, meeting_id)
    assert meeting_ids(board) == [meeting_id]
    assert record.duration == timedelta(minutes=6)
    assert (record.chair, record.budget_minutes, record.team) == ("KOO", 125, "FACT Test")
    assert [a.initials for a in record.attendees] == ["CSA", "HMR", "KOO", "MDN"]
    assert {a.discipline for a in record.attendees} == {"Sjuksköterska", "Läkare", "Psykolog", "Samordnare"}
    assert record.codes(DISCUSSED) == ["NN-89", "EE-68"]
    assert record.codes(SKIPPED) == ["BB-90"]  # new clients come before those under watch
    assert record.codes(NOT_REACHED) == ["DD-75", "AA-80"]
    assert [row.seconds for row in record.rows][:2] == [180, 120]
    lines = [(c.client_code, c.line.author, c.line.field_label, c.line.old, c.line.new) for c in record.changes]
    assert lines == [
        ("NN-89", "CSA", "Triage", "Kris", "Inlagd"),
        ("EE-68", "KOO", "Fr 2026-11-27", "—", "CSA+HMR"),
        ("EE-68", "KOO", "Fr 2026-11-27 note", "—", "hembesök"),
    ]
    summary = record.summary()
    assert summary["discussed"] == ["NN-89", "EE-68"] and summary["changes"] == 3
    assert summary["duration_minutes"] == 6.0


def test_minutes_as_markdown_and_html(board: Board) -> None:
    clock = HandClock(NOW)
    board.clock = clock
    meeting_id, ids = held_meeting(board, clock)
    board.set_field("CSA", ids["AA-80"], "situation", "<script>alert(1)</script> | pipe")
    record = load_meeting(board, meeting_id)
    markdown = minutes_markdown(record)
    assert "- **Duration:** 6 min 00 s (budget 125 min)" in markdown
    assert "- **Not reached (1):** AA-80" in markdown
    assert "| CSA | NN-89 | Triage | Kris | Inlagd |" in markdown
    assert "KOO (Samordnare)" in markdown
    page = minutes_html(record)
    assert page.startswith("<!DOCTYPE html>")
    assert "<td>NN-89</td><td>Triage</td><td>Kris</td><td>Inlagd</td>" in page
    assert "<script>" not in page


def test_a_meeting_cannot_end_before_it_started_and_nothing_is_stored(board: Board) -> None:
    fill(board)
    session = MeetingSession.start(board.rows(), board.template, NOW, "KOO")
    with pytest.raises(Exception, match="cannot end before it started"):
        save_meeting(board, session, NOW - timedelta(minutes=1))
    assert meeting_ids(board) == []
    with pytest.raises(NotFound, match="There is no meeting 7"):
        load_meeting(board, 7)


def test_an_old_template_copy_without_meeting_settings_takes_them_from_the_shipped_one(board: Board) -> None:
    stored = json.loads(board.template.to_json())
    del stored["agenda"], stored["meeting_minutes"]
    template = BoardTemplate.from_json(json.dumps(stored))
    assert template.meeting_minutes == 15
    assert template.agenda_for(0)[0].title == "Veckoplanering"


# -- the CLI ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def with_meeting(board: Board, board_path: Path) -> int:
    clock = HandClock(datetime(2026, 11, 25, 8, 15, tzinfo=UTC))
    board.clock = clock
    meeting_id, _ids = held_meeting(board, clock)
    board.close()
    return meeting_id


def test_cli_lists_meetings_as_json(cli: Cli, with_meeting: int) -> None:
    listed = json.loads(cli.ok("meetings", "list", "--json").stdout)
    assert [meeting["id"] for meeting in listed] == [with_meeting]
    assert listed[0]["discussed"] == ["NN-89", "EE-68"]
    assert listed[0]["attendees"] == ["CSA", "HMR", "KOO", "MDN"]
    assert listed[0]["changes"] == 3
    table = cli.ok("meetings", "list").stdout
    assert "1 meeting" in table and "KOO" in table


def test_cli_shows_minutes_as_markdown_and_html(cli: Cli, with_meeting: int) -> None:
    shown = cli.ok("meetings", "show", str(with_meeting))
    assert "| CSA | NN-89 | Triage | Kris | Inlagd |" in shown.stdout
    assert "plain text" in shown.stderr  # the app says so when it hands out plaintext
    page = cli.ok("meetings", "show", str(with_meeting), "--format", "html").stdout
    assert "<td>Inlagd</td>" in page


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("meetings", "show", "99"), 16, "There is no meeting 99"),  # not found
        (("meetings", "show", "1", "--format", "pdf"), 1, "use md or html"),
    ],
)
def test_cli_meeting_errors_are_one_line_and_change_nothing(
    cli: Cli, with_meeting: int, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    before = snapshot_files(tmp_path)
    result = cli(*args)
    assert result.returncode == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot_files(tmp_path) == before
    assert PASSPHRASE not in result.stderr


# -- any sequence of chair keys ----------------------------------------------------------------------------------------

STEPS = st.lists(
    st.tuples(st.sampled_from(["next", "previous", "discussed", "skip", "up", "down"]), st.integers(0, 300)),
    max_size=60,
)


@settings(max_examples=examples(200))
@given(size=st.integers(0, 8), steps=STEPS)
def test_any_sequence_of_chair_keys_keeps_the_meeting_consistent(size: int, steps: list[tuple[str, int]]) -> None:
    template = load_template("sv")
    rows = [
        BoardRow(
            id=number + 1,
            client_code=f"AB-{number}",
            date_on=NOW.date(),
            triage=template.triage[number % len(template.triage)].key,
            created_at=NOW,
            created_by="KOO",
            updated_at=NOW,
            updated_by="KOO",
        )
        for number in range(size)
    ]
    clock = HandClock(NOW)
    session = MeetingSession.start(rows, template, clock(), "KOO")
    for step, seconds in steps:
        clock.advance(seconds=seconds)
        if step in ("up", "down"):
            session.move(-1 if step == "up" else 1)
        else:
            getattr(session, step)(clock())
        assert sorted(session.order) == list(range(1, size + 1))  # every row once, whatever the moves
        assert (session.current is None) == (size == 0)
        assert 0 <= session.reached <= size
    # Every second of the meeting is booked to exactly one row (when there are rows).
    booked = sum((session.row_elapsed(clock(), row_id) for row_id in session.order), timedelta(0))
    assert booked == (session.elapsed(clock()) if size else timedelta(0))
