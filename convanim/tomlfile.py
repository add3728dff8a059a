"""Reading a scenario file: its bytes to a TOML table, each failure one line naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import ConvanimError
from .tomlpos import toml_error


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The file's table and its text (for the lines of its keys in later errors)."""
    try:
        raw = path.read_bytes()
        # a UTF-8 byte-order mark (some Windows editors write one) is not part of the TOML
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConvanimError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConvanimError(f"{path}: cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        line, message = toml_error(err)
        raise ConvanimError(f"{path}{f':{line}' if line else ''}: invalid TOML: {message}") from None
    return data, text
