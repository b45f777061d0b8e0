"""Each format's reader module (and its library) is imported only when a file of its kind is met."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from ingest.readers import EXTENSIONS, READERS, reader_for

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
_LIBRARIES = ("trafilatura", "pypdf", "docx", "webvtt")

_SCRIPT = """
import json, sys
from pathlib import Path
from ingest import build_changes
from kb.registry import load_registry
changes, report = build_changes([Path(sys.argv[1])], {}, load_registry(Path(sys.argv[2])),
                                workers=1)
print(json.dumps({"documents": sorted(d.source for d in changes.upserts),
                  "failed": [f.source for f in report.failed],
                  "loaded": [m for m in sys.argv[3:] if m in sys.modules]}))
"""


def _ingest_in_new_process(folder: Path) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(folder),
                           str(FIXTURES / "registry"), *_LIBRARIES], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_text_and_markdown_need_no_format_library(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# The ninth session\n\nTraining data and copyright.\n",
                                       encoding="utf-8")
    (tmp_path / "page.txt").write_text("The tenth session met in Geneva.\n", encoding="utf-8")
    assert _ingest_in_new_process(tmp_path) == {
        "documents": ["notes.md", "page.txt"], "failed": [], "loaded": []}


def test_a_web_page_loads_the_html_reader_only(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        "<html><head><title>The ninth session</title></head><body><main><h1>The ninth "
        "session</h1><p>Training data and copyright were discussed at length by the panel."
        "</p></main></body></html>", encoding="utf-8")
    assert _ingest_in_new_process(tmp_path) == {
        "documents": ["page.html"], "failed": [], "loaded": ["trafilatura"]}


def test_every_module_claims_the_extensions_listed_for_it() -> None:
    for name, extensions in EXTENSIONS.items():
        reader = import_module(f"ingest.readers.{name}").READER
        assert (reader.name, reader.extensions) == (name, extensions)
        for extension in extensions:
            assert READERS[extension] is reader
            assert reader_for(f"FILE{extension.upper()}") is reader
    assert sorted(READERS) == [".docx", ".htm", ".html", ".json", ".jsonl", ".markdown", ".md",
                               ".pdf", ".srt", ".text", ".tsv", ".txt", ".vtt", ".xhtml"]
    assert reader_for("notes.odt") is None
    assert reader_for("README") is None
