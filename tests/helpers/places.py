"""Where the tests' own files are, wherever a test module lives under tests/: real files made by real tools (data),
golden vectors, the helpers run as separate processes, and the project's shipped themes."""

from __future__ import annotations

from pathlib import Path

HELPERS = Path(__file__).resolve().parent
TESTS = HELPERS.parent
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
PROJECT = TESTS.parent
