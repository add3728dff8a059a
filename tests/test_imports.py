"""The package's imports flow one way: no module reaches back up to one that imports it, at module
level or inside a function, and none imports another module's private names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "convanim"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        mods[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return mods


def _executed(tree: ast.AST):
    """Import statements that run (everywhere but ``if TYPE_CHECKING:`` blocks, which only the
    type checker reads)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def _targets(name: str, path: Path, node: ast.stmt, mods: dict[str, Path]) -> list[tuple[str, str]]:
    """(module, imported name) pairs for one import statement, for modules of the package."""
    if isinstance(node, ast.Import):
        return [(a.name, "") for a in node.names if a.name in mods]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    out = []
    for alias in node.names:
        sub = f"{module}.{alias.name}"
        out.append((sub, "") if sub in mods else (module, alias.name))
    return [(m, n) for m, n in out if m in mods]


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    mods, graph, private = _modules(), {}, []
    for name, path in mods.items():
        graph[name] = set()
        for node in _executed(ast.parse(path.read_text(encoding="utf-8"))):
            for module, imported in _targets(name, path, node, mods):
                graph[name].add(module)
                if imported.startswith("_") and not imported.startswith("__"):
                    private.append(f"{name} imports {module}.{imported}")
    return graph, private


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    graph, _ = _graph()
    assert _cycles(graph) == []


def test_no_private_name_imported_from_another_module():
    _, private = _graph()
    assert private == []


def test_the_walker_sees_function_level_imports_and_cycles():
    """The check itself: an import inside a function is an edge, and a circle is found."""
    graph, _ = _graph()
    assert "convanim.frames" in graph["convanim.scenario"]  # imported inside Scenario.frames
    graph["convanim.frames.base"].add("convanim.scenario")
    assert _cycles(graph) != []


def test_modules_below_the_scenario_do_not_import_it():
    graph, _ = _graph()
    below = [m for m in graph if m.startswith(("convanim.frames", "convanim.export", "convanim.paint"))]
    below += ["convanim.alttext", "convanim.model", "convanim.steps", "convanim.stage", "convanim.timeline"]
    assert [m for m in below if "convanim.scenario" in graph[m]] == []
