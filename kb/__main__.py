"""The ``kb`` process: ``python -m kb`` and the ``kb`` console script both start here.

A ``kb search`` is a new process that lives a fraction of a second, most of it importing, so
how that process starts and ends is part of the wait (issue #10):

- While kb's modules load, collecting finds nothing (imports make modules, classes and
  functions, which live as long as the process), yet every few hundred new objects the
  collector runs, and its full passes walk everything loaded so far, numpy and Whoosh
  included. It is off while ``kb.cli`` and what it needs are imported, and what they made is
  then frozen (:func:`gc.freeze`): later collections never walk it again, and a ``kb serve``
  worker forked from this process does not touch those pages. The collector is on again
  before any command runs, so ``kb ingest`` and ``kb serve`` collect as usual.
- ``@dataclass`` compiles its records' methods in every process; they are compiled once and
  kept beside kb's bytecode (:mod:`kb.dataclass_cache`).
- At exit the interpreter runs one last full collection over everything the command made; an
  exiting process's memory goes back to the system whatever the collection finds, so
  everything is frozen first and that pass walks nothing. Exit itself is Python's own: output
  is flushed, ``atexit`` handlers and threads run as ever. What that pass would have finalized
  is garbage in reference cycles, whose finalizers Python does not promise to run at exit;
  kb opens the files it writes in ``with`` blocks, closed before the command returns.
"""

from __future__ import annotations

import gc
from collections.abc import Callable


def load() -> Callable[[], None]:
    """``kb.cli``'s entry point, imported with the collector off and what it made frozen, its
    records' dataclass methods compiled by an earlier process (:mod:`kb.dataclass_cache`)."""
    from kb.dataclass_cache import compiled_once

    gc.disable()
    try:
        with compiled_once():
            from kb.cli import main as run
    finally:
        gc.freeze()
        gc.enable()
    return run


def main() -> None:
    """Run the ``kb`` command line (the console script's entry point)."""
    run = load()
    try:
        run()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
