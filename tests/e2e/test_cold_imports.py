"""What a command imports: reading commands never load the ingest stack nor NLTK (issue #10).

Each check runs a fresh interpreter, because this test process has long since imported
everything; the readers' libraries (trafilatura, pypdf, python-docx, webvtt) and jieba cost
a quarter of a second, and the enrichment's patterns (:mod:`ingest.enrich`) as much again
cold, that `kb search`, `kb show`, `kb facets` and the web request path must
not pay.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli

#: The ingest stack: none of these may be loaded by a command that only reads the index. NLTK
#: is ingest's alone (key phrases): search stems with PyStemmer, and ``import nltk`` runs all
#: of NLTK's ``__init__`` (158 ms) whichever part of it is asked for.
HEAVY = ("trafilatura", "pypdf", "docx", "webvtt", "jieba", "lxml", "bs4", "courlan", "nltk",
         "ingest.readers", "ingest.pipeline", "ingest.discover", "ingest.enrich")

_SCRIPT = """
import contextlib, io, json, sys
{body}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded_after(body: str) -> list[str]:
    """The heavy modules in sys.modules after ``body`` runs in a new interpreter."""
    script = _SCRIPT.format(body=body, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from tests.conftest import copy_corpus

    root = tmp_path_factory.mktemp("cold")
    corpus = copy_corpus(root / "corpus")
    args = ["--corpus", str(corpus), "--index", str(root / "ix")]
    assert CliRunner().invoke(cli, [*args, "ingest"]).exit_code == 0
    return args


def _cli_run(args: list[str]) -> str:
    """A command run through kb.cli's own entry point, its output swallowed."""
    return ("from kb.cli import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            f"    cli.main({args!r}, standalone_mode=False)\n"
            "assert out.getvalue(), 'the command printed nothing'\n")


def test_importing_the_cli_loads_no_reader() -> None:
    assert _loaded_after("import kb.cli") == []


def test_the_ingest_stack_is_what_the_check_looks_for() -> None:
    # The check above could pass by naming modules that never load: ingest does load them
    # (each reader's library once a file of its kind is met: here, every kind).
    assert _loaded_after("import ingest; ingest.build_changes\n"
                         "from ingest.readers import READERS\n"
                         "readers = [READERS[extension] for extension in READERS]") == sorted(
        ["trafilatura", "pypdf", "docx", "webvtt", "lxml", "courlan", "nltk",
         "ingest.readers", "ingest.pipeline", "ingest.discover", "ingest.enrich"])


@pytest.mark.parametrize("command", [
    ["search", "Gurry", "--json"],
    ["search", "artificial intelligence", "--flat"],
    ["facets", "copyright", "--json"],
    ["show", "003_c1b8a34cd238fc18.txt#p-c64704b70b0a533d", "--json"],
    ["stats", "--json"],
])
def test_reading_commands_load_no_reader(base: list[str], command: list[str]) -> None:
    assert _loaded_after(_cli_run([*base, *command])) == []


#: What a search never calls, kept out of its imports for cold start (issue #10): Whoosh's own
#: imports of urllib.request (with email, ssl, http.client) and of the cached_property backport
#: (with asyncio) and its English morphology (index.lean); the index's writers, scan and
#: concordance (loaded by name, kb.lazy); RapidFuzz (only "did you mean" needs it); socket (only
#: a writer's lock record); the CSV exporter; numpy's docstrings (index.lean).
LEAN = ("urllib.request", "email", "ssl", "http.client", "asyncio", "cached_property",
        "whoosh.lang.morph_en", "index.writer", "index.segments", "multiprocessing",
        "index.scan", "index.concordance", "rapidfuzz", "socket", "kb.research.export",
        "numpy._core._add_newdocs", "numpy._core._add_newdocs_scalars")


def _lean_after(body: str) -> list[str]:
    script = _SCRIPT.format(body=body, heavy=LEAN)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", [
    ["search", "training data", "--json"],
    ["search", "\"artificial intelligence\"", "--flat"],
    ["search", "copyright", "--session", "9", "--format", "csv"],
    ["facets", "copyright", "--json"],
])
def test_a_search_loads_only_what_it_calls(base: list[str], command: list[str]) -> None:
    assert _lean_after(_cli_run([*base, *command])) == []


def test_the_lean_check_sees_those_modules(base: list[str]) -> None:
    # The check above could pass by naming modules that never load: an ingest, an export
    # and a misspelt word do load them.
    assert _lean_after(_cli_run([*base, "search", "trainnig", "--json"])
                       ) == ["rapidfuzz"]
    assert _lean_after(_cli_run([*base, "search", "copyright", "--all", "--format", "csv"])
                       ) == ["index.concordance", "index.scan", "kb.research.export"]
    # numpy imported by itself, not through index.lean, attaches its docstrings.
    assert _lean_after("import numpy") == ["numpy._core._add_newdocs",
                                           "numpy._core._add_newdocs_scalars"]


def test_the_web_request_path_loads_no_reader(base: list[str]) -> None:
    index_dir, corpus = base[3], base[1]
    body = ("import web\n"
            f"app = web.create_app({{'KB_INDEX': {index_dir!r}, 'KB_CORPUS': {corpus!r}}})\n"
            "client = app.test_client()\n"
            "for url in ('/search?q=Gurry', '/api/search?q=copyright', '/healthz'):\n"
            "    assert client.get(url).status_code == 200, url\n")
    assert _loaded_after(body) == []


def test_ingest_discover_stays_the_function_once_its_module_has_loaded() -> None:
    # ingest.discover is both a module and the function it defines: loading the module (here
    # through the pipeline) must not replace the package's function with it.
    script = ("import ingest.pipeline, types\n"
              "from ingest import discover, document_id\n"
              "print(discover.__module__, discover.__name__, document_id.__name__)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.split() == ["ingest.discover", "discover", "document_id"]


def _threads_after_import(environ: dict[str, str]) -> int:
    """Threads of a fresh interpreter that imported kb's search (numpy with it)."""
    import os

    script = ("import kb.search, numpy\n"
              "print(next(line.split()[1] for line in open('/proc/self/status')"
              " if line.startswith('Threads:')))\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | environ
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2], env=env)
    return int(done.stdout.strip())


def test_numpy_starts_no_blas_threads_for_kb() -> None:
    # kb multiplies no matrices: OpenBLAS's thread per core only costs a new process time.
    assert _threads_after_import({}) == 1


def test_a_blas_thread_count_the_environment_sets_wins() -> None:
    assert _threads_after_import({"OPENBLAS_NUM_THREADS": "2"}) == 2
