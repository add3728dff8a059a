"""export/minify.py: the player's script squeezed without changing a token."""

from __future__ import annotations

import pytest

from convanim.export.minify import squeeze


def test_spaces_by_punctuation_and_indentation_go():
    js = "function f(a, b) {\n  var c = a + b;\n  return c;\n}\n"
    assert squeeze(js) == "function f(a,b){var c=a+b;return c}"


def test_strings_and_regular_expressions_are_kept_as_written():
    js = "var s = \"a , b // c\", t = 'x ; }';\nvar r = /[/ ]+\\/ x/g, d = a / b / c;\nreturn /a b/.test(s);"
    assert squeeze(js) == "var s=\"a , b // c\",t='x ; }';var r=/[/ ]+\\/ x/g,d=a/b/c;return/a b/.test(s);"


def test_comments_go_and_signs_stay_apart():
    js = "x = a - -b;  // minus a negative\n/* a block */ y = c + +d;\n"
    assert squeeze(js) == "x=a- -b;y=c+ +d;"


def test_line_breaks_stay_where_semicolon_insertion_may_need_them():
    js = "a = b\n(c)\nif (x) {\n  y()\n}\nz()\n}\n}\n"
    assert squeeze(js) == "a=b\n(c)\nif(x){y()\n}z()\n}}"


def test_an_arrow_function_s_one_parameter_loses_its_parentheses():
    js = 'a.map((v) => v + 1); b.forEach((x, i) => { f(x); }); g("(s) => t", () => 0); return (y) => y;'
    assert squeeze(js) == 'a.map(v=>v+1);b.forEach((x,i)=>{f(x)});g("(s) => t",()=>0);return y=>y;'


def test_escapes_of_printable_characters_become_the_characters():
    js = 'var a = "\\u2026\\u00d7", b = "\\u2028\\u0041\\\\u2026";'
    assert squeeze(js) == 'var a="…×",b="\\u2028\\u0041\\\\u2026";'


def test_template_literals_are_refused():
    with pytest.raises(ValueError, match="template literals"):
        squeeze("var a = `x`;")
