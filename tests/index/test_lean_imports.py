"""Whoosh imported without urllib.request, asyncio and its English morphology (index.lean).

Each check runs a fresh interpreter: this test process imported Whoosh long ago. What the
stand-ins replace must still behave as Whoosh's own when called.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str) -> object:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_index_leaves_out_what_kb_never_calls() -> None:
    script = ("import json, sys\n"
              "import index, index.search\n"
              "print(json.dumps(sorted(m for m in ('urllib.request', 'asyncio', 'email', 'ssl',"
              " 'http.client', 'cached_property', 'whoosh.lang.morph_en') if m in sys.modules)"
              "))\n")
    assert _run(script) == []


def test_the_stand_ins_are_gone_once_whoosh_is_imported() -> None:
    # A later import gets the real modules (Flask's urllib.request, a caller's backport).
    script = ("import json, sys\n"
              "import index.search\n"
              "import urllib.request, cached_property\n"
              "print(json.dumps([urllib.request.__file__ is not None,"
              " hasattr(cached_property, 'threaded_cached_property')]))\n")
    assert _run(script) == [True, True]


def test_whooshs_urlretrieve_still_fetches(tmp_path: Path) -> None:
    source = tmp_path / "page.txt"
    source.write_text("fetched", encoding="utf-8")
    target = tmp_path / "copy.txt"
    script = ("import json, sys\n"
              "import index\n"
              "from whoosh.compat import urlretrieve\n"
              "before = 'urllib.request' in sys.modules\n"
              f"urlretrieve({source.as_uri()!r}, {str(target)!r})\n"
              f"print(json.dumps([before, open({str(target)!r}).read()]))\n")
    assert _run(script) == [False, "fetched"]


def test_whooshs_variations_query_still_expands() -> None:
    # Whoosh's Variations query (unused by kb) gets the English forms from morph_en itself.
    script = ("import json\n"
              "import index\n"
              "from whoosh.query.terms import variations\n"
              "from whoosh.lang import morph_en\n"
              "print(json.dumps([sorted(variations('render')) == sorted(morph_en.variations("
              "'render')), 'rendering' in variations('render')]))\n")
    assert _run(script) == [True, True]


def test_a_readers_deleted_set_is_cached_as_whoosh_caches_it(tmp_path: Path) -> None:
    # SegmentReader.deleted_docs_set is computed once and kept on the reader.
    script = (
        "import json, functools\n"
        "import index\n"
        "from whoosh import fields\n"
        "from whoosh.filedb.filestore import FileStorage\n"
        "from whoosh.reading import SegmentReader\n"
        "schema = fields.Schema(id=fields.ID(stored=True))\n"
        f"ix = FileStorage({str(tmp_path)!r}).create_index(schema)\n"
        "with ix.writer() as w:\n"
        "    for i in range(4): w.add_document(id=str(i))\n"
        "with ix.writer() as w: w.delete_by_term('id', '2')\n"
        "reader = ix.reader()\n"
        "first = reader.deleted_docs_set\n"
        "print(json.dumps([isinstance(SegmentReader.__dict__['deleted_docs_set'],"
        " functools.cached_property), sorted(first), reader.deleted_docs_set is first]))\n")
    assert _run(script) == [True, [2], True]
