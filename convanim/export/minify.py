"""The player's script made smaller without changing a token: comments, indentation and the spaces
next to punctuation go; strings and regular expressions are kept as written.

Only what ``templates/player.js`` is written in is supported (no template literals: they are
refused); the browser tests run the squeezed script, so a mistake here fails them. A minifier that
renames (terser) would need Node at export time; this keeps the page's bytes within the size
budget (bench/README.md) with Python alone.
"""

from __future__ import annotations

import re

PUNCTUATION = frozenset("{}()[];,=+-*/%<>!&|?:")
#: an arrow function's one parameter in parentheses, which it does not need
_ONE_PARAMETER = re.compile(r"\(\s*([A-Za-z_$][\w$]*)\s*\)\s*=>")
#: after these (the last character written) a "/" starts a regular expression, not a division
REGEX_AFTER = frozenset("(,=:[!&|?{};\n")


def squeeze(js: str) -> str:
    """``js`` without comments, indentation, spaces next to punctuation, semicolons before "}" and
    the parentheses around an arrow function's one parameter;
    line breaks stay where automatic semicolon insertion may need them (not after ";", "{" or ","
    nor between a block's "}" and a word), so the lines read as before."""
    out: list[str] = []
    i, n = 0, len(js)

    def last() -> str:
        return out[-1][-1] if out else "\n"

    while i < n:
        ch = js[i]
        if ch in "\"'":
            j = i + 1
            while js[j] != ch:
                j += 2 if js[j] == "\\" else 1
            out.append(_literal(js[i : j + 1]))
            i = j + 1
        elif js.startswith("//", i):
            i = js.find("\n", i) if "\n" in js[i:] else n
        elif js.startswith("/*", i):
            i = js.index("*/", i) + 2
        elif ch == "/" and (last() in REGEX_AFTER or "".join(out[-7:]).endswith("return")):
            j, in_class = i + 1, False
            while in_class or js[j] != "/":
                if js[j] == "\\":
                    j += 1
                elif js[j] in "[]":
                    in_class = js[j] == "["
                j += 1
            j += 1
            while j < n and js[j].isalpha():  # flags
                j += 1
            out.append(js[i:j])
            i = j
        elif ch in " \t":
            j = i
            while j < n and js[j] in " \t":
                j += 1
            before, after = last(), js[j] if j < n else "\n"
            keep = before not in PUNCTUATION and before != "\n" and after not in PUNCTUATION and after != "\n"
            if keep or (before in "+-" and after == before):  # "a - -b" stays two minus signs
                out.append(" ")
            i = j
        elif ch == "\n":
            j = i
            while j < n and js[j] in " \t\n":
                j += 1
            after = js[j] if j < n else ""
            # no break after a statement or a list that goes on, nor between a block's "}" and a
            # word or another "}" (were the "}" an expression's, the joined lines would not parse)
            if last() not in "\n;{," and not (last() == "}" and (after.isalpha() or after == "}")):
                out.append("\n")
            i += 1
        elif ch == "}" and out and out[-1] == ";":  # "x;}" is "x}": the block ends the statement
            out[-1] = "}"
            i += 1
        elif ch == "(" and (arrow := _ONE_PARAMETER.match(js, i)):  # "(x) =>" is "x=>"
            word = last().isalnum() or last() in "_$"  # "return (x) =>": the space stays
            out.append((" " if word else "") + arrow.group(1) + "=>")
            i = arrow.end()
        elif ch == "`":
            raise ValueError("minify: template literals are not supported")
        else:
            out.append(ch)
            i += 1
    return "".join(out).strip()


def _literal(string: str) -> str:
    """A string literal with its \\uXXXX escapes of printable characters written as the characters
    (the page is UTF-8: "…" is 3 bytes, not 6); line and paragraph separators stay escaped."""
    return re.sub(r"(?<!\\)\\u([0-9a-fA-F]{4})", _char, string)


def _char(m: re.Match[str]) -> str:
    ch = chr(int(m.group(1), 16))
    keep = ch.isprintable() and ch not in "\"'\\" and not 0xD800 <= ord(ch) <= 0xDFFF and ord(ch) > 0x7E
    return ch if keep else m.group()
