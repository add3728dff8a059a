"""The ``convanim`` command (console script and ``python -m convanim``), for a course's own folder.

``build``, ``check`` and ``list`` are generate.py's flags run as commands (``cli``), relative to the
working directory, ``build`` skipping what is up to date (``manifest``); ``new`` writes a starter
scenario (``starter``); ``watch`` rebuilds on change and serves the gallery (``watch``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from . import __version__, cli

HELP = """\
usage: convanim [--version] COMMAND [ARGS ...]

Turn scenario files (TOML) into animated convolution illustrations: GIFs and HTML players.
Paths are relative to where it runs: scenarios in ./animations, outputs in ./output.

commands:
  build [PATH ...]   write every format of the scenarios (files or folders), skipping outputs
                     that are up to date (--force rebuilds; --out, --format, --jobs, ...)
  check [PATH ...]   write nothing; exit 1 naming every output a fresh build would change
  list [PATH ...]    list the scenarios: name, title, operation, frames
  schema             print the JSON Schema of scenario files
  new NAME           write a commented starter scenario, animations/NAME.toml (--from SCENARIO)
  watch [PATH ...]   rebuild a scenario when it or its photograph changes, and serve the
                     gallery on 127.0.0.1 with the page reloading itself (--port N)

`convanim COMMAND --help` tells the flags of a command.
"""


def _schema(argv: list[str]) -> int:
    parser = cli.Parser(prog="convanim schema", description="Print the JSON Schema of scenario files.")
    parser.parse_args(argv)
    return cli.main(["--schema"], prog="convanim schema", command="schema")


def _new(argv: list[str]) -> int:
    from .starter import main as new

    return new(argv, prog="convanim new")


def _watch(argv: list[str]) -> int:
    from .watch import main as watch

    return watch(argv, prog="convanim watch")


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "build": lambda argv: cli.main(argv, prog="convanim build", command="build"),
    "check": lambda argv: cli.main([*argv, "--check"], prog="convanim check", command="check"),
    "list": lambda argv: cli.main([*argv, "--list"], prog="convanim list", command="list"),
    "schema": _schema,
    "new": _new,
    "watch": _watch,
}


def main(argv: list[str] | None = None) -> int:
    """Run ``convanim ARGS``; returns the exit status (0 ok, 1 check found differences, 2 bad
    input, 3 an internal error)."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(HELP, end="")
        return cli.EXIT_OK
    if argv[0] == "--version":
        print(f"convanim {__version__}")
        return cli.EXIT_OK
    run = COMMANDS.get(argv[0])
    if run is None:
        what = "option" if argv[0].startswith("-") else "command"
        print(
            f"convanim: unknown {what} {argv[0]!r}; commands: {', '.join(COMMANDS)} (see --help)",
            file=sys.stderr,
        )
        return cli.EXIT_BAD_INPUT
    try:
        return run(argv[1:])
    except SystemExit as stop:  # argparse's --help and its one-line errors
        return stop.code if isinstance(stop.code, int) else cli.EXIT_BAD_INPUT
