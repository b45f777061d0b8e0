"""The README is part of the product: its commands, settings and CI must match the code."""

from __future__ import annotations

import re
from pathlib import Path

import click

from kb.cli import cli
from kb.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block, "the Quick start section has a code block"
    return [line for line in block.group(1).splitlines() if line.strip()
            and not line.lstrip().startswith("#")]


def test_quick_start_is_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("kb serve")
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_commands()[1] in ci.splitlines()
    assert "set -euo pipefail" in ci
    assert "apt-get install" in ci and "chromium" in ci


def test_every_command_has_help_and_is_in_the_readme() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert command.help, f"kb {name} has no help text"
        assert f"kb {name}" in README, f"kb {name} is not in the README"


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS.values():
        assert f"`{setting.env}`" in README, f"{setting.env} is not in the README"
