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


def _targets(name: str, path: Path, node: ast.stmt, mods: dict[str, Path]) -> list[tuple[str, str, str]]:
    """(bound name, module, imported name) for each name an import statement takes from the
    package; the imported name is "" where the module itself is bound."""
    if isinstance(node, ast.Import):
        return [(a.asname or a.name, a.name, "") for a in node.names if a.name in mods]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    out = []
    for alias in node.names:
        sub = f"{module}.{alias.name}"
        bound = alias.asname or alias.name
        out.append((bound, sub, "") if sub in mods else (bound, module, alias.name))
    return [t for t in out if t[1] in mods]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """Each module's imports of the package's modules, and every private name one module takes
    from another: imported by name, or read as an attribute of an imported module (``cli._x``)."""
    mods, graph, private = _modules(), {}, []
    for name, path in mods.items():
        graph[name] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for node in _executed(tree):
            for bound, module, imported in _targets(name, path, node, mods):
                graph[name].add(module)
                if _private(imported):
                    private.append(f"{name} imports {module}.{imported}")
                if not imported:
                    aliases[bound] = module
        for node in ast.walk(tree):
            target = getattr(node, "value", None)
            module = aliases.get(target.id) if isinstance(target, ast.Name) else None
            if isinstance(node, ast.Attribute) and module and _private(node.attr):
                private.append(f"{name} uses {module}.{node.attr}")
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
