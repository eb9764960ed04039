"""Lets `python -m factboard_tui` behave exactly like the `factboard` command."""

from factboard_tui.entry import main

main()
