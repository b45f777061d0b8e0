"""The ``kb`` process (kb.__main__): how it starts and ends, and that it is still the CLI.

``python -m kb`` and the ``kb`` console script import kb.cli with the garbage collector off
and freeze what the imports made (issue #10, cold start); a command must then run with the
collector on, and exit as Python's own exit does (status, output, messages).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import copy_corpus

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False,
                          cwd=ROOT, env=env)


def test_the_console_script_is_the_entry_point() -> None:
    (script,) = entry_points(group="console_scripts", name="kb")
    assert script.value == "kb.__main__:main"


def test_commands_run_with_the_collector_on_and_the_imports_frozen() -> None:
    done = _python("-c", "import gc\n"
                         "from kb.__main__ import load\n"
                         "frozen = gc.get_freeze_count()\n"
                         "run = load()\n"
                         "print(frozen, gc.isenabled(), gc.get_freeze_count() > 10_000,\n"
                         "      f'{run.__module__}.{run.__name__}')\n")
    assert done.stdout.split() == ["0", "True", "True", "kb.cli.main"]


def test_a_search_through_the_process_prints_what_the_cli_prints(tmp_path: Path) -> None:
    args = ["--corpus", str(copy_corpus(tmp_path / "corpus")), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(cli, [*args, "ingest"]).exit_code == 0
    expected = CliRunner().invoke(cli, [*args, "search", "Gurry", "--format", "csv"])
    done = _python("-m", "kb", *args, "search", "Gurry", "--format", "csv")
    assert (done.returncode, done.stdout) == (0, expected.output)
    assert done.stdout.count("\n") == 2  # the header and the one hit: flushed at exit


def test_the_console_script_exits_with_the_documented_status(tmp_path: Path) -> None:
    # What the installed `kb` script runs: kb.__main__.main(), with sys.argv as typed.
    argv = ["kb", "--index", str(tmp_path / "none"), "search", "x"]
    done = _python("-c", f"import sys\nfrom kb.__main__ import main\nsys.argv = {argv!r}\nmain()\n")
    assert done.returncode == 3
    assert done.stderr.startswith(f"Error: no index at {tmp_path / 'none'}\n")


def test_a_second_process_compiles_none_of_the_records_methods(tmp_path: Path) -> None:
    # As an installed kb runs: bytecode written (the test environment turns that off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
    assert _python("-m", "kb", "--version", env=env).stdout == "kb, version 0.1.0\n"
    script = ("from kb.dataclass_cache import compiled_once\n"
              "with compiled_once() as done:\n"
              "    import kb.cli\n"
              "print(done.reused, done.compiled, done.path)\n")
    reused, compiled, path = _python("-c", script, env=env).stdout.split()
    assert int(reused) > 150 and int(compiled) == 0  # every record kb.cli loads: ~200 methods
    assert path == str(tmp_path / "pycache" / ROOT.relative_to("/") / "kb"
                       / f"dataclass-methods.{sys.implementation.cache_tag}.bin")
