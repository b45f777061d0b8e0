"""The README is part of the product: its commands, settings and CI must match the code."""

from __future__ import annotations

import re
import tomllib
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


#: Distribution name -> the module kb imports it as, where they differ.
_IMPORT_NAMES = {"whoosh-reloaded": "whoosh", "python-docx": "docx",
                 "webvtt-py": "webvtt", "charset-normalizer": "charset_normalizer",
                 "PyStemmer": "Stemmer"}
#: Declared dependencies the README says nothing imports (each says why it stays declared).
_NOT_IMPORTED = {"lxml_html_clean"}


def _declared() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    names = {"runtime": project["dependencies"], "test": extras["test"], "bench": extras["bench"]}
    return {kind: [re.split(r"[<>=~!\[ ]", spec, maxsplit=1)[0] for spec in specs]
            for kind, specs in names.items()}


def _library_rows() -> dict[str, str]:
    """Each package the README's library table names -> its whole row."""
    table = README.split("## Libraries, and why", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        if line.startswith("| `"):
            cell = re.sub(r"\(imported as [^)]*\)", "", line.split("|")[1])
            for name in re.findall(r"`([A-Za-z0-9_.-]+)`", cell):
                rows[name] = line
    return rows


def test_the_library_table_names_every_dependency_and_nothing_else() -> None:
    declared = _declared()
    rows = _library_rows()
    assert sorted(rows) == sorted(declared["runtime"] + declared["test"] + declared["bench"])
    for name in declared["test"]:
        assert "(tests only)" in rows[name], name
    for name in declared["bench"]:
        assert "(benchmarks only: `pip install -e '.[bench]'`)" in rows[name], name


def test_every_runtime_dependency_is_imported_where_the_table_says() -> None:
    imported = set()
    for package in ("kb", "ingest", "index", "web"):
        for path in (ROOT / package).rglob("*.py"):
            imported |= set(re.findall(r"^\s*(?:from|import) ([A-Za-z_]\w*)",
                                       path.read_text(encoding="utf-8"), re.M))
    rows = _library_rows()
    for name in _declared()["runtime"]:
        module = _IMPORT_NAMES.get(name, name)
        if name in _NOT_IMPORTED:
            assert module not in imported, f"{name} is imported now: say what for in the README"
            assert "nothing in kb imports it" in rows[name]
        else:
            assert module in imported, f"{name} is declared but nothing imports {module}"
