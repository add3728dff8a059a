"""What a hostile test found (issue 11): texts that break text layout, odd files and values, and the
classes of bug behind them."""

import pytest

import convanim

SQUARE = {"pattern": "square", "size": 5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Rows\u001cand columns", "must be one line of visible text (got the control character U+001C)"),
        ("Rows\u001dand", "must be one line of visible text (got the control character U+001D)"),
        ("Rows\u001eand", "must be one line of visible text (got the control character U+001E)"),
        ("Rows\u0085and", "must be one line of visible text (got the control character U+0085)"),
        ("Rows\u2028and", "must be one line of visible text (got the line separator character U+2028)"),
        ("Rows\u2029and", "must be one line of visible text (got the paragraph separator character U+2029)"),
        ("a\u200db", "must be one line of visible text (got the format character U+200D)"),
        ("bell\u0007", "must be one line of visible text (got the control character U+0007)"),
        ("\ue000", "must be one line of visible text (got the private-use character U+E000)"),
        (
            "卷积 filter",
            "has characters the pictures' font (DejaVu Sans) cannot draw: '卷' (U+5377), '积' (U+79EF)",
        ),
        (
            "\U0001f1eb\U0001f1f7 flag",
            "has characters the pictures' font (DejaVu Sans) cannot draw: '🇫' (U+1F1EB), '🇷' (U+1F1F7)",
        ),
    ],
)
@pytest.mark.parametrize("key", ["title", "caption"])
def test_one_line_texts_refuse_what_text_layout_cannot_draw(key, text, message):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=SQUARE, kernel={"preset": "mean"}, **{key: text})
    assert str(err.value) == f"{key}: {message}"


def test_texts_the_font_draws_are_accepted_and_painted_without_warnings():
    title = "Glättung × Ω ∑ → ½ שלום ☃"  # the suite turns any warning into an error
    s = convanim.Scenario(image=SQUARE, kernel={"preset": "mean"}, title=title, caption="café")
    assert s.to_bytes("gif")[:6] == b"GIF89a"
