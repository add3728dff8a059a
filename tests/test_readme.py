"""The README documents every scenario key and shows the gallery."""

import re

from convanim.scenario import (
    IMAGE_FIELDS,
    KERNEL_FIELDS,
    RECEPTIVE_FIELDS,
    RENDER_FIELDS,
    TIMING_FIELDS,
    TOP_FIELDS,
)

from .helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_scenario_key_has_a_row():
    rows = set(re.findall(r"^\| `([a-z_.]+)` \|", README, flags=re.M))
    keys = {k for k in TOP_FIELDS if k not in ("image", "kernel", "receptive_field", "render", "timing")}
    for table, fields in (
        ("image", IMAGE_FIELDS),
        ("kernel", KERNEL_FIELDS),
        ("receptive_field", RECEPTIVE_FIELDS),
        ("render", RENDER_FIELDS),
        ("timing", TIMING_FIELDS),
    ):
        keys |= {f"{table}.{k}" for k in fields}
    assert keys <= rows, f"undocumented keys: {sorted(keys - rows)}"


def test_the_gallery_gifs_are_shown():
    for path in sorted((ROOT / "animations").glob("*.toml")):
        assert f"(output/{path.stem}.gif)" in README
    assert README.index("output/convol_mean.gif") < README.index("## ")  # at the top


def test_the_readme_scenario_snippets_load(tmp_path):
    """Every ```toml block that declares an image is a valid scenario."""
    import convanim

    blocks = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    loaded = 0
    for i, block in enumerate(blocks):
        if "[image]" in block:
            path = tmp_path / f"snippet{i}.toml"
            path.write_text(block, encoding="utf-8")
            convanim.load(path)
            loaded += 1
    assert loaded >= 2


def test_every_format_is_documented():
    from convanim import export

    table = README[README.index("## Slides, print and video") :]
    for name in export.formats():
        assert f"`{name}`" in README, name
    for name in export.formats():
        if name not in export.gallery_formats():
            assert f"`{name}`" in table, name


def test_the_beamer_snippet_shown_is_what_convol_mean_writes():
    import convanim

    block = README[README.index("```latex\n% convanim") + len("```latex\n") :]
    shown = block[: block.index("```")].splitlines()
    written = convanim.load(ROOT / "animations" / "convol_mean.toml").to_bytes("beamer").decode().splitlines()
    head = shown[: shown.index("…")]
    tail = shown[shown.index("…") + 1 :]
    assert written[: len(head)] == head
    assert written[-len(tail) :] == tail
