"""The gallery page, output/index.html: every illustration's player, title and links to its files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..display import Frames
from . import write_file
from .html import page, player

INDEX = "index.html"
HEADING = "convanim gallery"


@dataclass(frozen=True)
class Entry:
    """One illustration: its name (the output files' stem) and its frames."""

    name: str
    frames: Frames


def index_html(entries: Sequence[Entry]) -> str:
    """The gallery page: a section per entry, in the order given (the player JS and CSS once)."""
    sections = []
    for entry in entries:
        stem = quote(entry.name)
        sections.append(
            f'<section id="{escape(entry.name)}">\n<h2>{escape(entry.frames.title)}</h2>\n'
            f"{player(entry.frames)}"
            f"<details><summary>Text description</summary><p>{escape(entry.frames.alt)}</p></details>\n"
            f'<p><a href="{stem}.gif">GIF</a> · <a href="{stem}.html">player page</a> · '
            f"<code>{escape(entry.name)}</code></p>\n</section>"
        )
    body = f"<h1>{HEADING}</h1>\n" + "\n".join(sections)
    return page(HEADING, body)


def write_index(out_dir: Path, entries: Sequence[Entry]) -> int:
    """Write ``out_dir/index.html`` atomically; returns its size."""
    data = index_html(entries).encode("utf-8")
    return write_file(out_dir / INDEX, lambda fh: fh.write(data))
