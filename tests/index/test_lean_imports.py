"""Whoosh imported without urllib.request, asyncio and its English morphology, numpy without
attaching its docstrings (index.lean).

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


def test_numpy_is_imported_without_its_docstrings_and_computes_the_same() -> None:
    script = ("import json, sys\n"
              "import index\n"
              "import numpy as np\n"
              "a = np.array([5, 3, 5, 1], dtype=np.int32)\n"
              "print(json.dumps([sorted(m for m in sys.modules if '_add_newdocs' in m),\n"
              "    np.zeros.__doc__, np.ndarray.argsort.__doc__, np.bincount(a).tolist(),\n"
              "    np.lexsort((a, -a)).tolist(), np.flatnonzero(a > 2).tolist(),\n"
              "    np.cumsum(a).tolist(), np.isin(a, [1, 5]).tolist(),\n"
              "    np.frombuffer(a.tobytes(), np.int32).tolist()]))\n")
    assert _run(script) == [[], None, None, [0, 1, 0, 1, 0, 2], [0, 2, 1, 3], [0, 1, 2],
                            [5, 8, 13, 14], [True, False, True, True], [5, 3, 5, 1]]


def test_numpys_docstrings_come_with_the_modules_that_attach_them() -> None:
    # help(numpy.zeros) in a kb process: importing the two modules attaches the docstrings.
    script = ("import json\n"
              "import index\n"
              "import numpy as np\n"
              "import numpy._core._add_newdocs, numpy._core._add_newdocs_scalars\n"
              "print(json.dumps([np.zeros.__doc__.split('(')[0],\n"
              "                  np.ndarray.argsort.__doc__.split('(')[0],\n"
              "                  np.float64.__doc__.split(',')[0]]))\n")
    assert _run(script) == ["zeros", "a.argsort", "Double-precision floating-point number type"]


def test_a_numpy_loaded_before_index_is_left_as_it_was() -> None:
    script = ("import json\n"
              "import numpy as np\n"
              "import index\n"
              "print(json.dumps(np.zeros.__doc__.split('(')[0]))\n")
    assert _run(script) == "zeros"
