"""Importing Whoosh and numpy without the parts of them kb never uses (issue #10, cold start).

A new ``kb search`` spends most of its life importing, and Whoosh's modules pull in, at import
time, three things no query of kb's ever calls:

- ``whoosh.compat`` imports ``urllib.request`` for ``urlretrieve`` (Python 2 compatibility),
  and with it ``http.client``, ``email``, ``ssl``, ``socket`` and ``tempfile``;
- ``whoosh.reading`` takes ``cached_property`` from the backport package of that name, for one
  property (``SegmentReader.deleted_docs_set``), and that package imports ``asyncio`` to
  support coroutine properties;
- ``whoosh.query.terms`` imports ``whoosh.lang.morph_en`` for the ``Variations`` query (kb
  finds a word's forms by its stem, :mod:`index.matching`), which compiles a few thousand
  English rules as regular expressions.

Together they were about a sixth of the time to ``import kb.cli``. :func:`import_whoosh`
imports those three Whoosh modules while a stand-in for each of the three names is in
``sys.modules``: ``urlretrieve`` and ``variations`` become functions that import the real one
on their first call (so a caller of either still gets Whoosh's behaviour), and
``cached_property`` is the standard library's, which caches a plain method's value in the
instance's ``__dict__`` under its name as the backport does. The stand-ins are removed at
once, so any later ``import urllib.request`` (Flask's, a test's) gets the real module.
``tests/index/test_whoosh_internals.py`` pins each against the real thing.

numpy spends about a sixth of its import (callgrind: 50 M of 306 M instructions) in two
modules that only attach docstrings and text signatures to its compiled functions, methods and
scalar types: ``numpy._core._add_newdocs`` and ``numpy._core._add_newdocs_scalars``, the work
``python -OO`` skips too. :func:`import_numpy` imports numpy with an empty module standing in
for each, removed at once: kb's numpy computes the same, and its C functions have no
docstrings in a kb process until something imports those two modules, which attaches them
(``help(numpy.zeros)`` after ``import numpy._core._add_newdocs``). A numpy whose modules are
named otherwise (1.26's ``numpy.core``) never asks for them and is imported whole.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str) -> Any:
    from whoosh.lang.morph_en import variations

    return variations(word)


#: module name -> the names Whoosh imports from it, as kb gives them while Whoosh loads.
STAND_INS: dict[str, dict[str, Any]] = {
    "urllib.request": {"urlretrieve": _urlretrieve},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _variations},
}

#: The Whoosh modules that import them.
_IMPORTERS = ("whoosh.compat", "whoosh.reading", "whoosh.query")


@contextmanager
def _standing_in(names: dict[str, dict[str, Any]]) -> Iterator[None]:
    """``names``' modules as stand-ins in ``sys.modules`` (those not loaded already), removed
    on the way out."""
    placed = []
    for name, attributes in names.items():
        if name in sys.modules:
            continue
        stand_in = types.ModuleType(name, "kb's stand-in while Whoosh is imported")
        stand_in.__dict__.update(attributes)
        sys.modules[name] = stand_in
        placed.append((name, stand_in))
    try:
        yield
    finally:
        for name, stand_in in placed:
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def import_whoosh() -> None:
    """Import the Whoosh modules every query needs, without what :data:`STAND_INS` replaces.

    Nothing is replaced when one of those modules is already loaded (Whoosh imported before
    kb's ``index`` package): the import is then already paid for.
    """
    if any(name in sys.modules for name in _IMPORTERS):
        return
    with _standing_in(STAND_INS):
        for name in _IMPORTERS:
            __import__(name)


#: numpy's modules that only attach documentation to its compiled objects (see above).
NUMPY_DOCS = ("numpy._core._add_newdocs", "numpy._core._add_newdocs_scalars")


def import_numpy() -> None:
    """Import numpy without attaching its docstrings (:data:`NUMPY_DOCS`); nothing is left
    out when numpy is already loaded."""
    if "numpy" in sys.modules:
        return
    with _standing_in({name: {} for name in NUMPY_DOCS}):
        __import__("numpy")
