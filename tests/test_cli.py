"""The CLI: exit codes, one-line messages, atomic writes, --list, --check, --schema, --jobs."""

import json
import shutil

import pytest

from convanim.cli import main

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


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A course repository with two good scenarios, an animations/ and an output/ folder."""
    (tmp_path / "animations").mkdir()
    for n in (1, 2):
        (tmp_path / "animations" / f"good{n}.toml").write_text(GOOD.format(n=n))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(repo, *args, capsys):
    code = main(["--jobs", "1", "--format", "gif", *args], root=repo)
    out, err = capsys.readouterr()
    return code, out, err


def test_generates_every_scenario_with_a_summary_line(repo, capsys):
    code, out, err = run(repo, capsys=capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert (
        len(lines) == 2 and lines[0].startswith("output/good1.gif: 11 frames, ") and lines[0].endswith(" s")
    )
    assert sorted(p.name for p in (repo / "output").iterdir()) == ["good1.gif", "good2.gif"]


def test_bad_scenario_one_line_exit_2_good_ones_still_written(repo, capsys):
    (repo / "animations" / "bad.toml").write_text(
        GOOD.format(n=3).replace('preset = "mean"', 'preset = "mean"\nsize = 0')
    )
    code, out, err = run(repo, capsys=capsys)
    assert code == 2
    assert err == "animations/bad.toml:7: kernel.size: must be a positive integer (got 0)\n"
    assert "Traceback" not in out + err
    assert sorted(p.name for p in (repo / "output").iterdir()) == ["good1.gif", "good2.gif"]


def test_all_failures_are_listed_at_the_end(repo, capsys):
    (repo / "animations" / "bad1.toml").write_text("title = 1\n")
    (repo / "animations" / "bad2.toml").write_text("title = \n")
    code, _, err = run(repo, capsys=capsys)
    lines = err.splitlines()
    assert code == 2 and lines == [
        "animations/bad1.toml:1: title: must be a string (got 1)",
        "animations/bad1.toml: image: is required",  # not written: no line
        "animations/bad2.toml:1: invalid TOML: Invalid value (column 9)",
    ]


def test_failed_regeneration_keeps_the_earlier_output(repo, capsys):
    assert run(repo, capsys=capsys)[0] == 0
    before = (repo / "output" / "good1.gif").read_bytes()
    (repo / "animations" / "good1.toml").write_text(GOOD.format(n=1).replace("size = 5", "size = 2"))
    code, _, err = run(repo, "good1", capsys=capsys)
    assert (
        code == 2
        and err
        == "animations/good1.toml:5: kernel.size: the 3×3 kernel is larger than the 2×2 image; "
        "padding = 1 would make it fit\n"
    )
    assert (repo / "output" / "good1.gif").read_bytes() == before
    assert not [p for p in (repo / "output").iterdir() if p.name.startswith(".")]  # no partial file


def test_write_failure_leaves_no_partial_file(repo, capsys, monkeypatch):
    from convanim import export

    def broken(frames, fh):
        fh.write(b"GIF89a half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(export._REGISTRY, "gif", export.Exporter("gif", ".gif", broken))
    code, _, err = run(repo, "good1", capsys=capsys)
    assert code == 2 and err == "output/good1.gif: cannot write: No space left on device\n"
    assert list((repo / "output").iterdir()) == []


def test_names_and_paths_select_scenarios(repo, capsys):
    code, out, _ = run(repo, "good2", str(repo / "animations" / "good1.toml"), capsys=capsys)
    assert code == 0 and [line.split(":")[0] for line in out.splitlines()] == [
        "output/good2.gif",
        "output/good1.gif",
    ]


def test_unknown_scenario_names_the_known_ones(repo, capsys):
    code, _, err = run(repo, "nope", capsys=capsys)
    assert (
        code == 2
        and err == "animations/nope.toml: no such scenario file (scenarios in animations: good1, good2)\n"
    )


def test_bad_flags_exit_2_with_one_line(repo, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--format", "bmp"], root=repo)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("generate.py: argument --format: unknown format 'bmp'; available: gif")
        and err.count("\n") == 1
    )
    with pytest.raises(SystemExit) as exc:
        main(["--jobs", "0"], root=repo)
    assert exc.value.code == 2
    assert (
        capsys.readouterr().err
        == "generate.py: argument --jobs: must be a positive integer (got 0) (see --help)\n"
    )


def test_out_dir_and_quiet(repo, capsys):
    code, out, err = run(repo, "--out", str(repo / "elsewhere"), "--quiet", capsys=capsys)
    assert code == 0 and out == "" and err == ""
    assert sorted(p.name for p in (repo / "elsewhere").iterdir()) == ["good1.gif", "good2.gif"]


def test_list(repo, capsys):
    code, out, _ = run(repo, "--list", capsys=capsys)
    assert code == 0
    assert out.splitlines() == [
        "name   title   operation  frames",
        "good1  Good 1  conv2d     11",
        "good2  Good 2  conv2d     11",
    ]


def test_limits_are_enforced_and_raised_by_flags(repo, capsys):
    code, _, err = run(repo, "good1", "--max-frames", "10", capsys=capsys)
    assert code == 2
    assert err == (
        "animations/good1.toml:2: image: a 5×5 image needs 11 frames (9 steps); the limit is 10 "
        "(raise it with --max-frames)\n"
    )
    assert run(repo, "good1", "--max-frames", "11", capsys=capsys)[0] == 0


def test_check_reports_missing_changed_and_stale_files(repo, capsys):
    code, out, _ = run(repo, "--check", capsys=capsys)
    assert code == 1 and out.splitlines() == ["output/good1.gif: missing", "output/good2.gif: missing"]
    assert not (repo / "output").exists()  # --check writes nothing
    run(repo, capsys=capsys)
    code, out, _ = run(repo, "--check", capsys=capsys)
    assert code == 0 and out == "2 files up to date\n"
    (repo / "output" / "good2.gif").write_bytes(b"GIF89a")
    shutil.copy(repo / "output" / "good1.gif", repo / "output" / "old.gif")
    code, out, _ = run(repo, "--check", capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "output/good2.gif: differs from a fresh run",
        "output/old.gif: no scenario writes this file",
    ]


def test_check_of_one_format_leaves_other_formats_files_alone(repo, capsys):
    assert run(repo, "--format", "png,storyboard-png", "-q", capsys=capsys)[0] == 0
    (repo / "output" / "old.png").write_bytes(b"")
    code, out, _ = run(repo, "--format", "png", "--check", capsys=capsys)
    assert code == 1
    assert out.splitlines() == ["output/old.png: no scenario writes this file"]  # not good1.storyboard.png


def test_two_runs_write_identical_bytes_with_a_process_pool(repo, capsys):
    assert main(["--jobs", "2", "--format", "gif", "-q"], root=repo) == 0
    first = {p.name: p.read_bytes() for p in (repo / "output").iterdir()}
    assert main(["--jobs", "2", "--format", "gif", "-q", "--out", str(repo / "again")], root=repo) == 0
    second = {p.name: p.read_bytes() for p in (repo / "again").iterdir()}
    assert first == second and len(first) == 2


def test_schema_is_json(capsys):
    assert main(["--schema"], root=ROOT) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "convanim scenario" and "kernel" in schema["properties"]


def test_list_names_a_chain_by_its_operations(repo, capsys):
    (repo / "animations" / "chain.toml").write_text(
        'title = "C"\n[image]\npattern = "square"\nsize = 6\n[[stages]]\noperation = "relu"\n'
        '[[stages]]\noperation = "max_pool2d"\nkernel_size = 2\n'
    )
    code, out, err = run(repo, "chain", "--list", capsys=capsys)
    assert code == 0 and err == ""
    assert out.splitlines()[1].split()[:5] == ["chain", "C", "relu", "→", "max_pool2d"]


def test_an_internal_error_is_one_line_and_exit_3_while_others_are_written(repo, capsys, monkeypatch):
    from convanim import cli

    real = cli.build

    def flaky(scenario):
        if scenario.name == "good1":
            raise ValueError("boom")
        return real(scenario)

    monkeypatch.setattr(cli, "build", flaky)
    code, _, err = run(repo, capsys=capsys)
    assert code == 3
    assert err == "animations/good1.toml: internal error, please report it: ValueError: boom\n"
    assert [p.name for p in (repo / "output").iterdir()] == ["good2.gif"]


def test_empty_format_and_a_file_as_out_are_flag_errors(repo, capsys):
    for argv, message in (
        (
            ["--format", ","],
            "argument --format: no format given; available: gif, html, mp4, webm, png, svg, pdf, "
            "storyboard-svg, storyboard-pdf, storyboard-png, beamer, alt, or all for gif,html,png,alt",
        ),
        (["--out", "animations/good1.toml"], "argument --out: animations/good1.toml is a file, not a folder"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv, root=repo)
        assert exc.value.code == 2
        assert capsys.readouterr().err == f"generate.py: {message} (see --help)\n"
