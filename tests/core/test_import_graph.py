"""No import cycles: every module can be read (and imported) knowing only what it imports.

The graph is built with grimp (installed with import-linter) from the source, imports inside functions included,
so a lazy import cannot hide a cycle. A cycle is an import `a -> b` with a chain back from `b` to `a`.

Covered: the core, the CLI and TUI packages and the modules at the package root (the core's last cycle, between the
store and the sync merge, went when `apply_remote` moved into `core.sync.merge`). The TUI's (the board and meeting
screens) went with its board feed.
"""

from __future__ import annotations

import grimp

PACKAGE = "factboard_tui"
COVERED = ("factboard_tui.core", "factboard_tui.cli", "factboard_tui.tui")
"""Packages whose modules (and the package itself) may be in no cycle."""
ROOT_MODULES = ("__main__", "entry", "launch", "settings", "crash", "shown")
"""Modules at the package root (those that exist), covered too."""


def covered(graph: grimp.ImportGraph) -> list[str]:
    modules = {f"{PACKAGE}.{name}" for name in ROOT_MODULES} & graph.modules
    for package in COVERED:
        modules |= {package} | graph.find_descendants(package)
    return sorted(modules)


def cycles(graph: grimp.ImportGraph, modules: list[str]) -> list[tuple[str, ...]]:
    """Each import from a covered module whose target leads back to it, with the chain that closes the loop."""
    found: list[tuple[str, ...]] = []
    for module in modules:
        for target in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=target, imported=module)
            if back is not None:
                found.append((module, *back))
    return found


def test_no_covered_module_is_in_an_import_cycle() -> None:
    graph = grimp.build_graph(PACKAGE)
    modules = covered(graph)
    wanted = {"cli.common", "launch", "core.sync.merge", "core.store.board"}
    assert {f"{PACKAGE}.{name}" for name in wanted} <= set(modules)  # the graph holds what we check
    assert cycles(graph, modules) == []
