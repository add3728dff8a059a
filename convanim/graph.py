"""The graph of stages: every stage makes one map and reads the maps it names (``inputs``); a
chain is the graph in which each stage reads the map before it. Stages are kept in topological
order (a stage reads only the image and maps made before it), the last one's map is the output.

Maps are numbered as the pictures draw them: 0 is the image, j + 1 the output of stage j. Steps,
dependence and drawing walk :func:`sources`; parsing of a scenario's ``stages`` tables, with their
``name`` and ``inputs`` keys, is here too, so a file and ``from_torch`` build the same graph.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import fields as f
from .elementwise import JOINS
from .errors import Collect, ScenarioError
from .filters import NETWORK_CHANNELS
from .stage import OPERATIONS, STAGE_FIELDS, Stage, check_keys, parse_stage

INPUT = "input"  #: the image's name in `inputs`
MAX_STAGES = 64
MAX_INPUTS = 8  #: maps one cat reads at most
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
NAME_LEN = 40


def _name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not NAME.match(value) or len(value) > NAME_LEN:
        raise ScenarioError(
            key,
            f"must be a name of letters, digits and _ (not starting with a digit, at most {NAME_LEN}) "
            f"(got {f.show(value)})",
        )
    return value


def _inputs(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ScenarioError(key, f"must be a non-empty list of map names (got {f.show(value)})")
    if len(value) > MAX_INPUTS:
        raise ScenarioError(key, f"at most {MAX_INPUTS} maps (got {len(value)})")
    return tuple(_name(v, f"{key}[{i}]") for i, v in enumerate(value))


GRAPH_FIELDS = {
    "name": f.Field(
        _name,
        {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": NAME_LEN},
        "stages: the name of the map this stage makes, for later stages' `inputs`; default: the "
        'operation, numbered when it repeats ("conv2d", "conv2d_1", …).',
        None,
    ),
    "inputs": f.Field(
        _inputs,
        {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": MAX_INPUTS},
        'stages: the maps this stage reads, by name ("input" is the image); default: the map of '
        'the stage before. `cat` (channels stacked) and `add` read two or more, e.g. ["enc1", "up1"].',
        None,
    ),
}


# ---------------------------------------------------------------- topology


def sources(stages: Sequence[Stage]) -> tuple[tuple[int, ...], ...]:
    """For each stage, the maps it reads: 0 the image, j + 1 the output of stage j. A stage
    without ``inputs`` reads the map just before it (a chain)."""
    index = {INPUT: 0}
    out = []
    for i, st in enumerate(stages):
        out.append(tuple(index[n] for n in st.inputs) if st.inputs else (i,))
        if st.name:
            index[st.name] = i + 1
    return tuple(out)


def readers(stages: Sequence[Stage]) -> tuple[tuple[int, ...], ...]:
    """For each map (0 the image, j + 1 stage j's), the stages that read it."""
    out: list[list[int]] = [[] for _ in range(len(stages) + 1)]
    for i, src in enumerate(sources(stages)):
        for j in dict.fromkeys(src):
            out[j].append(i)
    return tuple(tuple(r) for r in out)


def depths(stages: Sequence[Stage]) -> tuple[int, ...]:
    """For each map, its depth: the longest path from the image (the image 0)."""
    depth = [0]
    for src in sources(stages):
        depth.append(1 + max(depth[j] for j in src))
    return tuple(depth)


def ancestors(stages: Sequence[Stage], j: int) -> tuple[int, ...]:
    """The maps that map j is computed from, along any path, from the latest to the image."""
    srcs, found, todo = sources(stages), set(), [j]
    while todo:
        m = todo.pop()
        for i in srcs[m - 1] if m > 0 else ():
            if i not in found:
                found.add(i)
                todo.append(i)
    return tuple(sorted(found, reverse=True))


def is_chain(stages: Sequence[Stage]) -> bool:
    """Each stage reads the map just before it, and only that."""
    return all(src == (i,) for i, src in enumerate(sources(stages)))


def map_names(stages: Sequence[Stage]) -> tuple[str, ...]:
    """Every map's name: "input", then each stage's."""
    return (INPUT, *(st.name or f"stages[{i}]" for i, st in enumerate(stages)))


# ---------------------------------------------------------------- parsing


def parse_stages(
    tables: Sequence[Any], shape: tuple[int, int] | None, channels: int | None, rank: int = 2
) -> tuple[Stage, ...]:
    """The stages of a scenario's ``stages`` list, each reading the maps it names (default: the
    one before), with shapes and channels flowing from its inputs; refused in one line naming the
    key when a name is unknown, taken or unread, or the maps a stage joins do not fit. Every
    independent mistake is reported: a stage reading a map whose stage failed (or any stage, when
    ``shape`` is None: the image failed) has only its own keys checked. ``rank`` 1: the image is a
    signal (1, L) and the keys are spelt in 1-D."""
    errors = Collect()
    explicit: dict[str, int] = {}
    with errors:
        explicit = _explicit_names(tables)
    wiring = Wiring(shape, channels, rank) if shape is not None and channels is not None else None
    names, failed = [INPUT], set()
    for i, table in enumerate(tables):
        prefix = f"stages[{i}]"
        before = len(errors.errors)
        keys, graph = split(table, prefix, errors)
        name = graph["name"] or _default_name(keys, explicit, names)
        reads = graph["inputs"] or (names[-1],)
        if wiring is None or failed.intersection(reads) or len(errors.errors) > before:
            with errors:
                check_keys(keys, prefix)
            failed.add(name)
        else:
            with errors:
                wiring.add(keys, prefix, name, graph["inputs"])
            if len(errors.errors) > before:
                failed.add(name)
        names.append(name)
    errors.done()
    assert wiring is not None  # no mistake, so the image was read
    return wiring.finish()


def split(table: Any, prefix: str, errors: Collect | None = None) -> tuple[Any, dict[str, Any]]:
    """A stage table's operation keys, and its checked `name` and `inputs` (None when wrong); an
    unknown key is refused with both kinds of keys as the allowed ones (into ``errors`` if given)."""
    if not isinstance(table, Mapping):
        return table, {"name": None, "inputs": None}
    allowed = {**GRAPH_FIELDS, **STAGE_FIELDS}
    found = Collect()
    for name, value in table.items():
        if name not in allowed:
            guess = f.close_match(name, allowed)
            found.add(f.join(prefix, name), f.unknown_key(name, value, guess, allowed))
    graph = f.parse_table({k: table[k] for k in GRAPH_FIELDS if k in table}, GRAPH_FIELDS, prefix, found)
    if errors is None:
        found.done()
    else:
        errors.errors += found.errors
    return {k: v for k, v in table.items() if k in STAGE_FIELDS}, graph


def _explicit_names(tables: Sequence[Any]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for i, table in enumerate(tables):
        if not isinstance(table, Mapping) or table.get("name") is None:
            continue
        key = f"stages[{i}].name"
        name = _name(table["name"], key)
        if name == INPUT:
            raise ScenarioError(key, f"'{INPUT}' is the image's name; choose another")
        if name in seen:
            raise ScenarioError(key, f"'{name}' is already the name of stages[{seen[name]}]")
        seen[name] = i
    return seen


def _default_name(keys: Any, explicit: Mapping[str, int], taken: Sequence[str]) -> str:
    """The operation, numbered as torch.fx numbers repeated nodes: conv2d, conv2d_1, …"""
    op = keys.get("operation") if isinstance(keys, Mapping) else None
    base = op if isinstance(op, str) and op in OPERATIONS else "conv2d"
    name, n = base, 0
    while name in explicit or name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


class Wiring:
    """Stages added one by one, each reading maps made before it: the shapes and channels they
    carry, and the checks of a graph. Scenario files and ``from_torch`` both build with it."""

    def __init__(self, shape: tuple[int, int], channels: int, rank: int = 2) -> None:
        self.rank = rank  #: 1: every map is a signal (C, 1, L)
        self.stages: list[Stage] = []
        self.names: list[str] = [INPUT]
        self.shapes: list[tuple[int, int]] = [shape]
        self.channels: list[int] = [channels]
        self.prefixes: list[str] = ["image"]

    def add(self, keys: Any, prefix: str, name: str, inputs: tuple[str, ...] | None) -> Stage:
        """Parse one stage reading ``inputs`` (None: the map before it)."""
        if len(self.stages) >= MAX_STAGES:
            raise ScenarioError("stages", f"at most {MAX_STAGES} stages")
        key = f"{prefix}.inputs"
        named = inputs is not None
        inputs = inputs if named else (self.names[-1],)
        index = [self._find(n, key) for n in inputs]
        op = keys.get("operation", "conv2d") if isinstance(keys, Mapping) else None
        if op in JOINS and self.rank == 1:
            raise ScenarioError(f"{prefix}.operation", f"{op} joins 2-D maps; a signal's stages form a chain")
        if op in OPERATIONS:
            self._check_arity(op, inputs, key, named)
        first = index[0]
        shape, channels = self.shapes[first], self.channels[first]
        if op in JOINS:
            channels = self._joined(op, index, key)
        stage = parse_stage(keys, prefix, shape, channels, self.rank)
        stage = dataclasses.replace(
            stage, name=name, inputs=inputs, input_channels=tuple(self.channels[j] for j in index)
        )
        self.stages.append(stage)
        self.names.append(name)
        self.shapes.append(stage.output_shape)
        self.channels.append(stage.out_channels)
        self.prefixes.append(prefix)
        return stage

    def _find(self, name: str, key: str) -> int:
        if name in self.names:
            return self.names.index(name)
        guess = f.close_match(name, self.names)
        hint = f" (did you mean '{guess}'?)" if guess else ""
        raise ScenarioError(key, f"unknown map '{name}'; maps so far: {', '.join(self.names)}{hint}")

    @staticmethod
    def _check_arity(op: str, inputs: tuple[str, ...], key: str, named: bool) -> None:
        got = f"(got {len(inputs)}: {', '.join(inputs)})"
        if op == "add" and len(inputs) != 2:
            hint = "" if named else '; name them, e.g. inputs = ["conv2d", "input"]'
            raise ScenarioError(key, f"add reads two maps {got}{hint}")
        if op == "cat" and len(inputs) < 2:
            hint = "" if named else '; name them, e.g. inputs = ["enc1", "up1"]'
            raise ScenarioError(key, f"cat reads two maps or more {got}{hint}")
        if op not in JOINS and len(inputs) != 1:
            raise ScenarioError(key, f"{op} reads one map {got}; only cat and add read several")

    def _joined(self, op: str, index: list[int], key: str) -> int:
        """Channels of the map a cat or add reads, once its inputs are checked to fit."""
        first = index[0]
        for j in index[1:]:
            if op == "cat" and self.shapes[j] != self.shapes[first]:
                raise ScenarioError(
                    key,
                    f"cat stacks maps of one size; '{self.names[first]}' is {_size(self.shapes[first])}, "
                    f"'{self.names[j]}' is {_size(self.shapes[j])}",
                )
            if op == "add" and (self.shapes[j], self.channels[j]) != (
                self.shapes[first],
                self.channels[first],
            ):
                raise ScenarioError(
                    key,
                    f"add needs two maps of one shape; '{self.names[first]}' is {self._shape(first)}, "
                    f"'{self.names[j]}' is {self._shape(j)}",
                )
        if op == "add":
            return self.channels[first]
        total = sum(self.channels[j] for j in index)
        if total > NETWORK_CHANNELS:
            raise ScenarioError(key, f"cat makes {total} channels; at most {NETWORK_CHANNELS}")
        return total

    def _shape(self, j: int) -> str:
        return f"{self.channels[j]}\u00d7{_size(self.shapes[j])}"

    def finish(self) -> tuple[Stage, ...]:
        """The stages, once every map but the last is read by a later stage (else it would be
        computed and drawn for nothing: usually a misspelt name)."""
        if not self.stages:
            raise ScenarioError("stages", "must be a non-empty list of tables")
        unread = [j for j, r in enumerate(readers(self.stages)[1:-1], start=1) if not r]
        if unread:
            j = unread[0]
            raise ScenarioError(
                f"{self.prefixes[j]}.name",
                f"map '{self.names[j]}' is never read; every map but the last feeds a later stage's `inputs`",
            )
        return tuple(self.stages)


def _size(shape: tuple[int, int]) -> str:
    return f"{shape[0]}\u00d7{shape[1]}"
