"""Where a key is written in a TOML file, so errors can say ``file:line:`` as a compiler does.

tomllib gives values without positions; this scanner reads the (already valid) text once more and
notes the line of every key, table header, array-of-tables entry and array element, by the
dotted path the scenario's messages use: ``stages[1].kernel.preset``, ``image.values[2][0]``.
"""

from __future__ import annotations

import contextlib
import re

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_SCALAR = re.compile(r"[^,\]}\n#]*")


def key_lines(text: str) -> dict[Path, int]:
    """The line (from 1) where each path is first written; as much as could be read, should the
    text not be valid TOML."""
    scanner = _Scanner(text)
    with contextlib.suppress(IndexError, ValueError):  # text that is not TOML: what was read
        scanner.document()
    return scanner.lines


def split_key(key: str) -> Path:
    """``"stages[1].kernel.preset"`` as ``("stages", 1, "kernel", "preset")``."""
    return tuple(int(index) if index else name for name, index in _PART.findall(key))


def line_of(lines: dict[Path, int], key: str) -> int | None:
    """The line of ``key``, else of the nearest table or array holding it, else None."""
    path = split_key(key)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def toml_error(err: ValueError) -> tuple[int | None, str]:
    """tomllib's message without its "(at line L, column C)", and L."""
    match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(err), flags=re.S)
    if match is None:
        return None, str(err)
    return int(match.group(2)), f"{match.group(1)} (column {match.group(3)})"


class _Scanner:
    """Just enough of TOML 1.0 to follow keys, headers, arrays and inline tables."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1
        self.lines: dict[Path, int] = {}
        self.arrays: dict[Path, int] = {}  # entries so far of each array of tables

    def document(self) -> None:
        table: Path = ()
        while True:
            self.blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                table = self.header(self.key(), array=True)
                self.pos = self.text.index("]]", self.pos) + 2
            elif self.text[self.pos] == "[":
                self.pos += 1
                table = self.header(self.key(), array=False)
                self.pos = self.text.index("]", self.pos) + 1
            else:
                self.pair(table)

    def header(self, parts: list[str], *, array: bool) -> Path:
        """The path a ``[a.b]`` or ``[[a.b]]`` header opens: an array of tables met on the way
        stands for its last entry, as in TOML."""
        path: Path = ()
        for i, part in enumerate(parts):
            path += (part,)
            if array and i == len(parts) - 1:
                self.arrays[path] = self.arrays.get(path, 0) + 1
                self.note(path)
            if path in self.arrays:
                path += (self.arrays[path] - 1,)
            self.note(path)
        return path

    def pair(self, table: Path) -> None:
        """``a.b = value`` inside ``table`` (the dotted prefixes are tables written here too)."""
        path = table
        for part in self.key():
            path += (part,)
            self.note(path)
        self.blank()
        self.expect("=")
        self.value(path)

    def value(self, path: Path) -> None:
        self.blank()
        ch = self.text[self.pos]
        if ch == "[":
            self.pos += 1
            i = 0
            while True:
                self.blank(newlines=True)
                if self.text[self.pos] == "]":
                    self.pos += 1
                    return
                self.note((*path, i))
                self.value((*path, i))
                self.blank(newlines=True)
                if self.text[self.pos] == ",":
                    self.pos += 1
                i += 1
        elif ch == "{":
            self.pos += 1
            while True:
                self.blank()
                if self.text[self.pos] == "}":
                    self.pos += 1
                    return
                self.pair(path)
                self.blank()
                if self.text[self.pos] == ",":
                    self.pos += 1
        elif ch in "\"'":
            self.string()
        else:  # a number, boolean or date: up to the next delimiter
            self.pos = _SCALAR.match(self.text, self.pos).end()

    def key(self) -> list[str]:
        parts = []
        while True:
            self.blank()
            if self.text[self.pos] in "\"'":
                parts.append(self.string())
            else:
                match = _BARE.match(self.text, self.pos)
                if match is None:
                    raise ValueError(f"no key at line {self.line}")
                parts.append(match.group())
                self.pos = match.end()
            self.blank()
            if self.pos < len(self.text) and self.text[self.pos] == ".":
                self.pos += 1
                continue
            return parts

    def string(self) -> str:
        """A basic, literal or multi-line string; returns its text (escapes kept as written,
        enough for a key)."""
        quote = self.text[self.pos]
        delimiter = quote * 3 if self.text.startswith(quote * 3, self.pos) else quote
        start = self.pos + len(delimiter)
        end = start
        while True:
            end = self.text.index(delimiter, end)
            if quote == '"' and _escaped(self.text, start, end):
                end += 1
                continue
            break
        if delimiter != quote:  # up to two more quotes may close a multi-line string
            while self.text.startswith(quote, end + 3):
                end += 1
        body = self.text[start:end]
        self.line += body.count("\n")
        self.pos = end + len(delimiter)
        return body

    def blank(self, *, newlines: bool = False) -> None:
        """Skip spaces, tabs and comments (and line ends, when ``newlines``)."""
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r":
                self.pos += 1
            elif ch == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif ch == "\n" and newlines:
                self.pos += 1
                self.line += 1
            else:
                return

    def expect(self, ch: str) -> None:
        if self.text[self.pos] != ch:
            raise ValueError(f"expected {ch!r} at line {self.line}")
        self.pos += 1

    def note(self, path: Path) -> None:
        self.lines.setdefault(path, self.line)


def _escaped(text: str, start: int, end: int) -> bool:
    """The quote at ``end`` follows an odd number of backslashes (so it is part of the string)."""
    n = 0
    while end - n - 1 >= start and text[end - n - 1] == "\\":
        n += 1
    return n % 2 == 1
