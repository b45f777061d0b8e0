"""A package whose public names are imported on first use (PEP 562).

A package's ``__init__`` that imports every module it re-exports makes each command pay for
all of them: ``import index`` loaded the writer, the forked side writer (multiprocessing), the
scan and the concordance for a ``kb search`` that uses none of them. :func:`lazy_exports`
gives the package a module ``__getattr__`` that imports a name's module the first time the
name is asked for.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, tuple[str, str]]) -> Callable[[str], Any]:
    """The ``__getattr__`` for ``package``'s public names, each ``name -> (module, attribute)``
    (a module relative to the package, as ``".scan"``).

    A public name that is also a submodule's name (``index.scan``, the function, in
    ``index/scan.py``) stays the name's value: when a submodule finishes loading, the import
    system binds it on its package under its own name, which would otherwise replace the
    function with the module for every later caller.
    """
    module = sys.modules[package]

    class _Package(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if isinstance(value, types.ModuleType) and name in exports \
                    and value.__name__ == f"{package}{exports[name][0]}":
                value = getattr(value, exports[name][1])
            super().__setattr__(name, value)

    module.__class__ = _Package

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        where, attribute = exports[name]
        value = getattr(importlib.import_module(where, package), attribute)
        setattr(module, name, value)
        return value

    return __getattr__
