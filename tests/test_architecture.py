"""The layering rules of docs/architecture.md, checked on the real source tree.

Whoosh stays in index/, BeautifulSoup in ingest/, Flask in web/; index/ never reaches into
ingest/ or web/, ingest/ never into index/ or web/, web/ never into ingest/ or index/ (it reaches
index errors through kb.search); the ground modules (records, settings, registries) import nothing
first-party but each other; nothing imports the CLI. A violation names the file and the import.
Imports inside functions and under ``TYPE_CHECKING`` count too: a deferred import is still a
dependency.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kb", "ingest", "index", "web")

#: top-level module -> the only package allowed to import it
CONFINED = {"whoosh": "index", "bs4": "ingest", "flask": "web"}
#: package -> first-party packages it must never import
FORBIDDEN = {"index": {"ingest", "web"}, "ingest": {"index", "web"}, "web": {"ingest", "index"}}
#: The ground every package stands on: the records (``kb.model``) and the facets they declare
#: (``kb.facets``), the settings (``kb.config``) and the registries (``kb.registry`` with its
#: speakers.toml and recordings.toml parts). They import no first-party module outside this
#: set, so ingest, index and web can all use them without pulling in one another.
GROUND = frozenset({"kb.model", "kb.facets", "kb.config", "kb.registry", "kb.speakers",
                    "kb.recordings", "kb.glossary"})


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _violations() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            module = ".".join(rel.with_suffix("").parts)
            for name in _imports(path):
                top = name.split(".")[0]
                if (module in GROUND and top in PACKAGES and name not in GROUND
                        and not any(name.startswith(g + ".") for g in GROUND)):
                    found.append(f"{rel} imports {name} (the ground modules import only "
                                 "each other)")
                if top in CONFINED and CONFINED[top] != package:
                    found.append(f"{rel} imports {name} (only {CONFINED[top]}/ may)")
                if top in FORBIDDEN.get(package, set()):
                    found.append(f"{rel} imports {name} ({package}/ must not)")
                if name == "kb.cli" and rel.as_posix() not in ("kb/__main__.py",):
                    found.append(f"{rel} imports kb.cli (nothing may)")
    return found


def test_layering_rules_hold() -> None:
    assert _violations() == []


def _empty_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the checks at ``tmp_path``, holding the four packages' folders, empty."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)


def test_the_layering_check_catches_a_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    _empty_tree(tmp_path, monkeypatch)
    (tmp_path / "web" / "bad.py").write_text("import whoosh\nfrom ingest.pipeline import x\n")
    assert _violations() == ["web/bad.py imports whoosh (only index/ may)",
                             "web/bad.py imports ingest.pipeline (web/ must not)"]


def test_web_reaching_into_index_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    _empty_tree(tmp_path, monkeypatch)
    (tmp_path / "web" / "bad.py").write_text("def f():\n    from index import KbIndexError\n")
    assert _violations() == ["web/bad.py imports index (web/ must not)"]


def test_a_ground_module_importing_upwards_is_caught(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _empty_tree(tmp_path, monkeypatch)
    (tmp_path / "kb" / "model.py").write_text(
        "from kb.registry import Registry\nfrom kb.search import Library\n")
    (tmp_path / "kb" / "config.py").write_text("import kb.output\nimport ingest.errors\n")
    (tmp_path / "kb" / "search.py").write_text("from index import open_index\n")
    assert _violations() == [
        "kb/config.py imports kb.output (the ground modules import only each other)",
        "kb/config.py imports ingest.errors (the ground modules import only each other)",
        "kb/model.py imports kb.search (the ground modules import only each other)",
    ]


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run([ruff, "check", *PACKAGES, "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """The four packages type-check under pyproject's [tool.mypy] (only Whoosh, NLTK, jieba and
    PyStemmer, which ship no types, are taken on trust)."""
    result = subprocess.run([sys.executable, "-m", "mypy", "kb", "ingest", "index", "web"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout
