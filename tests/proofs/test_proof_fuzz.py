"""Proof against bad input: Hypothesis throws random and mutated files at every parser of outside data.

Each parser — the sync bundle reader with its strict change check, the spreadsheet importer (CSV and xlsx), the
board template loader and the config file — must either accept the input or refuse it with a `FactBoardError`
whose message is one line. Any other exception is a crash, and Hypothesis shrinks it to the smallest input.

Inputs are both random (bytes, text) and mutations of real files (a real signed bundle, the reference board as
xlsx and CSV, the shipped templates, a real config file), so the mutations get past the first checks and reach
the deep ones. Bundles are also re-signed with the sending site's real key after their header or payload is
changed: a trusted site (or one whose key was stolen) can send anything, so the checks behind the signature must
hold on their own. Every test runs a bounded number of examples with a fixed seed, so CI stays fast and repeatable.
"""

from __future__ import annotations

import base64
import csv
import io
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.boards import USER
from helpers.hunting import examples
from helpers.places import DATA
from helpers.sites import forge, make_sites, real_export, send
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factboard_tui.core.domain.templates import BoardTemplate, load_template_file, parse_template
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.paths import templates_dir
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import compare, service
from factboard_tui.core.transfer.importer import plan_import, run_import
from factboard_tui.settings import SETTING_KEYS, load_settings, toml_key, toml_string

FUZZ = settings(
    max_examples=examples(150),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""Bounded and repeatable: the same 150 examples per test in every CI run (the suite's profile,
helpers/hunting.py); `FACTBOARD_HUNT=5000` hunts with fresh random examples instead."""


def clean_refusal(call: Callable[[], object]) -> bool:
    """Run `call`; True if it refused with a one-line `FactBoardError`, False if it accepted. Anything else raises."""
    try:
        call()
    except FactBoardError as error:
        message = str(error)
        assert message.strip(), f"{type(error).__name__} without a message"
        assert "\n" not in message, f"a message of several lines: {message!r}"
        assert "Traceback" not in message
        return True
    return False


# -- random values ----------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
"""Any JSON value (what a fuzzed bundle header or payload may hold)."""

TRICKY_TEXT = st.sampled_from(
    ["", " ", "\x00", "\n", "²:00", "٣:٠٠", "25:99", "#12345g", "#+12345", "#1_2345", "sv", "../sv", "mon", "x" * 300]
)
"""Texts that have tripped parsers: empty, control characters, Unicode digits, near-miss numbers and colours."""

TOML_VALUE = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=20)
    | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | TRICKY_TEXT, inner, max_size=4),
    max_leaves=10,
)
"""Any value a TOML file can hold (dates aside)."""


def toml_value(value: Any) -> str:
    """A value as TOML text (tables inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f"{toml_key(key)} = {toml_value(item)}" for key, item in value.items()) + "}"


def toml_document(table: dict[str, Any]) -> str:
    """A table as a TOML file: one `key = value` line per entry."""
    return "".join(f"{toml_key(key)} = {toml_value(value)}\n" for key, value in table.items())


def mutated_text(text: str) -> st.SearchStrategy[str]:
    """`text` with a few slices replaced by random or tricky text."""

    def apply(edits: list[tuple[int, int, str]]) -> str:
        result = text
        for start, length, replacement in edits:
            at = start % (len(result) + 1)
            result = result[:at] + replacement + result[at + length :]
        return result

    edit = st.tuples(st.integers(0, 10**6), st.integers(0, 8), st.text(max_size=6) | TRICKY_TEXT)
    return st.lists(edit, min_size=1, max_size=4).map(apply)


def mutated_bytes(data: bytes) -> st.SearchStrategy[bytes]:
    """`data` with bytes flipped, cut out, inserted, or cut off at the end."""

    def apply(edits: list[tuple[str, int, int, bytes]]) -> bytes:
        result = bytearray(data)
        for kind, start, size, extra in edits:
            at = start % (len(result) + 1)
            if kind == "flip" and at < len(result):
                result[at] ^= 1 << (size % 8)
            elif kind == "cut":
                del result[at : at + size]
            elif kind == "insert":
                result[at:at] = extra
            elif kind == "truncate":
                del result[at:]
        return bytes(result)

    edit = st.tuples(
        st.sampled_from(["flip", "cut", "insert", "truncate"]),
        st.integers(0, 10**7),
        st.integers(1, 64),
        st.binary(min_size=1, max_size=8),
    )
    return st.lists(edit, min_size=1, max_size=4).map(apply)


# -- the bundle parser ------------------------------------------------------------------------------------------


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[dict[str, Board]]:
    """Two sites that trust each other; the region has a few rows with visits and a staff member to send."""
    boards = make_sites(tmp_path, ["region", "muni"])
    region = boards["region"]
    for number in (1, 2, 3):
        row = region.add_row(USER, {"client_code": f"DD-{number}", "triage": "new", "situation": "Ny"})
        region.set_field(USER, row, "mon", "CSA")
    region.write_staff(USER, "CSA", name="Carl", discipline="nurse")
    yield boards
    for board in boards.values():
        board.close()


def _progress(_stage: str, _done: int, _total: int) -> None:
    """The CLI always passes a progress callback; so do the fuzz tests, to reach its code too."""


def _state(board: Board) -> str:
    return compare.board_state_hash(board)


@FUZZ
@given(data=st.binary(max_size=600) | st.binary(max_size=600).map(lambda tail: B.MAGIC + b"\x00\x01" + tail))
def test_random_bytes_are_refused_as_a_bundle(sites: dict[str, Board], data: bytes) -> None:
    muni = sites["muni"]
    before = _state(muni)
    assert clean_refusal(lambda: service.import_bundle(muni, data, progress=_progress))
    assert _state(muni) == before


@FUZZ
@given(st.data())
def test_a_mutated_real_bundle_is_refused_and_changes_nothing(sites: dict[str, Board], data: st.DataObject) -> None:
    region, muni = sites["region"], sites["muni"]
    real = service.export_bundle(region, "muni").data
    mutated = data.draw(mutated_bytes(real))
    before = _state(muni)
    if mutated != real:
        assert clean_refusal(lambda: service.import_bundle(muni, mutated, progress=_progress))
        assert _state(muni) == before


HEADER_KEYS = st.sampled_from(
    [
        "schema",
        "ranges",
        "changes",
        "previous",
        "created",
        "origin_name",
        "format",
        "origin",
        "recipients",
        "ephemeral",
        "nonce",
        "payload_size",
    ]
) | st.text(max_size=8)


@FUZZ
@given(key=HEADER_KEYS, value=JSON | st.just("DELETE"))
@example(key="ephemeral", value=base64.b64encode(bytes(32)).decode())  # X25519's all-zero (low-order) point
@example(key="changes", value="many")
@example(key="changes", value=10**30)
def test_a_resigned_bundle_with_any_header_is_taken_or_refused_cleanly(
    sites: dict[str, Board], key: str, value: Any
) -> None:
    region, muni = sites["region"], sites["muni"]
    header, payload = real_export(region, muni)

    def edit(sealed: dict[str, Any]) -> None:
        sealed |= {name: header[name] for name in ("schema", "ranges", "changes", "previous", "created")}
        if value == "DELETE":
            sealed.pop(key, None)
        else:
            sealed[key] = value

    data = forge(region, muni, edit, B.canonical_json(payload))
    clean_refusal(lambda: service.import_bundle(muni, data, progress=_progress))


@pytest.mark.parametrize("last", [10**12, 2**63, 2**62])
def test_a_signed_range_of_a_trillion_changes_is_refused_at_once(sites: dict[str, Board], last: int) -> None:
    """Found reading the checks the fuzzing drives: a signed range of 10**12 made the check build a list that long."""
    region, muni = sites["region"], sites["muni"]
    header, payload = real_export(region, muni)

    def huge(sealed: dict[str, Any]) -> None:
        sealed |= {name: header[name] for name in ("schema", "changes", "previous", "created")}
        sealed["ranges"] = {region.site_id: [1, last]}

    data = forge(region, muni, huge, B.canonical_json(payload))
    assert clean_refusal(lambda: service.import_bundle(muni, data, progress=_progress))


def _set_path(value: Any, path: list[int], new: Any) -> Any:
    """`value` with the item at `path` (indexes into lists and dicts, taken modulo their size) replaced."""
    if not path or not isinstance(value, list | dict) or not value:
        return new
    if isinstance(value, list):
        index = path[0] % len(value)
        return [_set_path(item, path[1:], new) if i == index else item for i, item in enumerate(value)]
    key = sorted(value)[path[0] % len(value)]
    return {k: _set_path(item, path[1:], new) if k == key else item for k, item in value.items()}


@FUZZ
@given(
    path=st.lists(st.integers(0, 50), min_size=1, max_size=4),
    new=JSON | TRICKY_TEXT,
    raw=st.none() | st.binary(max_size=200),
)
@example(path=[1, 0, 2], new="999999999999999-00000", raw=None)  # a clock after the year 9999
@example(path=[1, 0, 1], new=2**62 - 1, raw=None)
@example(path=[0, 0], new=2**63, raw=None)  # an acknowledgement past SQLite's integers
@example(path=[1, 0, 0], new=[], raw=None)  # a list where the origin belongs (found by this test: a set lookup
@example(path=[1, 0, 3], new={}, raw=None)  # of it raised TypeError instead of refusing the bundle)
@example(path=[1, 0, 5], new=[], raw=None)
def test_a_resigned_bundle_with_any_payload_is_taken_or_refused_cleanly(
    sites: dict[str, Board], path: list[int], new: Any, raw: bytes | None
) -> None:
    region, muni = sites["region"], sites["muni"]
    header, payload = real_export(region, muni)
    body = raw if raw is not None else B.canonical_json(_set_path(payload, path, new))

    def keep(sealed: dict[str, Any]) -> None:
        sealed |= {name: header[name] for name in ("schema", "ranges", "changes", "previous", "created")}

    data = forge(region, muni, keep, body)
    clean_refusal(lambda: service.import_bundle(muni, data, progress=_progress))
    muni.check_integrity()


GOOD_VALUES: dict[str, dict[str, list[str | None]]] = {
    "row": {
        "client_code": ["DD-1", "DD-9"],
        "triage": ["crisis", "new", "stable"],
        "category": ["other", "new_client", None],
        "date_on": ["2026-11-25", "1999-01-01"],
        "date_off": ["2026-11-26", None],
        "off_reason": ["Flyttat", None],
        "situation": ["Ny", "", None],
        "actions": ["Ring", None],
        "children": ["true", "false"],
        "crisis_plan": ["true", "exists", "in_progress", None],  # true: an older site's yes/no
        "care_plan_review": ["2026-12-01", None],
        "legal_measure": ["lpt", "opt", None],
        "legal_measure_expiry": ["2027-05-01", None],
        "primary_contact": ["CSA", None],
        "evaluation_date": ["2027-01-01", None],
        "visit:2026-11-23": ["CSA", "CSA+DEN", None],
        "visit_note:2026-11-23": ["hembesök", None],
    },
    "staff": {
        "initials": ["CSA", "DEN"],
        "name": ["Carl", ""],
        "discipline": ["nurse", "doctor"],
        "organisation": ["region", "municipality"],
        "active": ["true", "false"],
    },
}
"""Values each field could hold: every change below passes the strict check, so the merge itself is fuzzed."""


@st.composite
def well_formed_change(draw: st.DrawFn) -> tuple[str, int, str, str, str | None, int]:
    entity = draw(st.sampled_from(["row", "row", "staff"]))
    field = draw(st.sampled_from(sorted(GOOD_VALUES[entity])))
    new = draw(st.sampled_from(GOOD_VALUES[entity][field]))
    op = draw(st.sampled_from(["add", "set", "off", "undo"] if entity == "row" else ["add", "set"]))
    return entity, draw(st.integers(0, 4)), op, field, new, draw(st.integers(0, 3))


@FUZZ
@given(st.lists(well_formed_change(), min_size=1, max_size=10))
def test_well_formed_changes_in_any_combination_merge_or_are_refused_cleanly(
    sites: dict[str, Board], changes: list[tuple[str, int, str, str, str | None, int]]
) -> None:
    """Changes that each pass the strict check, in orders no real site writes (a `set` before its `add`, a second
    `add` of a row, an `undo` from another site, edits of a row taken off): the merge takes them or refuses them,
    and the board stays sound."""
    region, muni = sites["region"], sites["muni"]
    if not muni.rows(include_off=True):
        send(sites, "region", "muni")  # the muni holds the region's rows, so changes can name them
    with muni.engine.connect() as connection:
        held = connection.exec_driver_sql(
            "SELECT coalesce(max(seq), 0) FROM change_log WHERE origin = ?", (region.site_id,)
        ).scalar_one()
        uids = [uid for (uid,) in connection.exec_driver_sql("SELECT uid FROM board_row")]
    keys = [*uids, "ab" * 16]
    wire = []
    for offset, (entity, key_index, op, field, new, clock) in enumerate(changes):
        key = keys[key_index % len(keys)] if entity == "row" else ["CSA", "DEN", "KRO", "AB", "X"][key_index]
        hlc = f"{1795597200000 + 1000 * (held + offset) + clock:015d}-00000"
        wire.append(
            [
                region.site_id,
                held + 1 + offset,
                hlc,
                None,
                entity,
                key,
                op,
                field,
                new,
                "CSA",
                "2026-11-25 09:00:00.000000",
            ]
        )
    last = held + len(wire)
    payload = {"acks": {}, "changes": wire, "site_name": "region"}

    def header(sealed: dict[str, Any]) -> None:
        sealed |= {"schema": 1, "ranges": {region.site_id: [held + 1, last]}, "changes": len(wire), "previous": None}

    data = forge(region, muni, header, B.canonical_json(payload))
    clean_refusal(lambda: service.import_bundle(muni, data, progress=_progress))
    muni.check_integrity()
    muni.rows(include_off=True)


# -- the spreadsheet importer -----------------------------------------------------------------------------------

SV_LABELS = list(tomllib.loads((templates_dir() / "sv.toml").read_text(encoding="utf-8"))["columns"].values())
CELL = (
    st.sampled_from(
        [
            *SV_LABELS,
            "Må",
            "Ti",
            "Patient",
            "Triage",
            "DD-75",
            "Kris",
            "obs",
            "190327",
            "2026-11-25",
            "Ja, 2 st",
            "Nej",
            "CSA",
            "DEN+MJR",
            "CSA: hembesök",
            "x",
            "",
        ]
    )
    | st.text(max_size=12)
    | TRICKY_TEXT
)
"""A spreadsheet cell: mostly the reference board's own labels and values, some random text."""


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    header = draw(st.lists(st.sampled_from(SV_LABELS) | CELL, min_size=1, max_size=10))
    rows = draw(st.lists(st.lists(CELL, max_size=12), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in [*draw(st.lists(st.lists(CELL, max_size=3), max_size=2)), header, *rows]:
        writer.writerow(row)
    return out.getvalue()


def _import(board: Board, path: Path) -> None:
    plan = plan_import(board, path, progress=_progress)
    run_import(board, plan, USER, skip_bad=True)


@FUZZ
@given(text=csv_text() | st.text(max_size=400) | mutated_text((DATA / "reference_board.csv").read_text("utf-8")))
def test_any_csv_text_imports_or_is_refused_cleanly(board: Board, tmp_path: Path, text: str) -> None:
    path = tmp_path / "board.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    clean_refusal(lambda: _import(board, path))
    board.check_integrity()


REFERENCE_XLSX = (DATA / "reference_board.xlsx").read_bytes()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


XLSX_TOKENS = st.sampled_from(
    [
        b't="s"',
        b't="d"',
        b't="b"',
        b't="inlineStr"',
        b's="1"',
        b's="999"',
        b"<v>1e20</v>",
        b"<v>-1e9</v>",
        b"<v>nan</v>",
        b"<v>99999</v>",
        b'r="ZZZZZZ1"',
        b'r="1A"',
        b'r="99999999999"',
        b"<v>2026-13-45</v>",
        b"<",
    ]
)


@st.composite
def mutated_xlsx(draw: st.DrawFn) -> bytes:
    """The reference workbook with its XML parts edited (then zipped again, so the reader gets past the zip)."""
    members = _members(REFERENCE_XLSX)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(
            st.sampled_from(
                ["xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
            )
        )
        content = members[name]
        at = draw(st.integers(0, len(content)))
        size = draw(st.integers(0, 12))
        members[name] = content[:at] + draw(XLSX_TOKENS | st.binary(max_size=6)) + content[at + size :]
    if draw(st.booleans()):
        members.pop(draw(st.sampled_from(sorted(members))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@FUZZ
@given(data=mutated_xlsx() | mutated_bytes(REFERENCE_XLSX) | st.binary(max_size=300))
@example(data=REFERENCE_XLSX.replace(b"PK\x03\x04\x14\x00\x00\x00\x08\x00", b"PK\x03\x04\x14\x00\x00\x00\x63\x00", 1))
def test_any_xlsx_bytes_import_or_are_refused_cleanly(board: Board, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "board.xlsx"
    path.write_bytes(data)
    clean_refusal(lambda: _import(board, path))
    board.check_integrity()


@pytest.mark.parametrize("number", ["1e20", "-1e6", "3e6", "nan"])
def test_a_date_cell_beyond_the_calendar_is_refused_cleanly(board: Board, tmp_path: Path, number: str) -> None:
    """Found by the fuzzing above: a date-formatted cell whose number is no date crashed the xlsx reader."""
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Datum", "Patient", "Triage"])
    sheet.append([date(2026, 11, 25), "DD-75", "Kris"])
    made = tmp_path / "made.xlsx"
    book.save(made)
    members = _members(made.read_bytes())
    sheet_xml = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet_xml.replace("<v>46351</v>", f"<v>{number}</v>").encode()
    assert members["xl/worksheets/sheet1.xml"] != sheet_xml.encode()
    path = tmp_path / "board.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    assert clean_refusal(lambda: _import(board, path))
    assert board.rows() == []


# -- the template loader ----------------------------------------------------------------------------------------

SHIPPED = {path.stem: path.read_text(encoding="utf-8") for path in sorted(templates_dir().glob("*.toml"))}


def _check_template(template: BoardTemplate) -> None:
    """What a loaded template promises the rest of the app."""
    assert len(template.weekdays) == 7 and template.triage and template.categories
    for level in template.triage:
        assert len(level.colour) == 7 and all(c in "0123456789abcdefABCDEF" for c in level.colour[1:])
    BoardTemplate.from_json(template.to_json())


@FUZZ
@given(text=st.text(max_size=300) | st.sampled_from(sorted(SHIPPED.values())).flatmap(mutated_text))
def test_any_template_text_loads_or_is_refused_cleanly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzzed.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    template: list[BoardTemplate] = []
    if not clean_refusal(lambda: template.append(load_template_file(path))):
        _check_template(template[0])


@FUZZ
@given(
    name=st.sampled_from(sorted(SHIPPED)),
    path=st.lists(st.integers(0, 60), min_size=1, max_size=4),
    new=TOML_VALUE | st.just("DELETE"),
)
@example(name="sv", path=[0, 0, 0, 0], new="²:00")
@example(name="sv", path=[0, 0, 0, 0], new="#+12345")
def test_a_shipped_template_with_any_value_changed_loads_or_is_refused_cleanly(
    name: str, path: list[int], new: Any
) -> None:
    raw = tomllib.loads(SHIPPED[name])
    if new == "DELETE":
        key = sorted(raw)[path[0] % len(raw)]
        raw.pop(key)
        edited = raw
    else:
        edited = _set_path(raw, path, new)
    template: list[BoardTemplate] = []
    if not clean_refusal(lambda: template.append(parse_template(edited, source="fuzzed.toml"))):
        _check_template(template[0])


def test_every_agenda_time_and_colour_slot_rejects_lookalikes() -> None:
    """The values the fuzzing above found accepted or crashing, at every place they can go."""
    for new in ("²:00", "٣:٠٠", "1:1:1"):
        raw = tomllib.loads(SHIPPED["sv"])
        day = sorted(raw["agenda"])[0]
        raw["agenda"][day][0]["time"] = new
        assert clean_refusal(lambda raw=raw: parse_template(raw, source="t.toml"))
    for colour in ("#+12345", "#1_2345", "# 12345", "#-12345"):
        raw = tomllib.loads(SHIPPED["sv"])
        raw["triage"][0]["colour"] = colour
        assert clean_refusal(lambda raw=raw: parse_template(raw, source="t.toml"))


# -- the config file --------------------------------------------------------------------------------------------

REAL_CONFIG = """theme = "factboard-wall"
user = "CSA"
idle_lock_minutes = 10

[keys]
"board.edit" = "enter,f2"

[backups]
keep = 14
daily = true
directory = "/mnt/usb"
"""


@FUZZ
@given(
    text=st.text(max_size=200)
    | mutated_text(REAL_CONFIG)
    | st.dictionaries(st.sampled_from(SETTING_KEYS) | st.text(max_size=6), TOML_VALUE, max_size=5).map(toml_document)
)
@example(text='[backups]\ndirectory = "~nosuchuser/backups"\n')  # crashed: no home for an unknown user
def test_any_config_file_loads_or_is_refused_cleanly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    loaded: list[Any] = []
    if not clean_refusal(lambda: loaded.append(load_settings(path))):
        found = loaded[0]
        assert 1 <= found.idle_lock_minutes <= 24 * 60
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in found.keys.items())
        assert 1 <= found.backups.keep <= 1000


def test_the_real_config_example_loads(tmp_path: Path) -> None:
    """The mutations above start from a config file that is itself good."""
    path = tmp_path / "config.toml"
    path.write_text(REAL_CONFIG, encoding="utf-8")
    assert load_settings(path).keys == {"board.edit": "enter,f2"}
