"""Which language FactBoard speaks, its plurals, month and weekday names, and sorting by the team's alphabet."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from factboard_tui.core import i18n
from factboard_tui.core.collation import sorted_names
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.i18n import choose_language, environment_language, known_language, ngettext, use_language
from factboard_tui.core.locale_dates import day_month, week_span, weekday_name
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.export import Grouping, week_document


@pytest.mark.parametrize(
    ("given", "expected"),
    [("sv_SE.UTF-8", "sv"), ("da_DK", "da"), ("no_NO.UTF-8", "nb"), ("nn_NO", "nb"), ("nl-NL", "nl"), ("C", None)],
)
def test_locale_names_become_the_languages_factboard_speaks(given: str, expected: str | None) -> None:
    assert known_language(given) == expected


def test_a_persons_choice_beats_the_board_and_the_environment_counts_only_without_a_board() -> None:
    danish_machine = {"LANG": "da_DK.UTF-8"}
    assert choose_language(flag="nl", config="en", board="sv", environ=danish_machine) == "nl"  # --lang first
    assert choose_language(config="en", board="sv", environ=danish_machine) == "en"  # then the config
    assert choose_language(board="sv", environ=danish_machine) == "sv"  # the team's board, not the wall screen's LANG
    assert choose_language(environ=danish_machine) == "da"  # no board open: LANG
    assert choose_language(environ={"LANG": "C.UTF-8"}) == "en"
    assert choose_language(environ={"LANGUAGE": "de:nb", "LANG": "sv_SE"}) == "nb"  # gettext's order, first known
    assert environment_language({"LC_ALL": "C", "LANG": "sv_SE.UTF-8"}) is None  # LC_ALL=C decides: no language


def test_plurals_follow_the_count_in_each_language() -> None:
    said = {}
    for language in ("sv", "da", "nb", "nl", "en"):
        use_language(language)
        said[language] = [ngettext("{count} row", "{count} rows", n).format(count=n) for n in (1, 2)]
    use_language("en")
    assert said == {
        "sv": ["1 rad", "2 rader"],
        "da": ["1 række", "2 rækker"],
        "nb": ["1 rad", "2 rader"],
        "nl": ["1 regel", "2 regels"],
        "en": ["1 row", "2 rows"],
    }


def test_month_and_weekday_names_come_from_the_languages_own_data() -> None:
    monday, sunday = date(2026, 11, 23), date(2026, 11, 29)
    assert week_span(monday, sunday, "sv") == "23–29 nov."
    assert week_span(monday, sunday, "da") == "23.–29. nov."
    assert week_span(date(2026, 11, 30), date(2026, 12, 6), "nb") == "30. nov.–6. des."
    assert weekday_name(monday, language="nl") == "maandag"
    assert day_month(monday, "en") == "23 Nov"


def test_babel_stays_off_the_start_up_path_before_the_unlock_prompt() -> None:
    """Importing the app and the CLI (what runs before the unlock prompt) does not import Babel (about 50 ms)."""
    probe = "import sys, factboard_tui.cli, factboard_tui.tui.app; print('babel' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_names_sort_by_the_swedish_and_the_danish_alphabet() -> None:
    assert sorted_names(["Svalöv", "Ängelholm", "Åstorp", "Ystad"], "sv") == ["Svalöv", "Ystad", "Åstorp", "Ängelholm"]
    danish = sorted_names(["Åbyhøj", "Ølstykke", "Ærø", "Aabenraa", "Vejle", "Ålborg"], "da")
    assert danish == ["Vejle", "Ærø", "Ølstykke", "Aabenraa", "Åbyhøj", "Ålborg"]
    assert sorted_names(["Ölme", "Zeist", "Éde"], "nl") == ["Éde", "Ölme", "Zeist"]


def test_the_week_grouped_by_care_provider_lists_the_groups_in_swedish_order(board: Board) -> None:
    """Today's bug: the groups sorted `Svalöv, Ängelholm, Åstorp` (code points); Swedish puts Å before Ä."""
    today = board.today()
    writes = [
        RowWrite(Op.ADD, values={"client_code": code, "triage": "stable", "other_providers": town})
        for code, town in (("AA-1", "Ängelholm"), ("BB-2", "Åstorp"), ("CC-3", "Svalöv"))
    ]
    board.write_rows("CSA", writes, source="test")
    monday = today.fromordinal(today.toordinal() - today.weekday())
    titles = [table.title for table in week_document(board, monday, Grouping.PROVIDER).tables]
    assert titles[:3] == ["Svalöv", "Åstorp", "Ängelholm"]
    assert i18n.current_language() == "en"
