"""The locator: the line of a key path in TOML text, for ``file:line:`` messages."""

import tomllib

import pytest

from convanim.tomlpos import key_lines, line_of, split_key, toml_error

TEXT = """\
#:schema ./convanim.schema.json
title = "a # not a comment" # a comment
image.size = 5
"quoted key" = 'x'
s = \"\"\"two
lines with \\" and "" quotes\"\"\"
[render]
theme = "dark"

[[stages]]
operation = "conv2d"
kernel = {preset = "mean", size = [3,
   3]}
[[stages]]
operation = "conv2d"
[stages.kernel]
values = [
  [1, 2],  # row 0
  [3, 4],
]
[[stages.filters]]
bias = 1
[[stages.filters]]
bias = 2
[timing]
"step_ms" = 100
"""


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("title", 2),
        ("image", 3),  # a dotted key opens its table where it is written
        ("image.size", 3),
        ("quoted key", 4),
        ("render", 7),  # a table header
        ("render.theme", 8),
        ("render.scale", 7),  # not written: its table's header
        ("stages", 10),
        ("stages[0]", 10),  # the entries of an array of tables, counted
        ("stages[0].kernel.preset", 12),  # an inline table
        ("stages[0].kernel.size[1]", 13),  # an element of an array over two lines
        ("stages[1].operation", 15),
        ("stages[1].kernel", 16),  # [stages.kernel]: the last [[stages]] entry's
        ("stages[1].kernel.preset", 16),
        ("stages[1].kernel.values[1]", 19),
        ("stages[1].kernel.values[1][0]", 19),
        ("stages[1].filters[1].bias", 24),
        ("timing.step_ms", 26),  # a quoted key
        ("kernel", None),  # nowhere
        ("kernel.size", None),
    ],
)
def test_each_key_path_is_found_on_its_line(key, line):
    assert tomllib.loads(TEXT)["stages"][1]["filters"][1]["bias"] == 2  # the text is valid TOML
    assert line_of(key_lines(TEXT), key) == line


def test_key_paths_split_into_names_and_indices():
    assert split_key("stages[1].kernel.values[2][0]") == ("stages", 1, "kernel", "values", 2, 0)
    assert split_key("image") == ("image",)


def test_text_that_is_not_toml_gives_the_lines_read_so_far():
    assert key_lines("a = 1\nb = [1, \n") == {("a",): 1, ("b",): 2, ("b", 0): 2}


def test_tomllib_errors_give_their_line_apart():
    with pytest.raises(tomllib.TOMLDecodeError) as err:
        tomllib.loads("a = 1\nb = \n")
    assert toml_error(err.value) == (2, "Invalid value (column 5)")
