"""``convanim new NAME [--from SCENARIO]``: a commented starter scenario an editor can check.

The file starts with a ``#:schema ./convanim.schema.json`` line, the directive of Taplo (the
*Even Better TOML* extension of VS Code, and other editors using Taplo) that validates and
completes the keys as you type; the schema file is written (or refreshed) beside the scenario.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import cli
from .errors import ConvanimError
from .export import write_file
from .scenario import load, schema

SCHEMA_FILE = "convanim.schema.json"
SCHEMA_LINE = f"#:schema ./{SCHEMA_FILE}"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

STARTER = """\
{schema_line}
# {name}: one illustration. `convanim build` writes its GIF, HTML player, still and alt text to
# output/ (the README's "What a build writes"); `convanim watch` rebuilds them each time you save.
# The README lists every key; editors that read the #:schema line above (VS Code with Even Better
# TOML, say) check them as you type.
#
# Each "Or ..." below is a complete block: uncomment all of its lines (not only one), and comment
# out the block it replaces, which its first line names.

title = "Mean filter: a 3×3 average smooths sharp edges"  # one line above the picture
caption = "Every weight is 1/9"  # one line under the title
stride = 1  # or [rows, cols]
padding = 0  # or [rows, cols], [top, bottom, left, right], "same", "full"

# Or a layer with channels, instead of the [kernel] block: random filters (PyTorch's init).
# out_channels = 2  # two filters, so two output maps
# kernel_size = 3  # each 3×3
# bias = true  # and a random bias per filter

# Or max pooling, instead of the [kernel] block (avg_pool2d is the same with averages).
# operation = "max_pool2d"
# kernel_size = 2  # the window: the largest of each 2×2

[image]
pattern = "square"  # or checkerboard, gradient, disk, cross, stripes, random
size = 7  # rows and columns; or [rows, cols]
low = 0  # the background
high = 9  # the square

# Or your own numbers, instead of the [image] block above: a list of equally long rows.
# [image]
# values = [
#   [0, 0, 0, 0, 0, 0],
#   [0, 0, 9, 9, 9, 0],
#   [0, 0, 9, 9, 9, 0],
#   [0, 9, 9, 9, 9, 0],
#   [0, 0, 0, 0, 0, 0],
# ]

# Or a photograph (PNG or JPEG, relative to this file), instead of the [image] block above.
# [image]
# file = "photos/portrait.jpg"
# resize = [36, 48]  # rows, cols to resample to, in the photo's proportions: a few pixels animate well

[kernel]
preset = "mean"  # one of the presets below
size = 3  # mean, gaussian and identity only; the other presets are 3×3
# The presets and what each finds:
#   mean       blurs: every output is the average of its window
#   gaussian   blurs, the centre weighing most (`sigma = 1`, in pixels, sets how much)
#   identity   copies the image (a 1 in the centre)
#   sobel_x    vertical edges: where values change from left to right (prewitt_x: the same,
#              unweighted)
#   sobel_y    horizontal edges: where values change from top to bottom (prewitt_y: the same,
#              unweighted)
#   laplacian  edges in every direction, and isolated spots
#   sharpen    sharpens: the centre against its four neighbours

# Or your own weights, instead of the [kernel] block above (these are sobel_x's).
# [kernel]
# values = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]

[render]
cell_px = 32  # the size of a cell in pixels, which sets the picture's size

[timing]
step_ms = 400  # each step's duration; poster_ms and final_ms hold the first and last frames
"""


def _parser(prog: str) -> cli.Parser:
    p = cli.Parser(prog=prog, description="Write a commented starter scenario file.")
    p.add_argument(
        "name", metavar="NAME", help="the new scenario's name (animations/NAME.toml) or a .toml path"
    )
    p.add_argument(
        "--from",
        dest="source",
        metavar="SCENARIO",
        help="start from a copy of this scenario (a name in the animations folder or a .toml path)",
    )
    p.add_argument("--animations", type=Path, metavar="DIR", help="scenario folder (default: animations/)")
    return p


def main(argv: list[str], *, prog: str = "convanim new") -> int:
    """Write the scenario and its schema file; exit 2 with one line if the name is taken or bad."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    animations = args.animations or Path("animations")
    target = Path(args.name) if args.name.endswith(".toml") else animations / f"{args.name}.toml"
    if not NAME_RE.fullmatch(target.stem):
        parser.error(
            f"argument NAME: {target.stem!r} is not a usable name (letters, digits, '_' and '-'; "
            "it becomes the output files' name)"
        )
    if target.exists():
        return _fail(f"{cli.relative(target)}: already exists; choose another name or delete it first")
    if args.source and Path(args.source).is_dir():
        return _fail(f"--from: {args.source} is a folder; give one scenario file")
    if args.source:
        sources, errors = cli.find_sources([args.source], animations)
        if errors:
            return _fail(f"--from: {errors[0]}")
        try:
            load(sources[0])
        except ConvanimError as err:
            return _fail("\n".join(f"--from: {line}" for line in cli.error_line(sources[0], err).split("\n")))
        text = _with_schema_line(sources[0].read_text(encoding="utf-8"))
    else:
        text = STARTER.format(schema_line=SCHEMA_LINE, name=target.stem)
    write_file(target, lambda fh: fh.write(text.encode("utf-8")))
    try:
        scenario = load(target)
    except ConvanimError as err:  # e.g. a copied photo path that does not resolve from here
        target.unlink()
        lines = cli.error_line(target, err).split("\n")
        return _fail("\n".join(f"--from: the copy would not load: {line}" for line in lines))
    print(f"{cli.relative(target)}: new scenario, {scenario.n_frames} frames (convanim build writes it)")
    _write_schema(target.parent / SCHEMA_FILE)
    return cli.EXIT_OK


def _with_schema_line(text: str) -> str:
    """``text`` with our ``#:schema`` line first (replacing any other one)."""
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("#:schema")]
    return SCHEMA_LINE + "\n" + "".join(lines)


def _write_schema(path: Path) -> None:
    """Write the JSON Schema the ``#:schema`` line points to, when missing or out of date."""
    data = (json.dumps(schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return
    write_file(path, lambda fh: fh.write(data))
    print(f"{cli.relative(path)}: the JSON Schema of scenario files, for editors")


def _fail(line: str) -> int:
    print(line, file=sys.stderr)
    return cli.EXIT_BAD_INPUT
