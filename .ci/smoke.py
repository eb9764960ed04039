"""The CLI smoke for the other Pythons (.ci/pythons): a person's first morning on a temp board, through the
installed `factboard` of the interpreter running this script. Exits non-zero, saying which step failed."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

home = Path(tempfile.mkdtemp(prefix="factboard-smoke-"))
env = {
    **{name: value for name, value in os.environ.items() if not name.startswith("FACTBOARD_")},
    "HOME": str(home),
    "XDG_DATA_HOME": str(home / "data"),
    "XDG_CONFIG_HOME": str(home / "config"),
    "XDG_STATE_HOME": str(home / "state"),
    "FACTBOARD_DB": str(home / "board.db"),
    "FACTBOARD_PASSPHRASE": "correct horse battery staple",
    "FACTBOARD_USER": "CI",
    "FACTBOARD_KDF_FLOOR": "1",
    "FACTBOARD_LANG": "en",
}
factboard = [str(Path(sys.executable).with_name("factboard"))]


def run(*args: str) -> str:
    done = subprocess.run([*factboard, *args], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.exit(f"factboard {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


print(run("--version").strip(), "on Python", sys.version.split()[0])
run("init", "--template", "en", "--team", "Smoke")
run("rows", "add", "--code", "DD-75", "--triage", "Watch", "--situation", "Slept badly.")
rows = json.loads(run("rows", "list", "--json"))
if [(row["client_code"], row["situation"]) for row in rows] != [("DD-75", "Slept badly.")]:
    sys.exit(f"rows list shows {rows}")
run("backup")
run("doctor")
run("export", "week", "-o", str(home / "week.xlsx"))
if not json.loads(run("info", "--json"))["board"]["exists"]:
    sys.exit("info does not see the board")
print("smoke passed")
