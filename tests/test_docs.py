"""The README is part of the product: its commands, settings and CI must match the code."""

from __future__ import annotations

import re
from pathlib import Path

import click

from kb.cli import cli
from kb.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


QUICK_START = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def _quick_start_blocks() -> list[list[str]]:
    """The Quick start's code blocks, each as its command lines (comments and blanks left out)."""
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", QUICK_START, re.S)
    return [[line for line in block.splitlines()
             if line.strip() and not line.lstrip().startswith("#")] for block in blocks]


def test_quick_start_gives_each_command_its_own_block() -> None:
    # Pasted block by block, each block runs: the server never returns, so nothing may follow
    # it in its block, and the packages list must be fresh before installing Chromium.
    blocks = _quick_start_blocks()
    assert [len(block) for block in blocks] == [1, 1, 1], blocks
    serve, chromium, tests = (block[0] for block in blocks)
    assert serve.endswith("kb serve")
    assert chromium.index("apt-get update") < chromium.index("apt-get install")
    assert chromium.endswith("chromium")
    assert tests.endswith("python -m pytest")
    prose = " ".join(QUICK_START.split())
    assert "keeps serving until you press Ctrl-C" in prose
    assert "in another terminal" in prose


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_blocks()[-1][0] in ci.splitlines()
    assert "set -euo pipefail" in ci
    assert ci.index("apt-get update") < ci.index("apt-get install")
    assert "chromium" in ci


def test_the_screenshots_the_readme_shows_are_made_by_the_script() -> None:
    script = (ROOT / "docs" / "screenshots.py").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(docs/([^)]+\.png)\)", README)
    assert shown == ["screenshot-search.png", "screenshot-trends.png", "screenshot-kwic.png"]
    for name in shown:
        assert (ROOT / "docs" / name).is_file()
        assert f'"{name}"' in script, f"docs/screenshots.py does not make {name}"


def test_every_command_has_help_and_is_in_the_readme() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert command.help, f"kb {name} has no help text"
        assert f"kb {name}" in README, f"kb {name} is not in the README"


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS.values():
        assert f"`{setting.env}`" in README, f"{setting.env} is not in the README"
