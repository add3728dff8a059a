"""The ``convanim`` command: new, build (incremental, with its manifest), check, list, schema."""

import hashlib
import json
import tomllib

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim import cli
from convanim.command import main as convanim_main
from convanim.manifest import NAME as MANIFEST
from convanim.scenario import load, schema

from .helpers import ROOT

GOOD = """title = "Good {n}"
[image]
pattern = "square"
size = 5
[kernel]
preset = "mean"
[timing]
step_ms = 100
"""

PHOTO = """title = "Photo"
[image]
file = "photos/p.png"
[kernel]
preset = "mean"
[timing]
step_ms = 100
"""


GH = ("--format", "gif,html")  # the counts below are of these two formats (the default has more)


def _photo(path, shade: int) -> None:
    path.parent.mkdir(exist_ok=True)
    pixels = (np.arange(64).reshape(8, 8) * 3 + shade).astype(np.uint8)
    Image.fromarray(pixels, mode="L").save(path)


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course folder: two grid scenarios and one on a photograph, in animations/."""
    (tmp_path / "animations").mkdir()
    for n in (1, 2):
        (tmp_path / "animations" / f"good{n}.toml").write_text(GOOD.format(n=n))
    (tmp_path / "animations" / "photo.toml").write_text(PHOTO)
    _photo(tmp_path / "animations" / "photos" / "p.png", 0)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*argv, capsys):
    code = convanim_main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def built(lines):
    """The files a build wrote, from its summary lines."""
    return [line.split(":")[0] for line in lines if line.startswith("output/") and " frames, " in line]


def test_version_is_the_package_version(capsys):
    assert run("--version", capsys=capsys) == (0, [f"convanim {convanim.__version__}"], "")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "convanim.__version__"}


def test_help_lists_every_command(capsys):
    code, out, _ = run(capsys=capsys)
    assert code == 0 and out[0] == "usage: convanim [--version] COMMAND [ARGS ...]"
    listed = [line.split()[0] for line in out if line.startswith("  ") and not line.startswith("   ")]
    assert listed == ["build", "check", "list", "schema", "new", "watch"]


def test_bad_commands_and_flags_are_one_line_exit_2(course, capsys):
    assert run("frob", capsys=capsys) == (
        2,
        [],
        "convanim: unknown command 'frob'; commands: build, check, list, schema, new, watch (see --help)\n",
    )
    assert run("--frob", capsys=capsys)[2].startswith("convanim: unknown option '--frob'")
    assert run("build", *GH, "--bogus", capsys=capsys) == (
        2,
        [],
        "convanim build: unrecognized arguments: --bogus (see --help)\n",
    )
    assert run("check", *GH, "--force", capsys=capsys)[0] == 2  # check never skips
    assert run("build", *GH, "--jobs", "0", capsys=capsys) == (
        2,
        [],
        "convanim build: argument --jobs: must be a positive integer (got 0) (see --help)\n",
    )
    assert run("build", *GH, "nope.toml", capsys=capsys) == (
        2,
        [],
        "nope.toml: no such scenario file (scenarios in animations: good1, good2, photo)\n",
    )
    assert run("schema", "extra", capsys=capsys)[0] == 2
    assert not (course / "output").exists()


def test_new_writes_a_commented_starter_that_an_editor_can_check(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("new", "demo", capsys=capsys)
    assert (code, err) == (0, "")
    assert out == [
        "animations/demo.toml: new scenario, 27 frames (convanim build writes it)",
        "animations/convanim.schema.json: the JSON Schema of scenario files, for editors",
    ]
    text = (tmp_path / "animations" / "demo.toml").read_text()
    assert text.splitlines()[0] == "#:schema ./convanim.schema.json"
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 8  # commented
    assert json.loads((tmp_path / "animations" / "convanim.schema.json").read_text()) == schema()
    s = load(tmp_path / "animations" / "demo.toml")
    assert (s.title, s.image.values.shape, s.output_shape, s.n_frames) == (
        "Mean filter: a 3×3 average smooths sharp edges",
        (1, 7, 7),  # channels, rows, columns
        (5, 5),
        27,
    )
    assert s.stages[0].operation == "conv2d" and s.render.cell_px == 32 and s.timing.step_ms == 400
    assert run("new", "demo", capsys=capsys) == (
        2,
        [],
        "animations/demo.toml: already exists; choose another name or delete it first\n",
    )
    code, _, err = run("new", "two words", capsys=capsys)
    assert code == 2 and err.startswith("convanim new: argument NAME: 'two words' is not a usable name")
    code, out, _ = run("new", "again", capsys=capsys)  # the schema file is already there: not rewritten
    assert code == 0 and out == ["animations/again.toml: new scenario, 27 frames (convanim build writes it)"]


def uncomment(text: str, heading: str) -> str:
    """The starter with its alternative block ``heading`` ("# Or ...") uncommented as a whole and
    the block its heading names ("instead of the [kernel] block") commented out."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = lines.index("", start)
    lines[start + 1 : end] = [line.removeprefix("# ") for line in lines[start + 1 : end]]
    replaced = lines[start].split("instead of the ")[1].split(" block")[0]  # "[kernel]"
    first = lines.index(replaced)
    last = lines.index("", first)
    lines[first:last] = [f"# {line}" for line in lines[first:last]]
    return "\n".join(lines)


STARTER_ALTERNATIVES = {  # heading: (operation, input channels × rows × cols, output channels × rows × cols)
    "# Or a layer with channels": ("conv2d", (1, 7, 7), (2, 5, 5)),
    "# Or max pooling": ("max_pool2d", (1, 7, 7), (1, 6, 6)),
    "# Or your own numbers": ("conv2d", (1, 5, 6), (1, 3, 4)),
    "# Or a photograph": ("conv2d", (1, 36, 48), (1, 34, 46)),
    "# Or your own weights": ("conv2d", (1, 7, 7), (1, 5, 5)),
}


@pytest.mark.parametrize("heading", STARTER_ALTERNATIVES)
def test_each_alternative_of_the_starter_builds_on_the_first_edit(tmp_path, monkeypatch, capsys, heading):
    """Uncommenting an alternative as its comment says (and commenting out the block it
    replaces) gives a scenario that builds the first time."""
    monkeypatch.chdir(tmp_path)
    assert run("new", "demo", capsys=capsys)[0] == 0
    path = tmp_path / "animations" / "demo.toml"
    path.write_text(uncomment(path.read_text(), heading))
    if "photograph" in heading:  # the author's own photograph, where the starter says
        (tmp_path / "animations" / "photos").mkdir()
        Image.fromarray(np.arange(300 * 400).reshape(300, 400).astype(np.uint8) // 2, mode="L").save(
            tmp_path / "animations" / "photos" / "portrait.jpg"
        )
    code, out, err = run("build", "demo", "--format", "gif", "--jobs", "1", capsys=capsys)
    assert (code, err) == (0, "") and out[0].startswith("output/demo.gif: ")
    s = load(path)
    operation, image, output = STARTER_ALTERNATIVES[heading]
    assert (s.stages[0].operation, s.image.values.shape) == (operation, image)
    assert (s.stages[0].out_channels, *s.output_shape) == output


def test_the_starter_names_what_each_preset_finds_and_its_alternatives_are_whole_blocks():
    from convanim.kernels import PRESETS
    from convanim.starter import STARTER

    text = STARTER.format(schema_line="", name="demo")
    assert "sobel_x    vertical edges" in text and "sobel_y    horizontal edges" in text
    for preset in PRESETS:
        assert f"#   {preset} " in text or f"({preset}: " in text, preset
    headings = [line for line in text.splitlines() if line.startswith("# Or ")]
    assert sorted(headings) == sorted(
        next(line for line in text.splitlines() if line.startswith(h)) for h in STARTER_ALTERNATIVES
    )
    assert all("instead of the [" in line for line in headings)  # each names the block it replaces


def test_new_from_copies_a_scenario_with_the_schema_line(course, capsys):
    code, out, _ = run("new", "copy", "--from", "photo", capsys=capsys)
    assert code == 0 and out[0] == "animations/copy.toml: new scenario, 38 frames (convanim build writes it)"
    assert (course / "animations" / "copy.toml").read_text() == "#:schema ./convanim.schema.json\n" + PHOTO
    (course / "lectures").mkdir()
    code, out, err = run("new", "lectures/far.toml", "--from", "photo", capsys=capsys)
    assert (code, out) == (2, [])
    assert err == (
        "--from: the copy would not load: lectures/far.toml:4: image.file: no such file "
        "'lectures/photos/p.png'\n"
    )
    assert not (course / "lectures" / "far.toml").exists()
    assert run("new", "x", "--from", "animations", capsys=capsys)[2] == (
        "--from: animations is a folder; give one scenario file\n"
    )
    assert run("new", "x", "--from", "nope", capsys=capsys)[2] == (
        "--from: animations/nope.toml: no such scenario file (scenarios in animations: copy, good1, good2, photo)\n"
    )


def test_build_skips_what_is_up_to_date_and_rebuilds_what_changed(course, capsys, monkeypatch):
    every = [
        "output/good1.gif",
        "output/good1.html",
        "output/good2.gif",
        "output/good2.html",
        "output/photo.gif",
        "output/photo.html",
    ]
    code, out, err = run("build", *GH, "--jobs", "1", capsys=capsys)
    assert (code, err) == (0, "") and built(out) == every
    assert out[-1] == "output/index.html: 3 players, " + out[-1].split(", ")[1]
    first = {p.name: p.read_bytes() for p in (course / "output").iterdir()}
    assert MANIFEST in first

    code, out, _ = run("build", *GH, "--jobs", "1", capsys=capsys)
    assert code == 0 and out == [
        "6 up to date, skipped (--force rebuilds them): good1.gif, good1.html, good2.gif, good2.html, "
        "photo.gif, photo.html",
        "output/index.html: up to date",
    ]
    # the same bytes written again (a touch, an editor's save): nothing to do
    scenario = course / "animations" / "good1.toml"
    scenario.write_bytes(scenario.read_bytes())
    assert built(run("build", *GH, "--jobs", "1", capsys=capsys)[1]) == []

    scenario.write_text(GOOD.format(n=1).replace("Good 1", "Better 1"))
    code, out, _ = run("build", *GH, "--jobs", "1", capsys=capsys)
    assert code == 0 and built(out) == ["output/good1.gif", "output/good1.html"]
    assert (
        out[0]
        == "4 up to date, skipped (--force rebuilds them): good2.gif, good2.html, photo.gif, photo.html"
    )
    assert out[-1].startswith("output/index.html: 3 players, ")
    assert "Better 1" in (course / "output" / "good1.html").read_text()
    assert (course / "output" / "good2.gif").read_bytes() == first["good2.gif"]

    _photo(course / "animations" / "photos" / "p.png", 40)  # the photograph changes
    assert built(run("build", *GH, "--jobs", "1", capsys=capsys)[1]) == [
        "output/photo.gif",
        "output/photo.html",
    ]

    (course / "output" / "good2.gif").unlink()  # an output deleted or edited by hand
    (course / "output" / "good2.html").write_text("edited")
    assert built(run("build", *GH, "--jobs", "1", capsys=capsys)[1]) == [
        "output/good2.gif",
        "output/good2.html",
    ]
    assert (course / "output" / "good2.gif").read_bytes() == first["good2.gif"]

    monkeypatch.setattr(convanim, "__version__", "99.0")  # another convanim: everything again
    code, out, _ = run("build", *GH, "--jobs", "1", capsys=capsys)
    assert built(out) == every and out[-1].startswith("output/index.html: 3 players")
    assert (
        json.loads((course / "output" / MANIFEST).read_text())["outputs"]["good1.gif"]["inputs"]["convanim"]
        == "99.0"
    )

    code, out, _ = run("build", *GH, "--jobs", "1", "--force", capsys=capsys)
    assert built(out) == every and out[-1].startswith("output/index.html: 3 players")
    assert run("check", *GH, capsys=capsys)[:2] == (0, ["7 files up to date"])


def test_a_broken_scenario_keeps_its_files_and_the_gallery(course, capsys):
    (course / "animations" / "photo.toml").unlink()
    assert run("build", *GH, "--jobs", "1", "-q", capsys=capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in (course / "output").iterdir()}
    (course / "animations" / "good1.toml").write_text(GOOD.format(n=1).replace("size = 5", "size = 0"))
    (course / "animations" / "good3.toml").write_text(GOOD.format(n=3))
    code, out, err = run("build", *GH, "--jobs", "1", capsys=capsys)
    assert (code, err) == (2, "animations/good1.toml:4: image.size: must be a positive integer (got 0)\n")
    assert out == [  # no "up to date" line on a run that refused a file
        out[0],
        out[1],
        "output/index.html: kept as it was while a scenario has errors",
    ]
    assert built(out) == ["output/good3.gif", "output/good3.html"]
    after = {p.name: p.read_bytes() for p in (course / "output").iterdir()}
    assert {k: v for k, v in after.items() if not k.startswith(("good3", "."))} == {
        k: v for k, v in before.items() if not k.startswith(".")
    }


def test_a_first_build_with_a_broken_scenario_still_writes_the_gallery(course, capsys):
    (course / "animations" / "photo.toml").write_text("title = 1\n")
    code, out, err = run("build", *GH, "--jobs", "1", capsys=capsys)
    assert (code, err) == (
        2,
        "animations/photo.toml:1: title: must be a string (got 1)\nanimations/photo.toml: image: is required\n",
    )
    assert out[-1].startswith("output/index.html: 2 players, ")
    assert 'id="good1"' in (course / "output" / "index.html").read_text()


def test_a_companion_file_is_part_of_its_output(course, capsys):
    assert built(run("build", "good1", "--format", "beamer", "--jobs", "1", capsys=capsys)[1]) == [
        "output/good1.tex"
    ]
    frames = course / "output" / "good1-frames.pdf"
    first = frames.read_bytes()
    assert built(run("build", "good1", "--format", "beamer", capsys=capsys)[1]) == []
    frames.unlink()  # the frames PDF the .tex includes
    assert built(run("build", "good1", "--format", "beamer", capsys=capsys)[1]) == ["output/good1.tex"]
    assert frames.read_bytes() == first


def test_options_are_inputs_too(course, capsys):
    assert built(run("build", "good1", "--format", "gif", "--jobs", "1", capsys=capsys)[1]) == [
        "output/good1.gif"
    ]
    assert built(run("build", "good1", "--format", "gif", "--max-frames", "40", capsys=capsys)[1]) == [
        "output/good1.gif"
    ]
    assert built(run("build", "good1", "--format", "gif", "--max-frames", "40", capsys=capsys)[1]) == []
    assert built(run("build", "good1", "--format", "png", capsys=capsys)[1]) == ["output/good1.png"]
    assert built(run("build", "good1", "--format", "png", "--frame", "3", capsys=capsys)[1]) == [
        "output/good1.png"
    ]
    assert built(run("build", "good1", "--format", "png", "--frame", "3", capsys=capsys)[1]) == []


def test_build_writes_what_generate_py_writes(course, capsys):
    assert cli.main(["--jobs", "1", "-q", "--out", "reference", *GH], root=course) == 0
    assert run("build", *GH, "--jobs", "1", "-q", capsys=capsys) == (0, [], "")
    reference = {p.name: p.read_bytes() for p in (course / "reference").iterdir()}
    ours = {p.name: p.read_bytes() for p in (course / "output").iterdir() if p.name != MANIFEST}
    assert ours == reference and len(ours) == 7


def test_check_never_trusts_the_manifest(course, capsys):
    (course / "animations" / "photo.toml").unlink()  # grids only: faster
    assert run("build", *GH, "--jobs", "1", "-q", capsys=capsys)[0] == 0
    # an edit the manifest cannot see: a stale output whose record claims it is fresh
    gif = course / "output" / "good1.gif"
    gif.write_bytes(gif.read_bytes()[:-1] + b"\x00")
    book = json.loads((course / "output" / MANIFEST).read_text())
    book["outputs"]["good1.gif"]["output_sha256"] = hashlib.sha256(gif.read_bytes()).hexdigest()
    (course / "output" / MANIFEST).write_text(json.dumps(book))
    assert run("build", *GH, "--jobs", "1", capsys=capsys)[1][0].startswith("4 up to date")  # build trusts it
    code, out, _ = run("check", *GH, capsys=capsys)
    assert (code, out) == (1, ["output/good1.gif: differs from a fresh run"])
    assert run("build", *GH, "--jobs", "1", "--force", "-q", capsys=capsys)[0] == 0
    assert run("check", *GH, capsys=capsys)[:2] == (0, ["5 files up to date"])


def test_a_damaged_manifest_rebuilds_everything(course, capsys):
    (course / "animations" / "photo.toml").unlink()
    assert run("build", *GH, "--jobs", "1", "-q", capsys=capsys)[0] == 0
    (course / "output" / MANIFEST).write_text("{not json")
    assert len(built(run("build", *GH, "--jobs", "1", capsys=capsys)[1])) == 4
    assert json.loads((course / "output" / MANIFEST).read_text())["manifest"] == 1


def test_folders_and_out_for_a_course_layout(course, capsys):
    (course / "lectures" / "week1").mkdir(parents=True)
    (course / "lectures" / "week1" / "blur.toml").write_text(GOOD.format(n=7))
    code, out, _ = run("build", *GH, "lectures/week1", "--out", "site/figures", "--jobs", "1", capsys=capsys)
    assert code == 0 and [line.split(":")[0] for line in out] == [
        "site/figures/blur.gif",
        "site/figures/blur.html",
        "site/figures/index.html",  # a whole folder: its gallery too
    ]
    code, out, _ = run(
        "build", *GH, "lectures/week1/blur.toml", "--out", "only", "--jobs", "1", capsys=capsys
    )
    assert [line.split(":")[0] for line in out] == ["only/blur.gif", "only/blur.html"]  # a file: no gallery
    code, out, _ = run("list", "lectures/week1", capsys=capsys)
    assert out == ["name  title   operation  frames", "blur  Good 7  conv2d     11"]
    code, out, err = run("build", *GH, "lectures", "--jobs", "1", capsys=capsys)
    assert (code, err) == (2, "lectures: no scenario files (*.toml) found\n")


def test_schema_command(capsys):
    code, out, _ = run("schema", capsys=capsys)
    assert code == 0 and json.loads("\n".join(out)) == schema()


def test_the_gallery_page_remakes_only_the_cards_of_what_changed(course, capsys, monkeypatch):
    assert run("build", "--format", "html", "--jobs", "1", "-q", capsys=capsys)[0] == 0
    (course / "animations" / "good1.toml").write_text(GOOD.format(n=1).replace("Good 1", "Better 1"))
    made = []
    original = convanim.Scenario.frames
    monkeypatch.setattr(convanim.Scenario, "frames", lambda s: made.append(s.name) or original(s))
    assert run("build", "--format", "html", "--jobs", "1", "-q", capsys=capsys)[0] == 0
    assert made == ["good1"]  # the gallery made good1's card again, and kept the two others
    page = (course / "output" / "index.html").read_text()
    assert "Better 1" in page and "Good 1" not in page
    # the same page as a build from scratch writes
    assert cli.main(["--jobs", "1", "-q", "--out", "fresh", "--format", "html"], root=course) == 0
    assert page == (course / "fresh" / "index.html").read_text()
    # a page edited by hand is not trusted: every card is made again
    (course / "output" / "index.html").write_text(page.replace("Good 2", "Hand-edited"))
    (course / "animations" / "good1.toml").write_text(GOOD.format(n=1))
    made.clear()
    assert run("build", "--format", "html", "--jobs", "1", "-q", capsys=capsys)[0] == 0
    assert sorted(made) == ["good1", "good2", "photo"]
    assert "Hand-edited" not in (course / "output" / "index.html").read_text()
