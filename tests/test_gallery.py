"""The committed gallery in output/ is exactly what the code writes today (like a course repo's CI)."""

from convanim.cli import main

from .helpers import ROOT


def test_committed_gallery_is_up_to_date(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["--check"], root=ROOT)
    out = capsys.readouterr().out
    assert code == 0, f"output/ is stale; run `python generate.py`:\n{out}"
    assert out.endswith("files up to date\n")
