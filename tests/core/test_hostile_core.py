"""The hostile corpus through the one write path: every value is stored as the corpus says, or refused with one line
naming the field, changing nothing; a sync bundle that carries a refused value is refused whole.

The character rules themselves are `factboard_tui/core/domain/characters.py`; the corpus is
`tests/data/hostile_values.py`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from data.hostile_values import HOSTILE, LITERAL, REFUSED, STORED, Outcome, by_name
from helpers.boards import PASSPHRASE, USER, state
from helpers.hostile import fill_board, monday_of
from helpers.sites import forge, make_sites, real_export, send

from factboard_tui.core.domain import characters
from factboard_tui.core.domain.templates import load_template, parse_template
from factboard_tui.core.errors import InvalidValue, SyncRefused, TemplateError
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import service


def test_the_corpus_is_large_and_says_what_each_value_becomes() -> None:
    assert len(HOSTILE) >= 40
    assert len({entry.name for entry in HOSTILE}) == len(HOSTILE)
    for needed in ("markup-close", "markup-click", "markup-link", "ansi-clear", "osc8-link", "osc0-title", "c1-csi"):
        by_name(needed)
    for entry in LITERAL:  # a literal value is one the write path has nothing to do to
        assert entry.value == unicodedata.normalize("NFC", entry.value).strip(), entry.name
        assert len(entry.value) <= 80, entry.name


FIELDS: dict[str, bool] = {"situation": True, "actions": True, "safety": False, "other_providers": False}
"""Free-text row fields, and whether they take several lines."""


def _refused_in_one_line(action: Callable[[], Any], board: Board, field: str, label: str, words: str) -> None:
    before = state(board)
    with pytest.raises(InvalidValue) as refused:
        action()
    message = str(refused.value)
    assert refused.value.field == field
    assert label in message and words in message
    assert "\n" not in message and len(message) < 300
    assert characters.inert(message) == message  # the message itself holds nothing a terminal acts on
    assert state(board) == before


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    """One board for the whole corpus (each case adds its own row): one key derivation instead of fifty."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACTBOARD_KDF_FLOOR", "1")
        board, _key = Board.create(tmp_path_factory.mktemp("corpus") / "board.db", PASSPHRASE, team="FACT Test")
    yield board
    board.close()


@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=[entry.name for entry in HOSTILE])
def test_every_free_text_field_stores_the_value_as_the_corpus_says_or_refuses_it(shared: Board, index: int) -> None:
    board, entry = shared, HOSTILE[index]
    row_id = board.add_row(USER, {"client_code": f"DD-{index + 1}", "triage": "obs"})
    monday = monday_of(board)
    for key, multiline in FIELDS.items():
        write = lambda key=key: board.set_field(USER, row_id, key, entry.value)  # noqa: E731
        if entry.outcome is Outcome.REFUSED:
            _refused_in_one_line(write, board, key, board.template.label(key), entry.refusal)
        else:
            write()
            assert getattr(board.row(row_id), key) == entry.expected(multiline), key
    visit = lambda: board.write_row(USER, "set", row_id=row_id, visits={monday: ("DEN", entry.value)})  # noqa: E731
    staff = lambda: board.write_staff(USER, "DEN", name=entry.value)  # noqa: E731
    if entry.outcome is Outcome.REFUSED:
        _refused_in_one_line(visit, board, "visit_note", "Visit note", entry.refusal)
        _refused_in_one_line(staff, board, "name", "Name", entry.refusal if entry.name != "100-kb" else "too long")
    else:
        visit()
        assert board.week_visits()[row_id][monday].note == entry.expected(multiline=False)
        assert staff().name == entry.expected(multiline=False)


def test_a_refused_character_is_refused_wherever_it_stands_even_where_python_sees_white_space(board: Board) -> None:
    row_id = board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    for value in ("\x85", "text\x85", "\x1cfile separator", "trailing\x1f", " \x1e "):
        with pytest.raises(InvalidValue, match="control character"):
            board.set_field(USER, row_id, "safety", value)
    assert board.row(row_id).safety is None


def test_a_new_board_and_a_peer_take_the_same_rules_for_their_names(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="Team name holds a control character"):
        Board.create(tmp_path / "x.db", "correct horse battery", team="FACT\x1b]0;x\x07")
    assert not (tmp_path / "x.db").exists()
    sites = make_sites(tmp_path, ["Region", "Kommun"])
    with pytest.raises(InvalidValue, match="Peer name holds a direction override"):
        service.trust_peer(sites["Region"], "Evil\u202etxt", sites["Kommun"].site.public.key_text())
    for board in sites.values():
        board.close()


def test_template_words_take_the_same_rules(tmp_path: Path) -> None:
    raw = load_template("sv").to_json()
    import json

    table = json.loads(raw)
    table["columns"]["situation"] = "Situation\x9b2J"
    with pytest.raises(TemplateError, match=r"columns.situation' holds a control character \(U\+009B\)"):
        parse_template(table, "edited.toml")
    table["columns"]["situation"] = "[/]Situation[link=https://x]"  # markup-like words are words
    assert parse_template(table, "edited.toml").label("situation") == "[/]Situation[link=https://x]"


# -- sync -----------------------------------------------------------------------------------------------------------


def _tamper_sender(board: Board, row_id: int, value: str) -> None:
    """An old or hostile sender: its change log holds a value today's write path refuses."""
    with board.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE change_log SET new = ? WHERE row_id = ? AND field = 'situation'", (value, row_id)
        )


def test_a_bundle_carrying_a_refused_value_is_refused_whole(tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["region", "muni"])
    region, muni = sites["region"], sites["muni"]
    region.add_row(USER, {"client_code": "AA-1", "triage": "obs", "situation": "fine"})
    row_id = region.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": "placeholder"})
    before = state(muni)
    for entry in REFUSED:
        if entry.name == "100-kb":
            continue
        if entry.in_files:  # the sender's own board holds it, and it exports and signs as usual
            _tamper_sender(region, row_id, entry.value)
            data = service.export_bundle(region, "muni").data
        else:  # NUL or a lone surrogate as a JSON escape, in a payload forged and signed with the sender's real key
            _tamper_sender(region, row_id, "placeholder")
            header, payload = real_export(region, muni)
            for change in payload["changes"]:
                if change[7] == "situation" and change[8] == "placeholder":
                    change[8] = entry.value
            kept = {name: header[name] for name in ("schema", "ranges", "changes")}
            data = forge(region, muni, lambda sealed, kept=kept: sealed.update(kept), B.canonical_json(payload))
        with pytest.raises(SyncRefused) as refused:
            service.import_bundle(muni, data)
        message = str(refused.value)
        assert refused.value.reason == "invalid" and refused.value.exit_code == 8, entry.name
        assert "'situation'" in message and entry.refusal.split()[0] in message, (entry.name, message)
        assert "nothing was applied" in message and "\n" not in message and characters.inert(message) == message
        assert state(muni) == before, entry.name
    for board in sites.values():
        board.close()


def test_a_bundle_with_values_older_factboards_stored_still_merges(tmp_path: Path) -> None:
    """What the write path only normalises (NFD, a dropped invisible character, a tab in a long text) is no
    danger: bundles from sites that stored such values before these rules still merge."""
    sites = make_sites(tmp_path, ["Region", "Kommun"])
    region, kommun = sites["Region"], sites["Kommun"]
    row_id = region.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": "placeholder"})
    old_value = "Lo\u0308senord\tzero\u200bwidth"
    _tamper_sender(region, row_id, old_value)
    report = send(sites, "Region", "Kommun")
    assert report.applied.applied >= 1
    assert [row.situation for row in kommun.rows()] == [old_value]
    for board in sites.values():
        board.close()


def test_every_storable_value_travels_to_a_peer_unchanged(tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["Region", "Kommun"])
    placed = fill_board(sites["Region"])
    send(sites, "Region", "Kommun")
    kommun = sites["Kommun"]
    rows = {row.client_code: row for row in kommun.rows()}
    staff = {member.initials: member for member in kommun.staff()}
    for place in placed:
        assert rows[place.code].situation == place.entry.expected(multiline=True), place.entry.name
        assert rows[place.code].safety == place.entry.expected(multiline=False), place.entry.name
        assert staff[place.initials].name == place.entry.expected(multiline=False), place.entry.name
    assert len(placed) == len(STORED)
    for board in sites.values():
        board.close()
