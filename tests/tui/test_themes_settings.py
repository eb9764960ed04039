"""Themes as files, the config file, the generated keys screen and the command palette provider.

Everything here runs without a board: a theme or settings mistake must be one clear line, and the help screen
and palette are checked in a tiny app with a handful of bindings so they cannot drift from what they generate from.
"""

from __future__ import annotations

import asyncio
import io
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest
from helpers.pilot import until
from helpers.places import PROJECT
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.command import CommandList
from textual.screen import Screen
from textual.widgets import Footer, Static

from factboard_tui.core import paths
from factboard_tui.core.errors import FactBoardError
from factboard_tui.settings import Settings, load_settings, save_theme, save_user, toml_string
from factboard_tui.tui.commands import FactBoardCommands, PaletteCommand
from factboard_tui.tui.screens.help import HelpScreen, key_name
from factboard_tui.tui.themes import THEME_ORDER, find_theme, load_theme_file, load_themes, next_theme

SHIPPED_THEMES = PROJECT / "themes"


@pytest.fixture(autouse=True)
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config path, in a folder that does not exist yet."""
    path = tmp_path / "config" / "factboard" / "config.toml"
    monkeypatch.setenv(paths.CONFIG_ENV, str(path))
    return path


def one_line_error(error: pytest.ExceptionInfo[FactBoardError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    assert "fix it" in message
    return message


# -- themes -----------------------------------------------------------------------------------------------------


def test_shipped_themes_load_in_cycle_order_with_their_board_settings() -> None:
    themes = load_themes()
    assert [theme_file.name for theme_file in themes] == list(THEME_ORDER)
    assert load_themes(SHIPPED_THEMES) == themes
    wall = find_theme(themes, "factboard-wall")
    assert wall is not None and wall.privacy is True and wall.row_spacing == 1 and wall.theme.dark
    for name in THEME_ORDER[1:]:
        other = find_theme(themes, name)
        assert other is not None and other.privacy is False and other.row_spacing == 0
    light = find_theme(themes, "factboard-light")
    assert light is not None and light.theme.dark is False


def test_shipped_themes_register_and_apply_in_textual() -> None:
    themes = load_themes()

    async def scenario() -> dict[str, Color]:
        app: App[None] = App()
        primaries = {}
        async with app.run_test(size=(80, 24)) as pilot:
            for theme_file in themes:
                app.register_theme(theme_file.theme)
            for theme_file in themes:
                app.theme = theme_file.name
                await pilot.pause()
                assert app.current_theme.name == theme_file.name
                primaries[theme_file.name] = Color.parse(app.theme_variables["primary"])
        return primaries

    primaries = asyncio.run(scenario())
    assert set(primaries) == set(THEME_ORDER)
    for theme_file in themes:  # Textual derives shades through HSL, which can move a channel by one
        expected = Color.parse(theme_file.theme.primary).rgb
        assert all(abs(a - b) <= 2 for a, b in zip(primaries[theme_file.name].rgb, expected, strict=True))


def test_high_contrast_is_black_white_and_yellow() -> None:
    theme = load_theme_file(SHIPPED_THEMES / "high-contrast.toml").theme
    assert (theme.background, theme.foreground, theme.primary) == ("#000000", "#FFFFFF", "#FFFF00")


GOOD_THEME = 'name = "mine"\nprimary = "#112233"\n'


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('name = "mine"\nprimary = "#112233\n', "not valid TOML"),
        ('primary = "#112233"\n', "has no name"),
        ('name = "mine"\n', "has no primary colour"),
        (GOOD_THEME + 'accent = "not-a-colour"\n', "is not a colour"),
        (GOOD_THEME + "dark = 1\n", "dark is 1"),
        (GOOD_THEME + 'colour = "#FFFFFF"\n', "unknown key 'colour'"),
        (GOOD_THEME + "[variables]\nborder = 3\n", "variable 'border'"),
        (GOOD_THEME + "[board]\nrow_spacing = 2\n", "row_spacing is 2"),
        (GOOD_THEME + '[board]\nprivacy = "yes"\n', "privacy is 'yes'"),
        (GOOD_THEME + "[board]\nspacing = 1\n", "unknown key 'spacing' in [board]"),
    ],
)
def test_malformed_theme_file_is_one_clear_line(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FactBoardError) as error:
        load_themes(tmp_path)
    message = one_line_error(error)
    assert message.startswith(f"Theme file {path}: ")
    assert complaint in message


def test_two_theme_files_with_one_name_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD_THEME, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD_THEME, encoding="utf-8")
    with pytest.raises(FactBoardError) as error:
        load_themes(tmp_path)
    assert "already used by a.toml" in one_line_error(error)


def test_a_missing_theme_directory_gives_no_themes(tmp_path: Path) -> None:
    assert load_themes(tmp_path / "nowhere") == []


def test_next_theme_cycles_through_the_shipped_themes() -> None:
    seen = ["factboard-wall"]
    for _ in THEME_ORDER:
        seen.append(next_theme(seen[-1]))
    assert seen == [*THEME_ORDER, "factboard-wall"]
    assert next_theme("textual-dark") == "factboard-wall"


# -- settings ---------------------------------------------------------------------------------------------------


def test_missing_config_gives_defaults(config_file: Path) -> None:
    assert not config_file.exists()
    settings = load_settings()
    assert settings == Settings()
    assert (settings.theme, settings.user, settings.keys, settings.idle_lock_minutes) == (None, None, {}, 10)


def test_save_user_and_theme_round_trip_and_keep_the_rest(config_file: Path) -> None:
    save_user("CSA")
    assert config_file.exists()
    assert load_settings() == Settings(user="CSA")

    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text + '# remapped for the wall keyboard\nidle_lock_minutes = 5\n\n[keys]\n"board.edit" = "enter, f2"\n'
        'row.take_off = "ctrl+d"\n',
        encoding="utf-8",
    )
    save_theme("factboard-wall")
    save_user('K"O\\O')
    settings = load_settings(config_file)
    assert settings == Settings(
        theme="factboard-wall",
        user='K"O\\O',
        keys={"board.edit": "enter,f2", "row.take_off": "ctrl+d"},
        idle_lock_minutes=5,
    )
    assert "# remapped for the wall keyboard" in config_file.read_text(encoding="utf-8")
    assert [path.name for path in config_file.parent.iterdir()] == ["config.toml"]  # no temp file left behind


def test_save_into_a_file_with_only_tables_keeps_them(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[keys]\n"app.help" = "f1"\n', encoding="utf-8")
    save_theme("factboard-light", config_file)
    assert load_settings() == Settings(theme="factboard-light", keys={"app.help": "f1"})


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('user = "CSA\n', "not valid TOML"),
        ("keys = 3\n", "keys is 3, not a table"),
        ('colour = "blue"\n', "unknown setting 'colour'"),
        ("user = 5\n", "user is 5"),
        ('idle_lock_minutes = "ten"\n', "idle_lock_minutes is 'ten'"),
        ("idle_lock_minutes = 0\n", "idle_lock_minutes is 0"),
        ('[keys]\n"board.edit" = 3\n', "[keys] board.edit is 3"),
        ('[keys]\n"board.edit" = "f2,,f3"\n', "[keys] board.edit is 'f2,,f3'"),
    ],
)
def test_malformed_config_is_one_clear_line(config_file: Path, text: str, complaint: str) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(text, encoding="utf-8")
    with pytest.raises(FactBoardError) as error:
        load_settings()
    message = one_line_error(error)
    assert message.startswith(f"Config file {config_file}: ")
    assert complaint in message


def test_saving_leaves_a_malformed_config_alone(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text("keys = 3\n", encoding="utf-8")
    with pytest.raises(FactBoardError):
        save_user("CSA")
    assert config_file.read_text(encoding="utf-8") == "keys = 3\n"


@given(st.text())
def test_toml_strings_round_trip(value: str) -> None:
    assert tomllib.loads(f"x = {toml_string(value)}")["x"] == value


# -- the keys screen ------------------------------------------------------------------------------------------


class KeysScreen(Screen[None]):
    """A stand-in for the board: bindings with ids, one hidden, one without an id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit row", id="board.edit", tooltip="Open the row under the cursor"),
        Binding("x", "take_off", "Take off", id="row.take_off", tooltip="Take the row off the board", show=False),
        Binding("z", "nothing", "No id"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("board")
        yield Footer()

    def action_edit(self) -> None:
        pass

    def action_take_off(self) -> None:
        pass

    def action_nothing(self) -> None:
        pass


class KeysApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help", tooltip="List every key"),
    ]

    def on_mount(self) -> None:
        self.set_keymap({"board.edit": "enter,f2"})
        self.push_screen(KeysScreen())

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))


def rendered(static: Static) -> str:
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(static.content)
    return " ".join(console.export_text().split())


def test_help_screen_lists_bindings_by_id_with_remapped_keys_and_closes_on_escape(config_file: Path) -> None:
    async def scenario() -> tuple[HelpScreen, str, str, bool]:
        app = KeysApp()
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            listed = rendered(help_screen.query_one("#help-bindings", Static))
            footer = rendered(help_screen.query_one("#help-footer", Static))
            await pilot.press("escape")
            await pilot.pause()
            return help_screen, listed, footer, isinstance(app.screen, KeysScreen)

    help_screen, listed, footer, closed = asyncio.run(scenario())
    by_id = {entry.binding_id: entry for entry in help_screen.entries}
    assert set(by_id) == {"board.edit", "row.take_off", "app.help"}
    assert by_id["board.edit"].keys == ("enter", "f2")
    assert by_id["app.help"].keys == ("?",)
    for text in ("Edit row", "board.edit", "Open the row under the cursor", "Take off", "row.take_off", "app.help"):
        assert text in listed
    assert "enter, f2" in listed
    assert "No id" not in listed
    assert listed.index("Board") < listed.index("The row under the cursor") < listed.index("FactBoard")
    assert footer == f'Remap keys in {config_file} under [keys], e.g. board.edit = "f2"'
    assert closed


def test_key_names_are_spelled_as_the_config_takes_them() -> None:
    assert [key_name(key) for key in ("question_mark", "ctrl+e", "enter", "comma", "f1")] == [
        "?",
        "ctrl+e",
        "enter",
        "comma",
        "f1",
    ]


# -- the command palette ----------------------------------------------------------------------------------------


class PaletteScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.taken_off = 0

    def compose(self) -> ComposeResult:
        yield Static("board")

    def palette_commands(self) -> list[PaletteCommand]:
        return [
            PaletteCommand("row: take off board", "Take the row under the cursor off the board", self.take_off),
            PaletteCommand("view: filter by staff", "Show only one staff member's clients", lambda: None),
        ]

    def take_off(self) -> None:
        self.taken_off += 1


class PaletteApp(App[None]):
    COMMANDS: ClassVar[set[type[FactBoardCommands]]] = {FactBoardCommands}  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.themes_chosen: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(PaletteScreen())

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand("theme: wall", "The wall-screen theme", lambda: self.themes_chosen.append("wall"))]


def test_palette_provider_offers_screen_and_app_commands() -> None:
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        app = PaletteApp()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            provider = FactBoardCommands(app.screen)
            discovered = [str(hit.text) async for hit in provider.discover()]
            searched = [str(hit.text) async for hit in provider.search("take off")]
            themed = [str(hit.text) async for hit in provider.search("theme")]
            return discovered, searched, themed

    discovered, searched, themed = asyncio.run(scenario())
    assert discovered == ["row: take off board", "view: filter by staff", "theme: wall"]
    assert searched == ["row: take off board"]
    assert themed == ["theme: wall"]


def test_choosing_a_command_in_the_palette_runs_it() -> None:
    async def scenario() -> int:
        app = PaletteApp()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PaletteScreen)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"take off")
            # The palette searches in a worker: wait for the hit to be listed.
            await until(pilot, lambda: bool(app.screen.query_one(CommandList).option_count), "the palette's hit")
            await pilot.press("enter")
            await pilot.pause()
            return screen.taken_off

    assert asyncio.run(scenario()) == 1
