"""The floors of docs/architecture.md, checked on the import graph of the non-test code.

Every import counts, also those inside a function: a local import hides a dependency from
the reader, it does not remove it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower number, lower floor. A module may import its own floor and those below it.
FLOORS = {
    "core": 0,
    "governance": 1,
    "objectives": 1,
    "budget": 1,
    "indicators": 1,
    "classification": 1,
    "reports": 2,
    "exports": 2,
    "backup": 2,
    "synthetic": 2,
    "security": 2,
    "seeds": 2,
    "planning": 2,
    "returns": 2,
    "pianozona": 3,
}
FLOOR_NAMES = {0: "ground floor", 1: "domain", 2: "feature", 3: "project"}


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    modules = {}
    for package in FLOORS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            modules[module_name(path)] = path
    return modules


def imported_modules(name, path, known):
    """The project modules that ``name`` imports, resolved to the module itself."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            # "from pkg import mod" imports the module pkg.mod when there is one.
            targets = [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph():
    modules = project_modules()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


GRAPH = import_graph()


def floor_of(module):
    return FLOORS[module.split(".")[0]]


def test_every_top_level_package_has_a_floor():
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "scripts", "docs"}
    }
    assert packages <= set(FLOORS), f"packages without a floor: {packages - set(FLOORS)}"


def test_the_graph_was_read():
    # A parser that found nothing would make the two rules below pass vacuously.
    assert len(GRAPH) > 100
    assert "core.scoping" in GRAPH["governance.models"]
    assert "budget.models" in GRAPH["reports.builders"]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_from_a_lower_floor_to_a_higher_one(module):
    upward = sorted(
        f"{target} ({FLOOR_NAMES[floor_of(target)]})"
        for target in GRAPH[module]
        if floor_of(target) > floor_of(module)
    )
    assert not upward, f"{module} ({FLOOR_NAMES[floor_of(module)]}) imports {upward}"


def find_cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_circle():
    assert find_cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_project_package_stays_small():
    lines = sum(
        len(path.read_text().splitlines())
        for path in (ROOT / "pianozona").rglob("*.py")
        if "migrations" not in path.parts
    )
    assert lines < 1000, f"pianozona/ has {lines} lines: it keeps settings, URLs, Celery, WSGI"
