"""Declarative scenario keys: one table gives validation, defaults, docs and the JSON Schema.

A hand-written table beats a model library here: every error is one line in our words
("kernel.size: must be a positive integer (got 0)") and the schema cannot drift from the checks.
"""

from __future__ import annotations

import difflib
import math
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import Collect, ScenarioError
from .textsize import missing_glyphs

Check = Callable[[Any, str], Any]
REQUIRED = object()
MAX_MAGNITUDE = 1e12  #: largest |value| in images and kernels: no product or sum can overflow


@dataclass(frozen=True)
class Field:
    """One scenario key: how to check and normalise it, its default, schema and doc line."""

    check: Check
    schema: Mapping[str, Any]
    doc: str
    default: Any = REQUIRED


def show(value: Any) -> str:
    """Short repr of a user value for messages (TOML spelling where it differs)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, Mapping):
        return "a table"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def quoted(value: Any) -> str:
    """A hint when ``value`` is a number or a boolean written in quotes, which TOML reads as text."""
    if isinstance(value, str):
        text = value.strip()
        try:
            float(text)
        except ValueError:
            if text not in ("true", "false"):
                return ""
        return "; drop the quotes"
    return ""


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def parse_table(
    data: Any, fields: Mapping[str, Field], prefix: str, errors: Collect | None = None
) -> dict[str, Any]:
    """Check a table against its fields: unknown keys, required keys, then each value; every
    mistake is reported (one ScenarioError listing them), not only the first. Given ``errors``,
    the mistakes go there instead and what passed is returned (a bad value as None)."""
    if not isinstance(data, Mapping):
        raise ScenarioError(prefix, f"must be a table (got {show(data)})")
    outer, errors = errors, Collect()
    guessed = set()
    for name in data:
        if name not in fields:
            guess = close_match(name, fields)
            guessed.add(guess)
            errors.add(join(prefix, name), unknown_key(name, data[name], guess, fields))
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        key = join(prefix, name)
        if name in data and data[name] is not None:
            out[name] = None
            with errors:
                out[name] = spec.check(data[name], key)
        elif spec.default is REQUIRED:
            if name not in guessed:  # else "did you mean" names it already
                errors.add(key, "is required")
        else:
            out[name] = spec.default
    if outer is not None:
        outer.errors += errors.errors
    else:
        errors.done()
    return out


def got(given: Sequence[str]) -> str:
    """What a "give exactly one of" found: "(got none)", "(got `values` and `pattern`)"."""
    if not given:
        return "(got none)"
    names = [f"`{g}`" for g in given]
    return f"(got {', '.join(names[:-1])} and {names[-1]})" if len(names) > 1 else f"(got {names[0]})"


def join(prefix: str, name: Any) -> str:
    """The dotted key ``prefix.name`` (``name`` alone at the top level)."""
    return f"{prefix}.{name}" if prefix else str(name)


def close_match(word: Any, options: Iterable[str]) -> str | None:
    """The option ``word`` is most likely a misspelling of, or None."""
    if not isinstance(word, str):
        return None
    options = list(options)
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:  # a capital too many
        return lowered[word.lower()]
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    for option in options:  # two letters swapped: "gfi" is "gif", however short
        if option in swapped:
            return option
    # a typo seldom changes the first letter: "drak" is "dark", but "night" is not "light"
    same_start = [o for o in options if o[:1].lower() == word[:1].lower()]
    found = difflib.get_close_matches(word, same_start, n=max(1, len(same_start)), cutoff=0.7)
    if not found:
        return None
    # on a tie, the option listed first ("sobel": sobel_x, "conv": conv2d), not difflib's pick
    best = _likeness(word, found[0])
    return min((o for o in found if _likeness(word, o) == best), key=options.index)


def _likeness(word: str, option: str) -> float:
    return difflib.SequenceMatcher(None, option, word).ratio()  # get_close_matches' own measure


def unknown_key(name: str, value: Any, guess: str | None, fields: Mapping[str, Field]) -> str:
    """The message for an unknown key: the key or table it is probably a misspelling of, or the
    allowed ones."""
    if guess is not None:
        if isinstance(value, Mapping):
            return f"unknown table; did you mean [{guess}]?"
        return f"unknown key; did you mean `{guess}`?"
    return f"unknown key; allowed: {', '.join(fields)}"


def table_schema(fields: Mapping[str, Field], doc: str) -> dict[str, Any]:
    """JSON Schema of a table: every key documented, nothing else allowed."""
    props = {}
    for name, spec in fields.items():
        prop = dict(spec.schema)
        prop["description"] = spec.doc
        if spec.default is not REQUIRED and spec.default is not None and not callable(spec.default):
            prop["default"] = _jsonable(spec.default)
        props[name] = prop
    required = [n for n, s in fields.items() if s.default is REQUIRED]
    schema = {"type": "object", "description": doc, "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------- checks


def positive_int(value: Any, key: str, *, low: int = 1, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ScenarioError(key, f"must be a positive integer (got {show(value)}{quoted(value)})")
    if value < low:
        allowed = {0: "a non-negative integer", 1: "a positive integer"}.get(low, f"at least {low}")
        raise ScenarioError(key, f"must be {allowed} (got {value})")
    if high is not None and value > high:
        raise ScenarioError(key, f"must be at most {high} (got {value})")
    return int(value)


def pos_int(low: int = 1, high: int | None = None) -> Check:
    return lambda v, k: positive_int(v, k, low=low, high=high)


def int_schema(low: int = 1, high: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return schema


def pair(value: Any, key: str, *, low: int = 1, high: int | None = None) -> tuple[int, int]:
    """An int (same on both axes) or [rows, cols]."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ScenarioError(key, f"must be an integer or [rows, cols] (got {show(value)})")
        return (
            positive_int(value[0], f"{key}[0]", low=low, high=high),
            positive_int(value[1], f"{key}[1]", low=low, high=high),
        )
    n = positive_int(value, key, low=low, high=high)
    return (n, n)


def int_pair(low: int = 1, high: int | None = None) -> Check:
    return lambda v, k: pair(v, k, low=low, high=high)


def pair_schema(low: int = 1, high: int | None = None) -> dict[str, Any]:
    one = int_schema(low, high)
    return {"oneOf": [one, {"type": "array", "items": one, "minItems": 2, "maxItems": 2}]}


def number(value: Any, key: str) -> float:
    if not is_number(value):
        raise ScenarioError(key, f"must be a number (got {show(value)}{quoted(value)})")
    if not math.isfinite(float(value)):
        raise ScenarioError(key, f"must be a finite number (got {show(float(value))})")
    if abs(float(value)) > MAX_MAGNITUDE:
        raise ScenarioError(key, f"must be between -1e12 and 1e12, so sums stay exact enough (got {value:g})")
    return value.item() if isinstance(value, np.generic) else value


def positive_number(value: Any, key: str) -> float:
    value = number(value, key)
    if value <= 0:
        raise ScenarioError(key, f"must be a positive number (got {value})")
    return value


NUMBER_SCHEMA = {"type": "number"}


def matrix(value: Any, key: str, *, max_side: int = 512) -> np.ndarray:
    """A non-empty rectangular 2-D list (or numpy array) of finite numbers, as float64."""
    if isinstance(value, np.ndarray):
        if value.ndim != 2 or 0 in value.shape:
            raise ScenarioError(key, f"must be a non-empty 2-D array (got shape {value.shape})")
        if value.dtype.kind not in "iuf":
            raise ScenarioError(key, f"must hold numbers (got dtype {value.dtype})")
        arr = value.astype(np.float64)
        bad = np.argwhere(~np.isfinite(arr))
        if len(bad):
            r, c = bad[0]
            raise ScenarioError(f"{key}[{r}][{c}]", f"must be a finite number (got {arr[r, c]})")
        big = np.argwhere(np.abs(arr) > MAX_MAGNITUDE)
        if len(big):
            r, c = big[0]
            raise ScenarioError(f"{key}[{r}][{c}]", f"must be between -1e12 and 1e12 (got {arr[r, c]:g})")
    else:
        if not isinstance(value, (list, tuple)) or not value:
            raise ScenarioError(key, f"must be a non-empty list of rows (got {show(value)})")
        width = None
        for r, row in enumerate(value):
            if not isinstance(row, (list, tuple)) or not row:
                raise ScenarioError(f"{key}[{r}]", f"must be a non-empty list of numbers (got {show(row)})")
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise ScenarioError(
                    f"{key}[{r}]", f"has {len(row)} values but row 0 has {width}; rows must be equally long"
                )
            for c, v in enumerate(row):
                number(v, f"{key}[{r}][{c}]")
        arr = np.array(value, dtype=np.float64)
    if max(arr.shape) > max_side:
        raise ScenarioError(key, f"is {arr.shape[0]}×{arr.shape[1]}; at most {max_side} per side")
    arr.setflags(write=False)
    return arr


MATRIX_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "array", "minItems": 1, "items": {"type": "number"}},
}


def planes(value: Any, key: str, *, max_side: int = 512, max_planes: int = 64) -> np.ndarray:
    """A stack of equally sized matrices (C, rows, cols) from a 3-D list or array; a 2-D list or
    array is one plane."""
    if (isinstance(value, np.ndarray) and value.ndim == 3) or (
        isinstance(value, (list, tuple))
        and value
        and isinstance(value[0], (list, tuple))
        and (value[0] and isinstance(value[0][0], (list, tuple)))
    ):
        stack = [matrix(p, f"{key}[{i}]", max_side=max_side) for i, p in enumerate(value)]
    else:
        stack = [matrix(value, key, max_side=max_side)]
    if len(stack) > max_planes:
        raise ScenarioError(key, f"has {len(stack)} planes; at most {max_planes}")
    for i, p in enumerate(stack[1:], start=1):
        if p.shape != stack[0].shape:
            raise ScenarioError(
                f"{key}[{i}]",
                f"is {p.shape[0]}×{p.shape[1]} but plane 0 is {stack[0].shape[0]}×{stack[0].shape[1]}; "
                "planes must have one size",
            )
    arr = np.stack(stack)
    arr.setflags(write=False)
    return arr


PLANES_SCHEMA = {
    "oneOf": [
        {
            "type": "array",
            "minItems": 1,
            "items": {"type": "array", "minItems": 1, "items": {"type": "number"}},
        },
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "array", "minItems": 1, "items": {"type": "number"}},
            },
        },
    ]
}


def choices(options: Sequence[str], max_items: int) -> Check:
    """A non-empty list of names, each one of ``options``."""

    def check(value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not value:
            raise ScenarioError(key, f"must be a non-empty list of names (got {show(value)})")
        if len(value) > max_items:
            raise ScenarioError(key, f"at most {max_items} names (got {len(value)})")
        return tuple(choice(options)(v, f"{key}[{i}]") for i, v in enumerate(value))

    return check


def names(max_items: int, max_len: int = 12) -> Check:
    """A non-empty list of short one-line names."""

    def check(value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not value:
            raise ScenarioError(key, f"must be a non-empty list of names (got {show(value)})")
        if len(value) > max_items:
            raise ScenarioError(key, f"at most {max_items} names (got {len(value)})")
        return tuple(text(v, f"{key}[{i}]", max_len=max_len) for i, v in enumerate(value))

    return check


def boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(key, f"must be true or false (got {show(value)}{quoted(value)})")
    return value


BOOL_SCHEMA = {"type": "boolean"}


#: Unicode categories refused in one-line texts: controls (including the line and record separators
#: U+001C–U+001E and U+0085), invisible format characters, line and paragraph separators, surrogates,
#: private-use and unassigned code points. Text layout breaks or fails on them.
REFUSED_CATEGORIES = {
    "Cc": "control",
    "Cf": "format",
    "Zl": "line separator",
    "Zp": "paragraph separator",
    "Cs": "surrogate",
    "Co": "private-use",
    "Cn": "unassigned",
}


def text(value: Any, key: str, *, max_len: int = 200, drawn: bool = False) -> str:
    """A one-line string; ``drawn`` texts must also have every character in the pictures' font."""
    if not isinstance(value, str):
        raise ScenarioError(key, f"must be a string (got {show(value)})")
    if len(value) > max_len:
        raise ScenarioError(key, f"is {len(value)} characters long; at most {max_len}")
    if any(ch in value for ch in "\r\n\t"):
        raise ScenarioError(key, "must be a single line (no newlines or tabs)")
    for ch in value:
        kind = REFUSED_CATEGORIES.get(unicodedata.category(ch))
        if kind:
            raise ScenarioError(
                key, f"must be one line of visible text (got the {kind} character U+{ord(ch):04X})"
            )
    if drawn:
        missing = missing_glyphs(value)
        if missing:
            shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:3])
            raise ScenarioError(key, f"has characters the pictures' font (DejaVu Sans) cannot draw: {shown}")
    return value


def text_of(max_len: int, *, drawn: bool = False) -> Check:
    return lambda v, k: text(v, k, max_len=max_len, drawn=drawn)


def choice(options: Sequence[str]) -> Check:
    def check(value: Any, key: str) -> str:
        if not isinstance(value, str) or value not in options:
            allowed = ", ".join(repr(o) for o in options)
            raise ScenarioError(key, f"must be one of {allowed} (got {show(value)}){_guess(value, options)}")
        return value

    return check


def choice_schema(options: Sequence[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(options)}


def auto_or(check: Check) -> Check:
    """The string "auto" (kept as None) or a value that passes ``check``."""

    def wrapped(value: Any, key: str) -> Any:
        if value == "auto":
            return None
        try:
            return check(value, key)
        except ScenarioError as err:
            raise ScenarioError(
                err.key, f'{err.message.split(" (got")[0]} or "auto" (got {show(value)}{quoted(value)})'
            ) from None

    return wrapped


def auto_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"oneOf": [{"const": "auto"}, dict(schema)]}


def colour(value: Any, key: str) -> str:
    """A colour as ``#rrggbb`` (or a matplotlib/CSS colour name), normalised to lower-case hex."""
    if (
        isinstance(value, str)
        and len(value) == 7
        and value[0] == "#"
        and all(c in string.hexdigits for c in value[1:])
    ):
        return value.lower()  # without importing matplotlib: validating a file stays fast
    from matplotlib.colors import is_color_like, to_hex, to_rgba

    if (
        not isinstance(value, str)
        or not is_color_like(value)
        or value.lower() in ("none", "")
        or value.strip().lstrip("0123456789.") == ""
    ):
        raise ScenarioError(key, f'must be a colour such as "#e69f00" or "orange" (got {show(value)})')
    if to_rgba(value)[3] != 1:
        raise ScenarioError(key, f"must be an opaque colour (got {show(value)})")
    return to_hex(value)


COLOUR_SCHEMA = {"type": "string", "pattern": "^(#[0-9a-fA-F]{6}|[a-z]+)$"}


def colormap(value: Any, key: str) -> str:
    if value in ("gray", "PRGn"):  # the defaults, known without importing matplotlib
        return value
    import matplotlib

    if not isinstance(value, str) or value not in matplotlib.colormaps:
        raise ScenarioError(
            key, f'must be a matplotlib colormap name such as "gray", "viridis" or "PRGn" (got {show(value)})'
        )
    return value


def number_format(value: Any, key: str) -> str:
    """A Python format spec for floats, e.g. ".2f" or ".3g"."""
    ok = (
        isinstance(value, str)
        and value
        and all(ch in string.printable and ch not in "\t\n\r\x0b\x0c" for ch in value)
    )
    if ok:
        try:
            formatted = format(1.5, value)
            ok = bool(formatted) and len(formatted) < 20
        except (ValueError, TypeError):
            ok = False
    if not ok:
        raise ScenarioError(key, f'must be a Python format spec such as ".1f" or ".3g" (got {show(value)})')
    return value


def ms(value: Any, key: str) -> int:
    """A duration in ms: GIF stores centiseconds, so a multiple of 10 in [20, 60000]."""
    n = positive_int(value, key, low=1, high=60000)
    if n < 20:
        raise ScenarioError(key, f"must be at least 20 ms; browsers slow faster GIF frames down (got {n})")
    if n % 10:
        raise ScenarioError(key, f"must be a multiple of 10 ms, as GIF stores centiseconds (got {n})")
    return n


MS_SCHEMA = {"type": "integer", "minimum": 20, "maximum": 60000, "multipleOf": 10}


def bool_or_auto(value: Any, key: str) -> bool | None:
    if value == "auto":
        return None
    if not isinstance(value, bool):
        raise ScenarioError(key, f'must be true, false or "auto" (got {show(value)}{quoted(value)})')
    return value


BOOL_AUTO_SCHEMA = {"oneOf": [{"type": "boolean"}, {"const": "auto"}]}


def padding(value: Any, key: str) -> str | tuple[int, int, int, int]:
    """An int, [rows, cols], [top, bottom, left, right] (as (t, b, l, r)) or a padding name."""
    if isinstance(value, str):
        if value in ("valid", "same", "full"):
            return value
    elif isinstance(value, (list, tuple)) and len(value) in (2, 4):
        n = [positive_int(v, f"{key}[{i}]", low=0, high=64) for i, v in enumerate(value)]
        return (n[0], n[0], n[1], n[1]) if len(n) == 2 else (n[0], n[1], n[2], n[3])
    elif not isinstance(value, (list, tuple)):
        n = positive_int(value, key, low=0, high=64)
        return (n, n, n, n)
    raise ScenarioError(
        key,
        'must be an integer, [rows, cols], [top, bottom, left, right], "valid", "same" or "full" '
        f"(got {show(value)}{quoted(value)}){_guess(value, ('valid', 'same', 'full'))}",
    )


def _guess(value: Any, options: Sequence[str]) -> str:
    guess = close_match(value, options)
    return f"; did you mean {guess!r}?" if guess else ""


PADDING_SCHEMA = {
    "oneOf": [
        int_schema(0, 64),
        {"type": "array", "items": int_schema(0, 64), "minItems": 2, "maxItems": 2},
        {"type": "array", "items": int_schema(0, 64), "minItems": 4, "maxItems": 4},
        {"enum": ["valid", "same", "full"]},
    ]
}


def scale_pair(value: Any, key: str) -> tuple[float, float]:
    """A positive scale factor (≤ 16), the same on both axes or [rows, cols]."""
    items = value if isinstance(value, (list, tuple)) else [value, value]
    if len(items) != 2:
        raise ScenarioError(key, f"must be a number or [rows, cols] (got {show(value)})")
    out = []
    for i, v in enumerate(items):
        name = key if not isinstance(value, (list, tuple)) else f"{key}[{i}]"
        v = positive_number(v, name)
        if v > 16:
            raise ScenarioError(name, f"must be at most 16 (got {v})")
        out.append(float(v))
    return (out[0], out[1])


SCALE_SCHEMA = {
    "oneOf": [
        {"type": "number", "exclusiveMinimum": 0, "maximum": 16},
        {
            "type": "array",
            "items": {"type": "number", "exclusiveMinimum": 0, "maximum": 16},
            "minItems": 2,
            "maxItems": 2,
        },
    ]
}


def crop_box(value: Any, key: str) -> tuple[int, int, int, int]:
    """[top, left, height, width]: a non-empty box of whole pixels."""
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        raise ScenarioError(key, f"must be [top, left, height, width] (got {show(value)})")
    top, left = (positive_int(v, f"{key}[{i}]", low=0) for i, v in enumerate(value[:2]))
    height, width = (positive_int(v, f"{key}[{i + 2}]") for i, v in enumerate(value[2:]))
    return (top, left, height, width)


def number_at_least(low: float) -> Check:
    def check(value: Any, key: str) -> float:
        value = number(value, key)
        if value < low:
            raise ScenarioError(key, f"must be at least {low:g} (got {value:g})")
        return value

    return check


def number_between(low: float, high: float) -> Check:
    """A number in [low, high] (an int stays an int)."""

    def check(value: Any, key: str) -> float:
        value = number(value, key)
        if not low <= value <= high:
            raise ScenarioError(key, f"must be a number from {low:g} to {high:g} (got {value:g})")
        return value

    return check
