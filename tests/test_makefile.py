"""`make help`: the list a new maintainer reads first."""

from __future__ import annotations

import re
import subprocess

from tests.support.assistant import ROOT


def test_make_help_lists_every_documented_target_by_name() -> None:
    listed = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = re.findall(r"^  make (\S+)", listed, flags=re.MULTILINE)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    documented = re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.MULTILINE)
    assert names == documented
    for target in ("run", "test", "cluster", "loadtest"):
        assert target in names
