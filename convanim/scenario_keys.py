"""The scenario file's keys: the top-level, `render`, `timing` and `receptive_field` tables
(what validation reads), and the JSON Schema built from the same tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import fields as f
from .errors import ScenarioError
from .filters import FILTER_FIELDS, KERNEL_FIELDS, NETWORK_CHANNELS
from .graph import GRAPH_FIELDS, MAX_STAGES
from .image_table import IMAGE_FIELDS, PLANE_FIELDS
from .rank import with_samples
from .stage import STAGE_FIELDS
from .style import THEMES

THEME_NAMES = tuple(THEMES)


VIEWS = ("chain", "network")  #: render.view

RENDER_FIELDS = {
    "values": f.Field(
        f.bool_or_auto,
        f.BOOL_AUTO_SCHEMA,
        'Write values in cells: true, false or "auto" (when they fit).',
        None,
    ),
    "equation": f.Field(f.boolean, f.BOOL_SCHEMA, "Show the step's equation in a strip below.", True),
    "number_format": f.Field(
        f.auto_or(f.number_format),
        f.auto_schema({"type": "string"}),
        'Format spec of values, e.g. ".2f"; "auto" picks the fewest digits.',
        None,
    ),
    "colormap": f.Field(f.colormap, {"type": "string"}, "Matplotlib colormap of the input.", "gray"),
    "output_colormap": f.Field(
        f.auto_or(f.colormap),
        f.auto_schema({"type": "string"}),
        'Colormap of the output; "auto": the input\'s when the kernel averages, '
        "else its own scale (diverging PRGn around 0 for signed outputs).",
        None,
    ),
    "cell_px": f.Field(
        f.auto_or(f.pos_int(8, 96)),
        f.auto_schema(f.int_schema(8, 96)),
        'Cell size in pixels, which sets the picture size; "auto" fits ~900 px.',
        None,
    ),
    "theme": f.Field(
        f.choice(THEME_NAMES),
        f.choice_schema(THEME_NAMES),
        'Colours of the chrome: "light", "dark" or "contrast" (projectors); numbers meet WCAG AA in each.',
        "light",
    ),
    "scale": f.Field(
        f.number_between(1, 4),
        {"type": "number", "minimum": 1, "maximum": 4},
        "Size of text, strokes and the room they need (1 to 4), for projectors; auto cells grow by √scale.",
        1,
    ),
    "highlight": f.Field(
        f.colour,
        f.COLOUR_SCHEMA,
        "Accent of the window, kernel and current output cell; default: the theme's (light: #e69f00).",
        None,
    ),
    "kernel_fill": f.Field(
        f.colour, f.COLOUR_SCHEMA, "Background of the kernel cells; default: the theme's.", None
    ),
    "background": f.Field(f.colour, f.COLOUR_SCHEMA, "Picture background; default: the theme's.", None),
    "view": f.Field(
        f.auto_or(f.choice(VIEWS)),
        f.auto_schema(f.choice_schema(VIEWS)),
        'A chain or graph: "network" (every map as channel pictures, the operations between them, a '
        'cell\'s numbers in the player), "chain" (every map with its numbers) or "auto" (network when '
        "the chain view would be too big).",
        None,
    ),
}

TIMING_FIELDS = {
    "step_ms": f.Field(f.ms, f.MS_SCHEMA, "Duration of each step frame, ms.", 500),
    "poster_ms": f.Field(f.ms, f.MS_SCHEMA, "Hold on the poster (first frame), ms.", 1500),
    "final_ms": f.Field(f.ms, f.MS_SCHEMA, "Hold on the finished output (last frame), ms.", 3000),
    "detail_steps": f.Field(
        f.auto_or(f.pos_int(1, 100_000)),
        f.auto_schema(f.int_schema(1, 100_000)),
        "Photos and chains: steps shown one per frame before the rest fills progressively faster; "
        '"auto": the first output row (at most 32) when a stage has over 64 steps. With channels '
        "this is the first channel's; each later one shows 3 (or fewer) before filling fast.",
        None,
    ),
}


def _cell_index(value: Any, key: str) -> tuple[int, ...]:
    """[row, col], or [channel, row, col]; a signal's [sample] or [channel, sample]: non-negative
    integers (how many, and their range, are checked later against the output's shape)."""
    ok = isinstance(value, (list, tuple)) and len(value) in (1, 2, 3)
    if not ok or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        raise ScenarioError(
            key,
            "must be [row, col], or [channel, row, col] with channels; a signal's [sample] or "
            f"[channel, sample] (got {f.show(value)})",
        )
    return tuple(int(v) for v in value)


RECEPTIVE_FIELDS = {
    "cell": f.Field(
        _cell_index,
        {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1, "maxItems": 3},
        "The output cell whose receptive field is traced back to the image: [row, col], or "
        "[channel, row, col] when the output has channels (as `.output()` indexes it); a signal's "
        "[sample] or [channel, sample].",
    ),
    "stage": f.Field(
        f.pos_int(-MAX_STAGES, MAX_STAGES - 1),
        f.int_schema(-MAX_STAGES, MAX_STAGES - 1),
        "The stage whose output holds `cell`: an index from 0, or from the end (−1: the last).",
        -1,
    ),
}


TOP_FIELDS = {
    "title": f.Field(
        f.text_of(120, drawn=True),
        {"type": "string", "maxLength": 120},
        "Title drawn above the frames; default: the operation's name, e.g. 2-D convolution.",
        None,
    ),
    "caption": f.Field(
        f.text_of(200, drawn=True),
        {"type": "string", "maxLength": 200},
        "One line shown under the title.",
        None,
    ),
    "image": f.Field(lambda v, k: v, {}, "The input image: `values`, a `pattern` with `size`, or a `file`."),
    **STAGE_FIELDS,
    "stages": f.Field(
        lambda v, k: v,
        {},
        "A chain or a graph: a list of tables, each with an `operation` and its keys, applied in "
        "order, each reading the map before it or the maps its `inputs` name.",
        None,
    ),
    "receptive_field": f.Field(
        lambda v, k: v,
        {},
        "After the fill, trace one output cell's receptive field back to the image, map by map, "
        "and write its size: a table with `cell` and `stage`.",
        None,
    ),
    "render": f.Field(lambda v, k: v, {}, "Drawing options.", None),
    "timing": f.Field(lambda v, k: v, {}, "Frame durations.", None),
}


def schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, built from the same tables as validation."""
    top = f.table_schema(TOP_FIELDS, "A convanim scenario: one animated illustration.")
    image = f.table_schema(IMAGE_FIELDS, "The input image.")
    image["oneOf"] = [
        {"required": ["values"]},
        {"required": ["pattern", "size"]},
        {"required": ["planes"]},
        {"required": ["file"]},
    ]
    plane = f.table_schema(PLANE_FIELDS, "One channel of the image.")
    plane["oneOf"] = [{"required": ["values"]}, {"required": ["pattern"]}]
    image["properties"]["planes"] = {
        "type": "array",
        "minItems": 1,
        "maxItems": NETWORK_CHANNELS,
        "items": plane,
        "description": image["properties"]["planes"]["description"],
    }
    with_samples(image, plane)
    kernel = f.table_schema(KERNEL_FIELDS, "The kernel.")
    with_samples(kernel)
    kernel["oneOf"] = [{"required": ["values"]}, {"required": ["preset"]}]
    stage = f.table_schema({**GRAPH_FIELDS, **STAGE_FIELDS}, "One operation of a chain or graph.")
    stage["properties"]["kernel"] = kernel
    one_filter = f.table_schema(FILTER_FIELDS, "One filter: a plane per input channel it reads, and a bias.")
    with_samples(one_filter)
    one_filter["oneOf"] = [{"required": ["values"]}, {"required": ["preset"]}, {"required": ["presets"]}]
    filters = {"type": "array", "minItems": 1, "maxItems": NETWORK_CHANNELS, "items": one_filter}
    stage["properties"]["filters"] = {**filters, "description": stage["properties"]["filters"]["description"]}
    for key, sub in (
        ("image", image),
        ("kernel", kernel),
        ("filters", filters),
        ("stages", {"type": "array", "minItems": 1, "maxItems": MAX_STAGES, "items": stage}),
        ("receptive_field", f.table_schema(RECEPTIVE_FIELDS, "A receptive field to animate after the fill.")),
        ("render", f.table_schema(RENDER_FIELDS, "Drawing options.")),
        ("timing", f.table_schema(TIMING_FIELDS, "Frame durations in milliseconds.")),
    ):
        top["properties"][key] = {**sub, "description": top["properties"][key]["description"]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "convanim scenario", **top}
