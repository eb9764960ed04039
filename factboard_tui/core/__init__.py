"""The headless core of FactBoard: domain model, encrypted store, templates and the one write path.

Nothing in this package may import Textual (an import-linter contract in pyproject.toml checks it): the TUI and
the CLI are two thin faces over the services defined here.
"""
