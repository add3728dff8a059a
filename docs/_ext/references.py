"""References generated from the code, so they cannot drift from it:

- ``{scenario-keys}``: every key of ``convanim.schema()`` (built from the field tables that also
  validate scenarios) with its type, default, allowed values and doc line, an example taken from
  the gallery's scenarios, and the message a bad value gets, produced by validating one through
  convanim;
- ``{command-reference}``: every command of ``convanim`` and every flag, read from the argument
  parsers the commands themselves build;
- ``{module-map}``: every module of the package with the first sentence of its docstring.

Each directive writes Markdown that MyST parses in place.
"""

from __future__ import annotations

import argparse
import ast
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import convanim
from convanim import command

ROOT = Path(__file__).resolve().parents[2]
ANIMATIONS = ROOT / "animations"


# ------------------------------------------------------------------ scenario keys


@dataclass(frozen=True)
class Key:
    """One key of the schema: its path (``image.size``, ``filters[].bias``) and its schema."""

    path: str
    schema: dict[str, Any]
    table: str  # the TOML table it sits in: "" (top), "image", "[filters]" (an array of tables)

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def anchor(self) -> str:
        return "key-" + self.path.replace("[]", "").replace(".", "-")  # kernel-size, kernel_size


def keys(schema: dict[str, Any] | None = None) -> list[Key]:
    """Every key of the scenario schema, in the schema's order. ``stages[]`` tables take the
    top level's operation keys (checked here), so they are listed once, at the top level."""
    schema = convanim.schema() if schema is None else schema
    found: list[Key] = []

    def walk(table: dict[str, Any], prefix: str, where: str) -> None:
        for name, prop in table.get("properties", {}).items():
            path = prefix + name
            if path == "stages":
                found.append(Key(path, prop, where))
                for own in _check_stages(schema, prop):  # a stage's `name` and `inputs`
                    found.append(Key(f"stages[].{own}", prop["items"]["properties"][own], "[stages]"))
                continue
            found.append(Key(path, prop, where))
            if "properties" in prop:
                walk(prop, path + ".", path)
            items = prop.get("items")
            if prop.get("type") == "array" and isinstance(items, dict) and "properties" in items:
                walk(items, path + "[].", f"[{path}]")

    walk(schema, "", "")
    return found


def _check_stages(schema: dict[str, Any], stages: dict[str, Any]) -> list[str]:
    """The keys only a stage table has (its graph keys); a key it shares with the top level must
    be the same there."""
    top, item = schema["properties"], stages["items"]["properties"]
    own = [name for name in item if name not in top]
    for name, prop in item.items():
        if name in top and _bare(top[name]) != _bare(prop):
            raise ValueError(f"stages[].{name} differs from the top-level {name}: document it apart")
    return own


def _bare(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in prop.items() if k != "description"}


def all_paths(schema: dict[str, Any] | None = None) -> set[str]:
    """Every key path of the schema, ``stages[].…`` included (for the test)."""
    schema = convanim.schema() if schema is None else schema
    paths: set[str] = set()

    def walk(table: dict[str, Any], prefix: str) -> None:
        for name, prop in table.get("properties", {}).items():
            paths.add(prefix + name)
            if "properties" in prop:
                walk(prop, prefix + name + ".")
            items = prop.get("items")
            if isinstance(items, dict) and "properties" in items:
                walk(items, prefix + name + "[].")

    walk(schema, "")
    return paths


def describe(schema: dict[str, Any]) -> str:
    """The type and allowed values of a schema, in words (Markdown)."""
    if "oneOf" in schema or "anyOf" in schema:
        parts = [describe(s) for s in schema.get("oneOf", schema.get("anyOf", []))]
        return " or ".join(p for p in parts if p) or "a table"
    if "const" in schema:
        return f"`{toml(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{toml(v)}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind in ("integer", "number"):
        text = "an integer" if kind == "integer" else "a number"
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum")
        above = "above" if "exclusiveMinimum" in schema else "from"
        if low is not None and high is not None:
            text += f" from {low:g} to {high:g}" if above == "from" else f" above {low:g}, at most {high:g}"
        elif low is not None:
            text += f" ≥ {low:g}" if above == "from" else f" > {low:g}"
        if "multipleOf" in schema:
            text += f", a multiple of {schema['multipleOf']:g}"
        return text
    if kind == "string":
        text = "a string"
        if "maxLength" in schema:
            text += f" of at most {schema['maxLength']} characters"
        if "pattern" in schema:
            text += f" matching `{schema['pattern']}`"
        return text
    if kind == "boolean":
        return "`true` or `false`"
    if kind == "array":
        items = schema.get("items")
        n_min, n_max = schema.get("minItems"), schema.get("maxItems")
        size = (
            f"{n_min}"
            if n_min is not None and n_min == n_max
            else f"{n_min or 0} to {n_max}"
            if n_max is not None
            else f"at least {n_min}"
            if n_min
            else ""
        )
        what = "tables" if isinstance(items, dict) and "properties" in items else ""
        if not what and isinstance(items, dict) and items:
            what = f"items each {describe(items)}"
        return " ".join(p for p in ("a list of", size, what or "items") if p)
    if kind == "object":
        return "a table"
    return "any value"


def toml(value: Any) -> str:
    """``value`` as TOML (inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def examples() -> dict[str, tuple[Any, str]]:
    """Per key path, the shortest value the gallery's scenarios give it, and the scenario."""
    found: dict[str, tuple[Any, str]] = {}

    def note(path: str, value: Any, name: str) -> None:
        if path not in found or len(toml(value)) < len(toml(found[path][0])):
            found[path] = (value, name)

    def walk(table: dict[str, Any], prefix: str, name: str) -> None:
        for key, value in table.items():
            path = prefix + key
            note(path, value, name)
            if isinstance(value, dict):
                walk(value, path + ".", name)
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for item in value:
                    # a stage's keys are the top level's (see keys())
                    walk(item, "" if path == "stages" else path + "[].", name)

    for path in sorted(ANIMATIONS.glob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")), "", path.stem)
    return found


#: Scenarios a bad value is tried in: a key is checked in the context that uses it.
CONTEXTS: tuple[dict[str, Any], ...] = (
    {"image": {"pattern": "square", "size": 6}, "kernel": {"preset": "mean"}},
    {"image": {"pattern": "square", "size": 6}, "operation": "max_pool2d", "kernel_size": 2},
    {"image": {"pattern": "square", "size": 6}, "operation": "avg_pool2d", "kernel_size": 2},
    {"image": {"pattern": "square", "size": 4}, "operation": "upsample", "scale_factor": 2},
    {
        "image": {"pattern": "square", "size": 4},
        "operation": "conv_transpose2d",
        "kernel": {"preset": "sobel_x"},
    },
    {"image": {"pattern": "square", "size": 6, "channels": 2}, "out_channels": 2, "kernel_size": 3},
    {"image": {"pattern": "square", "size": 6, "channels": 2}, "filters": [{"preset": "mean"}]},
    {"image": {"planes": [{"pattern": "random"}], "size": 6}, "kernel": {"preset": "mean"}},
    {"image": {"pattern": "square", "size": 6}, "kernel": {"preset": "gaussian"}},
    {"image": {"pattern": "square", "size": 6, "channels": 2}, "filters": [{"preset": "gaussian"}]},
    {"image": {"pattern": "square", "size": 6, "channels": 2}, "filters": [{"bias": 1}]},
    {"image": {"pattern": "square", "size": 4}, "operation": "upsample"},
    {"image": {"pattern": "square", "size": 4}, "stages": [{"operation": "relu"}]},
    {
        "image": {"pattern": "square", "size": 6},
        "kernel": {"preset": "mean"},
        "receptive_field": {"cell": [0, 0]},
    },
)


def bad_values(schema: dict[str, Any]) -> Iterator[Any]:
    """Values that break ``schema``, the likeliest mistakes first."""
    if "enum" in schema:
        yield "nonsense"
    for sub in schema.get("oneOf", ()):
        if sub.get("type") in ("integer", "number") and "minimum" in sub:
            yield sub["minimum"] - 1
        if sub.get("type") in ("integer", "number") and "exclusiveMinimum" in sub:
            yield sub["exclusiveMinimum"]
    kind = schema.get("type")
    if kind in ("integer", "number"):
        if "minimum" in schema:
            yield schema["minimum"] - 1
        if "maximum" in schema:
            yield schema["maximum"] + 1
        yield "ten"
    if kind == "string":
        if "pattern" in schema:
            yield "#12345"
        if "maxLength" in schema:
            yield "x" * (schema["maxLength"] + 1)
        yield 12
    if kind == "boolean":
        yield "yes"
    if kind == "array":
        yield "text"
        yield []
    yield from ("nonsense", -1, 0, 1.5, "yes", [1, 2, 3], [[1, 2], [3]], 5)


def _place(context: dict[str, Any], key: Key, value: Any) -> tuple[dict[str, Any], str] | None:
    """``context`` with ``key`` set to ``value``, and the dotted key a message would name."""
    data = json.loads(json.dumps(context))
    parts = key.path.split(".")
    target, named = data, []
    for part in parts[:-1]:
        if part.endswith("[]"):
            items = target.get(part[:-2])
            if not isinstance(items, list) or not items:
                return None
            target = items[0]
            named.append(part[:-2] + "[0]")
        else:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                return None
            named.append(part)
    target[parts[-1]] = value
    return data, ".".join([*named, parts[-1]])


def bad_example(key: Key) -> tuple[Any, str] | None:
    """A bad value of ``key`` and the one-line message convanim gives it (the first tried value
    whose message names the key), or None."""
    for value in bad_values(key.schema):
        for context in CONTEXTS:
            placed = _place(context, key, value)
            if placed is None:
                continue
            data, named = placed
            try:
                convanim.Scenario(**data)
            except convanim.ScenarioError as err:
                if err.key == named:
                    return value, str(err)
            except (TypeError, ValueError):
                continue
    return None


def good_values(schema: dict[str, Any]) -> Iterator[Any]:
    """Values ``schema`` allows, to try as an example where no gallery scenario sets the key."""
    yield from schema.get("enum", ())
    for sub in schema.get("oneOf", ()):
        if "const" in sub:
            yield sub["const"]
    kind = schema.get("type")
    if kind == "boolean" or any(s.get("type") == "boolean" for s in schema.get("oneOf", ())):
        yield True
    yield from (2, 8, 32, 1000, 0.8, 1.5, "viridis", "#0072b2", ".2f", ["mean", "sobel_x"])
    yield [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    yield [[i * j % 4 for j in range(6)] for i in range(6)]
    if "default" in schema:
        yield schema["default"]


def good_example(key: Key) -> Any:
    """A value of ``key`` that convanim accepts in one of the contexts, or None."""
    for value in good_values(key.schema):
        for context in CONTEXTS:
            placed = _place(context, key, value)
            if placed is None:
                continue
            try:
                convanim.Scenario(**placed[0])
            except (convanim.ConvanimError, TypeError, ValueError):
                continue
            return value
    return None


def _table_header(table: str) -> str:
    if not table:
        return ""
    return f"[{table}]\n"  # [image], or [[filters]] for an array of tables


def _snippet(key: Key, value: Any) -> str:
    return f"{_table_header(key.table)}{key.name} = {toml(value)}"


TABLE_TITLES = {
    "": "Top level: the illustration",
    "operation": "The operation: at the top level, or in each `[[stages]]` table",
    "image": "`[image]`: the input",
    "[image.planes]": "`[[image.planes]]`: one channel each",
    "kernel": "`[kernel]`: one kernel",
    "[filters]": "`[[filters]]`: a layer's filters",
    "[stages]": "`[[stages]]`: a stage's name and the maps it reads (a graph)",
    "receptive_field": "`[receptive_field]`: a cell's receptive field, traced back",
    "render": "`[render]`: drawing",
    "timing": "`[timing]`: frame durations",
}


def scenario_markdown() -> str:
    """The reference, as Markdown."""
    found = examples()
    schema = convanim.schema()
    operation = set(schema["properties"]["stages"]["items"]["properties"])
    groups: dict[str, list[Key]] = {}  # by table, in the order tables first appear
    for key in keys(schema):
        group = "operation" if not key.table and key.path in operation else key.table
        groups.setdefault(group, []).append(key)
    out: list[str] = []
    for group, members in groups.items():
        out.append(f"## {TABLE_TITLES.get(group, f'`{group}`')}\n")
        out += [_key_markdown(key, found) for key in members]
    return "\n".join(out)


def _key_markdown(key: Key, found: dict[str, tuple[Any, str]]) -> str:
    """One key's section."""
    out: list[str] = []
    s = key.schema
    out.append(f"({key.anchor})=\n### `{key.path}`\n")
    out.append(s.get("description", "").strip() + "\n")
    if key.path == "stages":
        out.append(
            'Each `[[stages]]` table takes the operation keys listed under "The operation" '
            "(`operation`, `kernel`, `filters`, `stride`, `padding`, …), with the same "
            "types and messages; a chain's keys are named `stages[i].key` in messages.\n"
        )
    facts = [f"- **type**: {describe(s)}"]
    if "default" in s:
        facts.append(f"- **default**: `{toml(s['default'])}`")
    example = None
    if key.path in found and len(toml(found[key.path][0])) <= 160:
        example, scenario = found[key.path]
        facts.append(f"- **example**, from {{doc}}`{scenario} </gallery/{scenario}>`:")
    elif key.path != "stages":
        example = good_example(key)
        if example is not None:
            facts.append("- **example** (no gallery scenario sets it; checked by convanim):")
    out.append("\n".join(facts) + "\n")
    if example is not None:
        out.append(f"```toml\n{_snippet(key, example)}\n```\n")
    bad = bad_example(key)
    if bad is not None:
        value, message = bad
        shown = toml(value) if len(toml(value)) <= 40 else f'"{value[:3]}…" ({len(value)} characters)'
        out.append(f"A bad value, `{key.name} = {shown}`, is refused with:\n")
        out.append(f"```text\n{message}\n```\n")
    return "\n".join(out)


class ScenarioKeys(SphinxDirective):
    """``{scenario-keys}``: the scenario reference."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(__file__)  # a change of this generator rebuilds the page
        for path in sorted(ANIMATIONS.glob("*.toml")):
            self.env.note_dependency(str(path))
        return self.parse_text_to_nodes(scenario_markdown(), allow_section_headings=True)


# ------------------------------------------------------------------ commands


class _Captured(Exception):
    """Raised instead of parsing: carries the parser a command built."""


def parsers() -> dict[str, argparse.ArgumentParser]:
    """Each command's argument parser, as the command itself builds it: the command runs until it
    parses its arguments, where the parser is taken and the run stops."""

    def capture(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        raise _Captured(self)

    found = {}
    with mock.patch.object(argparse.ArgumentParser, "parse_known_args", capture):
        for name, run in command.COMMANDS.items():
            try:
                run([])
            except _Captured as got:
                found[name] = got.args[0]
            else:
                raise RuntimeError(f"convanim {name}: parsed no arguments")
    return found


def flags(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The arguments a parser documents (not the hidden ones)."""
    return [a for a in parser._actions if a.help != argparse.SUPPRESS]


def _help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    text = action.help or ""
    params = {**vars(action), "prog": parser.prog}
    return text % params if "%" in text else text


def _signature(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"{action.metavar or action.dest} ..." if action.nargs in ("*", "+") else str(action.metavar)
    names = ", ".join(action.option_strings)
    if action.nargs == 0:
        return names
    metavar = action.metavar or (
        "{" + ",".join(action.choices) + "}" if action.choices else action.dest.upper()
    )
    return f"{names} {metavar}"


def command_markdown() -> str:
    out = ["## `convanim`\n", "```text\n" + command.HELP.rstrip() + "\n```\n"]
    for name, parser in parsers().items():
        out.append(f"(command-{name})=\n## `convanim {name}`\n")
        if parser.description:
            out.append(parser.description + "\n")
        out.append("```text\n" + parser.format_usage().strip() + "\n```\n")
        rows = ["| argument | meaning |", "| --- | --- |"]
        for action in flags(parser):
            meaning = _help(parser, action).replace("|", "\\|")
            if action.choices and "choices" not in meaning:
                meaning += " (one of " + ", ".join(f"`{c}`" for c in action.choices) + ")"
            signature = _signature(action).replace("|", "\\|")
            rows.append(f"| `{signature}` | {meaning} |")
        out.append("\n".join(rows) + "\n")
    return "\n".join(out)


class CommandReference(SphinxDirective):
    """``{command-reference}``: every command and its flags."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(__file__)
        return self.parse_text_to_nodes(command_markdown(), allow_section_headings=True)


# ------------------------------------------------------------------ module map


def first_sentence(doc: str | None) -> str:
    """The first sentence of a docstring's first paragraph, on one line."""
    if not doc:
        return ""
    para = " ".join(doc.strip().split("\n\n")[0].split()).replace("``", "`")
    return para.split(". ")[0].removesuffix(".") + "."


def modules() -> list[tuple[str, str]]:
    """(module, first sentence of its docstring) for every module of the package, read from the
    source (nothing is imported)."""
    package = ROOT / "convanim"
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        found.append((name, first_sentence(doc)))
    return found


def module_markdown() -> str:
    rows = ["| module | what it does |", "| --- | --- |"]
    for name, line in modules():
        what = line.replace("|", "\\|") or "(no docstring)"
        rows.append(f"| `{name}` | {what} |")
    return "\n".join(rows) + "\n"


class ModuleMap(SphinxDirective):
    """``{module-map}``: the package's modules and what each does."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(__file__)
        for path in (ROOT / "convanim").rglob("*.py"):
            self.env.note_dependency(str(path))
        return self.parse_text_to_nodes(module_markdown())


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("scenario-keys", ScenarioKeys)
    app.add_directive("command-reference", CommandReference)
    app.add_directive("module-map", ModuleMap)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
