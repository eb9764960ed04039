"""How `factboard` starts: `--help` and a usage error load neither the database layer, nor Textual, nor the file
formats (`helpers.imports.CLI_LATER`), and the terminal UI it starts
(through `factboard_tui.launch`) hands a crash's exit code back to the shell.

Each case is a fresh interpreter running the console script's `main`, as a person's shell would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import Cli
from helpers.imports import CLI_LATER, OPEN_LATER, loaded

from factboard_tui.cli.opening import Opening, only_opens


@pytest.mark.parametrize(
    ("words", "exit_code"),
    [
        (["--help"], 0),
        (["rows", "--help"], 0),
        (["sync", "import", "--help"], 0),
        (["export", "--help"], 0),
        (["rows", "no-such-command"], 2),
        (["export", "week", "--no-such-option"], 2),
    ],
)
def test_help_and_usage_errors_load_no_database_layer_no_textual_no_file_formats(
    cli: Cli, words: list[str], exit_code: int
) -> None:
    script = (
        "import json, sys\n"
        f"sys.argv = ['factboard', *{words!r}]\n"
        "from factboard_tui.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        f"loaded = {loaded(CLI_LATER)}\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli.environment(), capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] == exit_code and "Usage:" in result.stdout + result.stderr
    assert report["loaded"] == []


@pytest.mark.parametrize("command", ["open", "demo"])
def test_a_crash_in_the_terminal_ui_is_the_commands_exit_code(cli: Cli, tmp_path: Path, command: str) -> None:
    """The app fails as it starts (a bug, on purpose): the command prints the crash's account and exits non-zero,
    so a script or a wall screen's start-up loop sees that it failed."""
    if command == "open":
        cli.ok("init")
    words = ["open"] if command == "open" else ["demo", "--db", str(tmp_path / "demo.db")]
    script = (
        "import sys\n"
        "from factboard_tui.tui.app import FactBoardApp\n"
        "def broken(self):\n"
        "    raise RuntimeError('broken on purpose')\n"
        "FactBoardApp.on_mount = broken\n"
        "from factboard_tui.cli import main\n"
        f"sys.argv = ['factboard', *{words!r}]\n"
        "main()\n"
    )
    environment = cli.environment(
        {"TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver", "XDG_STATE_HOME": str(tmp_path / "st")}
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert "error in FactBoard itself (RuntimeError)" in result.stdout + result.stderr


def test_factboard_open_draws_the_unlock_screen_before_the_database_layer_loads(cli: Cli, tmp_path: Path) -> None:
    """The way a person starts it: the CLI, then the app, up to the unlock screen's first frame (issue 15: the
    CLI imported the store before the app, 0.9 s of CPU before the prompt)."""
    cli.ok("init")
    script = (
        "import json, sys\n"
        "from textual.app import App\n"
        "original = App._display\n"
        "seen = {}\n"
        "def display(self, screen, renderable):\n"
        "    original(self, screen, renderable)\n"
        "    if renderable is not None and not seen and type(screen).__name__ == 'UnlockScreen':\n"
        f"        seen['loaded'] = {loaded(OPEN_LATER)}\n"
        "        self.exit()\n"
        "App._display = display\n"
        "from factboard_tui.entry import main\n"  # the console script's own first step
        "sys.argv = ['factboard', 'open']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(seen))\n"
    )
    environment = cli.environment({"TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"})
    environment.pop("FACTBOARD_PASSPHRASE", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"loaded": []}


@pytest.mark.parametrize("words", [["--help"], ["rows", "list", "--help"], ["--lang", "sv", "sync", "--help"]])
def test_help_asked_again_is_the_same_page_without_typer_rich_or_any_command(
    cli: Cli, tmp_path: Path, words: list[str]
) -> None:
    """Issue 15: help cost 2.3× `import typer, rich.console`. The second time a question is asked, the page the CLI
    drew the first time is printed as it was, before Typer, Rich or a command module is imported."""
    script = (
        "import json, sys\n"
        f"sys.argv = ['factboard', *{words!r}]\n"
        "from factboard_tui.entry import main\n"
        "code = 0\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "loaded = sorted(name for name in ('typer', 'rich', 'click', 'factboard_tui.cli') if name in sys.modules)\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    environment = cli.environment({"XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "100"})
    runs = [
        subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120)
        for _ in range(2)
    ]
    pages = [run.stdout.rpartition("\n{")[0] for run in runs]
    reports = [json.loads(run.stdout.splitlines()[-1]) for run in runs]
    assert [report["code"] for report in reports] == [0, 0] and not runs[1].stderr
    assert "factboard" in pages[0] and pages[1] == pages[0]
    assert reports[0]["loaded"] == ["factboard_tui.cli", "rich", "typer"]  # the first time, drawn by the CLI
    assert reports[1]["loaded"] == []  # the second time, the page as drawn


def test_help_follows_the_language_the_width_and_the_code_not_an_old_page(cli: Cli, tmp_path: Path) -> None:
    """A kept page is never shown for another question: another language, another width or changed code (an
    upgrade) draws help anew; and a cache that cannot be written still prints help."""
    cache = tmp_path / "cache"

    def page(**env: str) -> str:
        result = cli("rows", "--help", env={"XDG_CACHE_HOME": str(cache), **env})
        assert result.returncode == 0 and not result.stderr, result.stderr
        return result.stdout

    english = page(COLUMNS="100")
    assert "List, add, change" in english and page(COLUMNS="100") == english
    swedish = page(COLUMNS="100", FACTBOARD_LANG="sv")
    assert "Lista, lägg till" in swedish and "List, add" not in swedish
    narrow = page(COLUMNS="60")
    assert max(len(line) for line in narrow.splitlines()) <= 60 < max(len(line) for line in english.splitlines())
    assert len(list((cache / "factboard" / "help").iterdir())) == 3
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "factboard").write_text("a file where the cache's folder would go\n")
    cache = blocked  # no page can be kept or read there: help is still printed, whole, with no error
    assert page(COLUMNS="100") == english


def test_a_changed_file_of_the_program_changes_the_help_pages_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade (or an edit in a checkout) rewrites files of the package: the key of every page changes with them."""
    from factboard_tui import entry

    code = tmp_path / "code"
    (code / "cli").mkdir(parents=True)
    words = code / "cli" / "rows.py"
    words.write_text("help = 'List rows'\n")
    monkeypatch.setattr(entry, "_code_roots", lambda: [code])
    before = entry._help_key(["rows", "--help"])
    assert before is not None and entry._help_key(["rows", "--help"]) == before
    words.write_text("help = 'List the rows'\n")
    assert entry._help_key(["rows", "--help"]) not in (None, before)
    assert entry._help_key(["rows", "list", "--help"]) not in (None, before)


@pytest.mark.parametrize(
    ("words", "opens"),
    [
        ([], Opening()),
        (["open"], Opening()),
        (["--db", "b.db", "--user", "KOO", "open", "--meeting"], Opening(Path("b.db"), "KOO", None, True)),
        (["--lang", "sv", "--theme=wall", "-u", "DEN"], Opening(None, "DEN", "wall", False)),
        (["open", "--db=b.db", "--theme", "light"], Opening(Path("b.db"), None, "light", False)),
        (["--db", "a.db", "open", "--db", "b.db"], None),  # twice: the CLI says so
        (["--lang", "xx"], None),  # not a language: the CLI says so
        (["open", "--lang", "sv"], None),  # --lang stands before the command only
        (["--meeting"], None),
        (["--db"], None),
        (["--db", "--user"], None),
        (["open", "open"], None),
        (["rows", "list"], None),
        (["--version"], None),
        (["--install-completion"], None),
        (["-uKOO"], None),
        (["open", "--", "x"], None),
    ],
)
def test_only_a_command_line_that_just_opens_the_board_skips_typer(words: list[str], opens: Opening | None) -> None:
    """Issue 15: `factboard` and `factboard open` open the board without Typer (140 ms of CPU before the prompt);
    every other command line, a mistake included, goes to the whole CLI, which says what is wrong as it always has."""
    assert only_opens(words) == opens


def test_a_board_that_is_not_there_is_one_line_on_the_fast_way_too(cli: Cli, tmp_path: Path) -> None:
    """Opened without Typer, a missing board is still the CLI's one line and its exit code, in the language chosen."""
    for words in (["--db", str(tmp_path / "none.db")], ["open", "--db", str(tmp_path / "none.db")]):
        result = cli(*words, env={"FACTBOARD_LANG": "sv"})
        assert result.returncode == 16 and result.stdout == ""
        assert result.stderr.splitlines() == [
            f"fel: Det finns ingen tavla i {tmp_path / 'none.db'}: skapa en med `factboard init` eller ange --db."
        ]


def test_every_command_is_in_the_app_built_for_its_first_word() -> None:
    """Issue 15: a command line that names its command builds only that command's module. Each command of the
    whole app is found by its own first word, in an app that holds it."""
    from factboard_tui.cli import registry, root_options

    typed = sorted(root_options.command_names(registry.app).values())
    assert {"rows list", "sync run", "init", "export week", "audit verify", "purge", "report", "serve"} <= set(typed)
    for command in typed:
        first = command.split()[0]
        assert registry.first_word(["--db", "b.db", *command.split(), "--json"]) == first, command
        assert command in root_options.command_names(registry.build(first)).values(), command
    for words in (["--help"], ["rows", "list", "--help"], ["--version"], ["row", "list"], ["--install-completion"]):
        assert registry.first_word(words) is None, words  # the whole app: help, completion, a typo's suggestions


def test_rows_list_imports_neither_sync_nor_report_nor_the_browser_face_nor_the_help(cli: Cli) -> None:
    """The way a script runs it: the console script's first step, then the CLI with the rows module only."""
    cli.ok("init")
    script = (
        "import json, sys\n"
        "sys.argv = ['factboard', 'rows', 'list', '--json']\n"
        "from factboard_tui.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "names = [f'factboard_tui.cli.{name}' for name in ('sync', 'report', 'serve', 'info', 'rows')]\n"
        "names.append('typer.rich_utils')  # the help's panels (Rich's Markdown and tracebacks): for help only\n"
        "print(json.dumps(sorted(name for name in names if name in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli.environment(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == ["factboard_tui.cli.rows"]


def test_a_pydantic_plugin_installed_beside_factboard_is_never_handed_the_board(cli: Cli, tmp_path: Path) -> None:
    """A Pydantic plugin sees every value Pydantic checks; one installed in FactBoard's environment (a tracing
    package, say) must not be loaded by any command. The plugin here is a real installed distribution: its
    `.dist-info` names it in the `pydantic` entry point group, and it leaves a file if it is ever imported."""
    site = tmp_path / "site"
    info = site / "spy_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    marker = tmp_path / "plugin-was-loaded"
    (site / "spy_plugin.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('loaded')\n"
        "class Spy:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None  # sees nothing further, changes nothing\n"
        "plugin = Spy()\n"
    )
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs")
    environment = cli.environment({"PYTHONPATH": str(site)})
    found = "from importlib.metadata import entry_points; print(len(entry_points(group='pydantic')))"
    probe = subprocess.run(  # the plugin is found where Pydantic looks, so the test can fail
        [sys.executable, "-c", found],
        env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert probe.stdout.strip() == "1", probe.stderr
    for words in (["rows", "list", "--json"], ["rows", "set", "DD-75", "situation", "Ringer"], ["export", "week"]):
        done = subprocess.run(
            [sys.executable, "-m", "factboard_tui", *words],
            env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert not marker.exists(), f"`factboard {' '.join(words)}` loaded the Pydantic plugin"
