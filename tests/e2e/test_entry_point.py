"""The ``kb`` process (kb.__main__): how it starts and ends, and that it is still the CLI.

``python -m kb`` and the ``kb`` console script import kb.cli with the garbage collector off
and freeze what the imports made (issue #10, cold start); a command must then run with the
collector on, and exit as Python's own exit does (status, output, messages).
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import copy_corpus

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=False,
                          cwd=ROOT)


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
