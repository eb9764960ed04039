"""System tools some tests need (tmux, minisign): skipped on a developer's machine that lacks one, a failure under
CI (`CI` set, as `.ci/run` does), which installs them, so that a missing tool never turns a proof into a skip."""

from __future__ import annotations

import os
import shutil

import pytest


def require(tool: str, purpose: str, whole_module: bool = False, found: bool | None = None) -> None:
    """Go on only if `tool` is on the PATH (or, for a part of a program, if `found`): else skip (the test, or with
    `whole_module` its module), or under CI fail, naming what the tool was needed for."""
    if (shutil.which(tool) is not None) if found is None else found:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed, but CI must {purpose} (.ci/run installs it)", pytrace=False)
    pytest.skip(f"{tool} is not installed (needed to {purpose})", allow_module_level=whole_module)
