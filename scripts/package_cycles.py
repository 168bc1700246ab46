"""Fail when the packages of ``consult`` (its folders) import one another in a circle.

Reads every module's imports with ``ast`` (module-level and inside functions alike, since a
deferred import is still a dependency; those under ``if TYPE_CHECKING:`` are left out, as the
import-linter contracts leave them out: a model names a higher layer's model for typing only),
folds them to the package below ``consult`` they name,
and prints each strongly connected group of two or more packages. Exit status 1 when a circle
uses an import between packages not listed in :data:`STILL_TO_BREAK`, or when that list names
an import that no longer closes a circle (so the list only shrinks). The modules directly in
``consult/`` (``extensions``, ``config``, ``models``, ``cli``) are the root package, not one of
its packages; the layers contract in ``pyproject.toml`` places them.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "consult"

#: Imports between packages that still close a circle, (importer, imported): none is left
#: (issue 16 removed them); keep it empty.
STILL_TO_BREAK: frozenset[tuple[str, str]] = frozenset()


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "consult" or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    own = module_name(path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = own.split(".")
                drop = node.level - (1 if is_package else 0)
                base = base[: len(base) - drop] if drop else base
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    edges: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        source = package_of(module_name(path))
        if source is None or not (ROOT / source).is_dir():
            continue
        edges.setdefault(source, set())
        for target_module in imports_of(path):
            target = package_of(target_module)
            if target is None or target == source or not (ROOT / target).is_dir():
                continue
            edges[source].add(target)
            where = str(path.relative_to(ROOT.parent))
            if where not in why[source, target]:
                why[source, target].append(where)
    return edges, why


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm; groups of two or more nodes."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def main() -> int:
    edges, why = graph()
    groups = strongly_connected(edges)
    closing = {
        (source, target)
        for group in groups
        for source in group
        for target in edges[source] & set(group)
    }
    new = sorted(closing - STILL_TO_BREAK)
    gone = sorted(STILL_TO_BREAK - closing)
    for group in groups:
        print("packages importing one another:", ", ".join(group))
        for source in group:
            for target in sorted(edges[source] & set(group)):
                mark = "" if (source, target) in STILL_TO_BREAK else "  (new)"
                print(f"  {source} -> {target}{mark}: {', '.join(why[source, target])}")
    for source, target in gone:
        print(f"no longer in a circle, remove from STILL_TO_BREAK: {source} -> {target}")
    if not groups:
        print(f"package cycles: none among {len(edges)} packages of consult/")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())
