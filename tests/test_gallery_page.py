"""The gallery page (output/index.html) in Chromium: a small page of cards (still, title, links to
the GIF, the player page and the scenario); a card's player loads when the card nears the view,
plays while it is in view and pauses when it leaves."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest

import convanim
from convanim.cli import main
from convanim.export.gallery import Entry, index_html

from .helpers import small

SCENARIO = """title = "Card {n}"
[image]
pattern = "square"
size = {size}
[kernel]
preset = "mean"
[timing]
step_ms = 100
poster_ms = 300
final_ms = 700
"""
CARDS = 8


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("course")
    (repo / "animations").mkdir()
    for n in range(1, CARDS + 1):
        (repo / "animations" / f"card{n}.toml").write_text(SCENARIO.format(n=n, size=4 + n), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(repo)
        assert main(["--jobs", "1", "-q"], root=repo) == 0
    return repo / "output" / "index.html"


def alt_of(gallery, n: int) -> str:
    """The alt text of card n's scenario (the cards' images carry it)."""
    return convanim.load(gallery.parents[1] / "animations" / f"card{n}.toml").alt_text


def test_cards_link_to_every_file(gallery):
    page = gallery.read_text(encoding="utf-8")
    assert len(page.encode()) < 3_000 + 900 * CARDS  # no player data in the page (alt texts are)
    cards = re.findall(r'<li class="card" id="(card\d)" data-player="(card\d\.html)">', page)
    assert cards == [(f"card{n}", f"card{n}.html") for n in range(1, CARDS + 1)]
    for n in range(1, CARDS + 1):
        hrefs = re.findall(r'href="([^"]+)"', page.split(f'id="card{n}"')[1].split("</li>")[0])
        assert hrefs == [f"card{n}.gif", f"card{n}.html", f"../animations/card{n}.toml"]
        assert all((gallery.parent / href).is_file() for href in hrefs)
        assert (
            f'<img src="card{n}.png" alt="{escape(alt_of(gallery, n))}" ' in page
            and (gallery.parent / f"card{n}.png").is_file()
        )
        assert f"<h2>Card {n}</h2>" in page
    assert "convanim-data" not in page and "<iframe" not in page  # players come later, by script


def test_scenario_links_are_relative_to_the_output_folder(tmp_path):
    entry = Entry("a&b", small(title="<T>").frames(), tmp_path / "anims" / "a&b.toml")
    page = index_html([entry], tmp_path / "site" / "out")
    assert '<a href="../../anims/a%26b.toml">scenario</a>' in page and "<h2>&lt;T&gt;</h2>" in page
    assert index_html([Entry("a", small().frames())], tmp_path).count("scenario") == 0


def card_frame(w, n: int | str):
    """The Playwright frame of card n's player page, once the card shows it."""
    card = f"card{n}" if isinstance(n, int) else n
    w.page.locator(f"#{card} .view.live").wait_for()
    return w.page.locator(f"#{card} iframe").element_handle().content_frame()


PLAYER = "document.querySelector('.convanim-player')"


def test_players_play_only_in_view(gallery, open_page):
    w = open_page(gallery, width=1000, height=700, reduced_motion="no-preference")
    page = w.page
    assert page.locator(".card").count() == CARDS
    assert page.locator("#card1 img").evaluate("img => img.complete && img.naturalWidth") == 684
    first = card_frame(w, 1)
    first.wait_for_function(f"() => Number({PLAYER}.dataset.frame) >= 3")  # it plays by itself
    assert first.evaluate(f"() => {PLAYER}.dataset.frames") == "11"
    box = page.locator("#card1 iframe").bounding_box()
    main = "document.querySelector('main').getBoundingClientRect().height"  # what the page posts
    assert box["height"] == first.evaluate(f"() => Math.ceil({main})")
    assert page.locator(f"#card{CARDS} iframe, #card{CARDS - 1} iframe").count() == 0  # far below: not loaded

    page.locator(f"#card{CARDS}").scroll_into_view_if_needed()
    last = card_frame(w, CARDS)
    last.wait_for_function(f"() => Number({PLAYER}.dataset.frame) >= 3")
    first.wait_for_function(f"() => {PLAYER}.dataset.playing === 'false'")  # out of view: paused
    still = first.evaluate(f"() => {PLAYER}.dataset.frame")
    page.wait_for_timeout(600)  # six steps' worth: a playing player would have moved
    assert first.evaluate(f"() => {PLAYER}.dataset.frame") == still

    page.locator("#card1").scroll_into_view_if_needed()  # back in view: it goes on
    first.wait_for_function(f"() => {PLAYER}.dataset.playing === 'true'")
    last.wait_for_function(f"() => {PLAYER}.dataset.playing === 'false'")
    w.assert_clean()


def test_without_stills_the_cards_still_load_their_players(tmp_path, open_page, monkeypatch):
    """--format gif,html writes no PNG: a card hides its broken still and shows its player."""
    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "one.toml").write_text(SCENARIO.format(n=1, size=5), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--jobs", "1", "-q", "--format", "gif,html"], root=tmp_path) == 0
    assert not (tmp_path / "output" / "one.png").exists()
    w = open_page(tmp_path / "output" / "index.html", reduced_motion="no-preference")
    frame = card_frame(w, "one")
    frame.wait_for_function(f"() => Number({PLAYER}.dataset.frame) >= 3")
    assert w.page.locator("#one img").evaluate("img => img.hidden") is True
    assert w.errors == ["error: Failed to load resource: net::ERR_FILE_NOT_FOUND"] and w.requests == []
