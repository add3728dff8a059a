"""The scenario's `image` table: its keys, and the plan of the image it describes (its shape and
channels now, the pixels later, so the limits are checked before a big pattern or photo is made)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import fields as f
from .errors import Collect, ScenarioError
from .filters import NETWORK_CHANNELS
from .model import Image
from .patterns import PATTERN_NAMES, make_pattern
from .photo import load_photo, photo_size

MAX_SIDE = 100_000  # a sanity bound; the frame and cell limits refuse big images first
COLORS = ("gray", "rgb")


IMAGE_FIELDS = {
    "values": f.Field(
        lambda v, k: f.planes(v, k, max_side=MAX_SIDE, max_planes=NETWORK_CHANNELS),
        f.PLANES_SCHEMA,
        "Inline pixel values, a list of equally long rows; or a list of such planes, one per "
        "channel (or give `pattern`, `planes` or `file`).",
        None,
    ),
    "planes": f.Field(
        lambda v, k: v,
        {},
        "Channels one by one: a list of tables, each with `values` or a `pattern` (and its "
        "`low`, `high`, `period`, `seed`); patterns take the image's `size`.",
        None,
    ),
    "channels": f.Field(
        f.pos_int(1, NETWORK_CHANNELS),
        f.int_schema(1, NETWORK_CHANNELS),
        "pattern: this many channels of the pattern (random: each its own seed, seed + c); default 1.",
        None,
    ),
    "color": f.Field(
        f.choice(COLORS),
        f.choice_schema(COLORS),
        'file: "gray" (one channel, default) or "rgb" (three channels: R, G, B).',
        None,
    ),
    "names": f.Field(
        f.names(NETWORK_CHANNELS),
        {"type": "array", "items": {"type": "string", "maxLength": 12}},
        'Names of the channels in labels and equations, e.g. ["R", "G", "B"]; default: R, G, B for '
        "an rgb file, else in[0], in[1], …",
        None,
    ),
    "pattern": f.Field(
        f.choice(PATTERN_NAMES), f.choice_schema(PATTERN_NAMES), "A built-in pattern (needs `size`).", None
    ),
    "size": f.Field(
        f.int_pair(1, MAX_SIDE),
        f.pair_schema(1, MAX_SIDE),
        "Pattern size: an integer (square) or [rows, cols].",
        None,
    ),
    "low": f.Field(f.number, f.NUMBER_SCHEMA, "Pattern background value.", 0),
    "high": f.Field(f.number, f.NUMBER_SCHEMA, "Pattern foreground value (random: upper end).", 9),
    "period": f.Field(
        f.pos_int(1, MAX_SIDE),
        f.int_schema(1, MAX_SIDE),
        "Square size of checkerboard cells and stripe width, in pixels.",
        2,
    ),
    "file": f.Field(
        f.text_of(300),
        {"type": "string"},
        "A PNG or JPEG photograph, relative to the scenario file; read as grayscale 0–255.",
        None,
    ),
    "crop": f.Field(
        f.crop_box,
        {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 4, "maxItems": 4},
        "file: the part to keep, [top, left, height, width] in the photo's pixels.",
        None,
    ),
    "resize": f.Field(
        f.int_pair(1, 512),
        f.pair_schema(1, 512),
        "file: resample (Lanczos) to [rows, cols] after cropping; an integer for a square.",
        None,
    ),
    "seed": f.Field(
        f.pos_int(0, 2**32 - 1),
        f.int_schema(0, 2**32 - 1),
        "Seed of the `random` pattern (same seed, same image).",
        None,
    ),
}


PLANE_FIELDS = {k: IMAGE_FIELDS[k] for k in ("values", "pattern", "low", "high", "period", "seed")}
PLANE_FIELDS["values"] = f.Field(
    lambda v, k: f.matrix(v, k, max_side=MAX_SIDE),
    f.MATRIX_SCHEMA,
    "Inline pixel values of this plane.",
    None,
)


ImagePlan = tuple[tuple[int, int], int, Callable[[], Image]]  #: (rows, cols), channels, how to make it


def parse_image(data: Any, base: Path) -> ImagePlan:
    """The image's shape and channels, and how to make it (deferred: built only after the limits
    pass)."""
    if isinstance(data, np.ndarray):
        stack = f.planes(data, "image", max_side=MAX_SIDE, max_planes=NETWORK_CHANNELS)
        image = Image(stack, layered=data.ndim == 3)
        return image.shape, image.channels, lambda: image
    t = f.parse_table(data, IMAGE_FIELDS, "image")
    sources = [k for k in ("values", "pattern", "file", "planes") if t[k] is not None]
    if len(sources) != 1:
        raise ScenarioError(
            "image", f"give exactly one of `values`, `pattern`, `planes` or `file` {f.got(sources)}"
        )
    own = {
        "values": ("names",),
        "pattern": ("size", "seed", "period", "low", "high", "channels", "names"),
        "planes": ("size", "names"),
        "file": ("crop", "resize", "color", "names"),
    }
    errors = Collect()
    for key in ("size", "seed", "crop", "resize", "channels", "color", "names", "low", "high", "period"):
        if data.get(key) is not None and key not in own[sources[0]]:  # given, not defaulted
            errors.add(f"image.{key}", f"does not apply to an image given by `{sources[0]}`")
    if t["size"] is not None and t["planes"] is not None and not _any_pattern(t["planes"]):
        errors.add("image.size", "only applies to planes given by a `pattern`; these have `values`")
    with errors:
        _check_period(data, "image")
    errors.done()
    if t["file"] is not None:
        plan = _parse_photo(t, base)
    elif t["planes"] is not None:
        plan = _parse_planes(t)
    elif t["values"] is not None:
        stack = t["values"]
        layered = isinstance(data, dict) and _is_3d(data["values"])
        plan = (stack.shape[1:], stack.shape[0], lambda: Image(stack, layered=layered))
    else:
        plan = _parse_pattern(t, t, "image", t["channels"] or 1)
    if t["names"] is not None and len(t["names"]) != plan[1]:
        raise ScenarioError("image.names", f"{len(t['names'])} names, but the image has {plan[1]} channels")
    if t["names"] is None:
        return plan
    shape, channels, make = plan
    return shape, channels, lambda: dataclasses.replace(make(), names=t["names"])


PERIODIC = ("checkerboard", "stripes")  #: the patterns that take a `period`


def _check_period(table: dict[str, Any], key: str) -> None:
    """`period` given to a pattern that has none."""
    if table.get("period") is not None and table.get("pattern") not in (None, *PERIODIC):
        raise ScenarioError(
            f"{key}.period",
            f"only applies to patterns {' and '.join(map(repr, PERIODIC))} "
            f"(got pattern {table['pattern']!r})",
        )


def _any_pattern(planes: Any) -> bool:
    return not isinstance(planes, (list, tuple)) or any(
        not isinstance(p, dict) or p.get("pattern") is not None for p in planes
    )


def as_signal(make: Callable[[], Image]) -> Callable[[], Image]:
    return lambda: dataclasses.replace(make(), rank=1)


def _is_3d(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        return values.ndim == 3
    return (
        isinstance(values, (list, tuple))
        and bool(values)
        and isinstance(values[0], (list, tuple))
        and bool(values[0])
        and (isinstance(values[0][0], (list, tuple)))
    )


def _parse_pattern(t: dict[str, Any], top: dict[str, Any], prefix: str, channels: int) -> ImagePlan:
    """A pattern of the image's `size`, on ``channels`` planes (random: seed + c for plane c)."""
    if top["size"] is None:
        raise ScenarioError("image.size", f"is required with pattern {t['pattern']!r}")
    if t["high"] < t["low"]:
        raise ScenarioError(f"{prefix}.high", f"must be at least {prefix}.low (got {t['high']} < {t['low']})")
    if t["seed"] is not None and t["pattern"] != "random":
        raise ScenarioError(
            f"{prefix}.seed", f"only applies to pattern 'random' (got pattern {t['pattern']!r})"
        )

    def make() -> Image:
        planes = [
            make_pattern(
                t["pattern"], top["size"], t["low"], t["high"], period=t["period"], seed=(t["seed"] or 0) + c
            )
            for c in range(channels)
        ]
        values = np.stack(planes)
        values.setflags(write=False)
        return Image(values, t["pattern"], layered=channels > 1 or top.get("channels") is not None)

    return top["size"], channels, make


def _parse_planes(t: dict[str, Any]) -> ImagePlan:
    """`planes`: each table gives one channel by `values` or a `pattern` of the image's size."""
    tables = t["planes"]
    if not isinstance(tables, (list, tuple)) or not tables:
        raise ScenarioError("image.planes", f"must be a non-empty list of tables (got {f.show(tables)})")
    if len(tables) > NETWORK_CHANNELS:
        raise ScenarioError("image.planes", f"at most {NETWORK_CHANNELS} planes (got {len(tables)})")
    makers, shape = [], None
    for i, table in enumerate(tables):
        key = f"image.planes[{i}]"
        p = f.parse_table(table, PLANE_FIELDS, key)
        if (p["values"] is None) == (p["pattern"] is None):
            given = [k for k in ("values", "pattern") if p[k] is not None]
            raise ScenarioError(key, f"give exactly one of `values` or `pattern` {f.got(given)}")
        if p["values"] is not None:
            errors = Collect()
            for name in ("low", "high", "period", "seed"):
                if table.get(name) is not None:
                    errors.add(f"{key}.{name}", "does not apply to a plane given by `values`")
            errors.done()
            plane = p["values"]
            makers.append(lambda plane=plane: plane)
            here = plane.shape
        else:
            _check_period(table, key)
            here, _, make = _parse_pattern(p, t, key, 1)
            makers.append(lambda make=make: make().values[0])
        if shape is not None and here != shape:
            raise ScenarioError(
                key, f"is {here[0]}×{here[1]} but plane 0 is {shape[0]}×{shape[1]}; planes must have one size"
            )
        shape = here

    def make() -> Image:
        values = np.stack([m() for m in makers])
        values.setflags(write=False)
        return Image(values, None, layered=True)

    return shape, len(tables), make


def _parse_photo(t: dict[str, Any], base: Path) -> ImagePlan:
    path = base / t["file"]
    rows, cols = photo_size(path, "image.file")
    crop = t["crop"]
    if crop is not None and (crop[0] + crop[2] > rows or crop[1] + crop[3] > cols):
        raise ScenarioError(
            "image.crop", f"[top, left, height, width] = {list(crop)} goes beyond the {rows}×{cols} photo"
        )
    shape = t["resize"] or ((crop[2], crop[3]) if crop else (rows, cols))
    color = t["color"] or "gray"

    def make() -> Image:
        values = load_photo(path, "image.file", crop, t["resize"], color)
        names = ("R", "G", "B") if color == "rgb" else None
        return Image(values, f"file {t['file']}", names, layered=color == "rgb")

    return shape, 3 if color == "rgb" else 1, make
