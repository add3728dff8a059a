"""The command line's flags and exit statuses: the parser of ``generate.py`` and ``convanim
build|check|list``, whose errors are one line, and the formats and options the flags ask for."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import export
from .errors import ConvanimError
from .export import options as export_options
from .fields import close_match
from .limits import Limits
from .scenario_keys import RENDER_FIELDS, THEME_NAMES

EXIT_OK, EXIT_DIFFERS, EXIT_BAD_INPUT, EXIT_BUG = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2, as scenario errors are."""

    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def make_parser(prog: str, command: str | None = None) -> argparse.ArgumentParser:
    """generate.py's flags; as ``convanim COMMAND`` (build, check, list) the actions that are
    commands of their own are hidden, and ``build`` adds ``--force``."""
    p = Parser(prog=prog, description="Turn scenario files into animated convolution illustrations.")
    hidden = command is not None
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="scenario names (in the animations folder), .toml paths or folders of them; default: all",
    )
    p.add_argument(
        "--format",
        default="all",
        metavar="FMT",
        help="comma-separated formats to write: gif, html, mp4, webm, png, svg, pdf, storyboard-svg, "
        "storyboard-pdf, storyboard-png, beamer, alt; 'all' (the default) is gif,html,png,alt, the "
        "gallery's, and combines: all,svg adds svg",
    )
    p.add_argument(
        "--frame", metavar="N|last", help="png, svg, pdf: the frame to draw (0 is the poster; default last)"
    )
    p.add_argument(
        "--frames",
        metavar="LIST",
        help="storyboards: frames to show, e.g. 0,1,2,30,last (default: poster, first steps, middle, final)",
    )
    p.add_argument("--scale", metavar="X", help="png, storyboards, videos: pixels per display pixel (e.g. 2)")
    p.add_argument("--aspect", metavar="W:H", help="mp4, webm: pad the picture to this shape, e.g. 16:9")
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: output/)")
    p.add_argument("--animations", type=Path, metavar="DIR", help="scenario folder (default: animations/)")
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: all cores, %(default)s here)",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help=argparse.SUPPRESS if hidden else "list scenarios (name, title, operation, frames)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help=argparse.SUPPRESS
        if hidden
        else "write nothing; exit 1 naming every output file that a fresh run would change",
    )
    p.add_argument(
        "--theme", choices=THEME_NAMES, help="render.theme for every scenario (light, dark, contrast)"
    )
    p.add_argument(
        "--view",
        choices=("auto", "chain", "network"),
        help="render.view for every scenario: a chain or graph as a network of pictures, or with numbers",
    )
    p.add_argument(
        "--render-scale",
        type=float,
        metavar="K",
        help="render.scale for every scenario: text and strokes (1 to 4)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    p.add_argument(
        "--schema",
        action="store_true",
        help=argparse.SUPPRESS if hidden else "print the JSON Schema of scenario files",
    )
    if command == "build":
        p.add_argument("--force", action="store_true", help="rebuild every file, even those up to date")
    p.add_argument(
        "--max-frames",
        type=int,
        default=Limits.max_frames,
        metavar="N",
        help="refuse scenarios needing more frames (default %(default)s)",
    )
    p.add_argument(
        "--max-cells",
        type=int,
        default=Limits.max_cells,
        metavar="N",
        help="refuse scenarios drawing more cells (default %(default)s)",
    )
    p.add_argument(
        "--max-work",
        type=int,
        default=Limits.max_work,
        metavar="N",
        help="refuse scenarios painting or writing more cells over all steps (default %(default)s)",
    )
    return p


def parse_formats(spec: str, parser: argparse.ArgumentParser) -> list[str]:
    """The formats of a comma-separated list; ``all`` stands for the default ones (gif, html,
    png, alt), so ``all,svg`` adds svg to them."""
    names = [n.strip() for n in spec.split(",") if n.strip()]
    available = f"available: {', '.join(export.formats())}, or all for {','.join(export.gallery_formats())}"
    if not names:
        parser.error(f"argument --format: no format given; {available}")
    wanted = []
    for name in names:
        if name == "all":
            wanted += export.gallery_formats()
        elif name in export.formats():
            wanted.append(name)
        else:
            guess = close_match(name, [*export.formats(), "all"])
            hint = f"did you mean {guess!r}? " if guess else ""
            parser.error(f"argument --format: unknown format {name!r}; {hint}{available}")
    return list(dict.fromkeys(wanted))


OPTION_FLAGS = {"frame": "--frame", "frames": "--frames", "scale": "--scale", "aspect": "--aspect"}


def format_options(
    args: argparse.Namespace, fmts: list[str], parser: argparse.ArgumentParser
) -> dict[str, tuple[tuple[str, object], ...]]:
    """Each format's options from the flags given; a flag no asked-for format takes is an error,
    and so is a bad --scale or --aspect (a bad --frame depends on the scenario: it is checked there)."""
    given = {key: getattr(args, key) for key in OPTION_FLAGS if getattr(args, key) is not None}
    for key, value in given.items():
        takers = [f for f in export.formats() if key in export.get(f).options]
        if not set(takers) & set(fmts):
            parser.error(
                f"argument {OPTION_FLAGS[key]}: applies to {', '.join(takers)} only "
                f"(formats asked: {', '.join(fmts)})"
            )
        check = {"scale": export_options.scale, "aspect": export_options.aspect}.get(key)
        try:
            if check:
                check(value)
        except ConvanimError as err:
            parser.error(f"argument {OPTION_FLAGS[key]}: {str(err).split(': ', 1)[1]}")
    return {fmt: tuple((k, v) for k, v in given.items() if k in export.get(fmt).options) for fmt in fmts}


def render_overrides(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> tuple[tuple[str, object], ...]:
    """--theme, --render-scale and --view as render keys, checked like the scenario keys they
    override."""
    given = {"theme": args.theme, "scale": args.render_scale, "view": getattr(args, "view", None)}
    given = {k: v for k, v in given.items() if v is not None}
    if "scale" in given:
        given["scale"] = int(given["scale"]) if float(given["scale"]).is_integer() else given["scale"]
        try:
            RENDER_FIELDS["scale"].check(given["scale"], "--render-scale")
        except ConvanimError as err:
            parser.error(f"argument {err}")
    return tuple(given.items())
