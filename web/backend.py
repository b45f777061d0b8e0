"""The app's one Library and registry, reached from any view as ``backend()``.

A leaf module, as flaskr's ``db.py`` is: the views import it and the app factory imports the
views, so every import sits at the top of its module without a cycle.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

from kb.registry import Registry, RegistryError, load_registry
from kb.search import Library


class Backend:
    """Holds the one Library (thread-safe); the registry is the Library's, which follows edits
    of sessions.toml and topics.toml."""

    def __init__(self, config: Any) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._library: Library | None = config.get("KB_LIBRARY")
        self._registry: Registry | None = config.get("KB_REGISTRY")

    def library(self) -> Library:
        if self._library is None:
            with self._lock:
                if self._library is None:
                    self._library = self._open()
        return self._library

    def registry(self) -> Registry:
        found = getattr(self.library(), "registry", None)
        if isinstance(found, Registry):
            return found
        if self._registry is None:
            self._registry = self._load_registry()
        return self._registry

    def _load_registry(self) -> Registry:
        try:
            return load_registry(Path(self._config["KB_CORPUS"]))
        except RegistryError as exc:
            raise ServiceUnavailable(
                f"The session and topic registries cannot be read: {exc}"
            ) from None

    def _open(self) -> Library:
        self._registry = self._registry or self._load_registry()
        return Library(Path(self._config["KB_INDEX"]), self._registry,
                       registry_dir=Path(self._config["KB_CORPUS"]))


def backend() -> Backend:
    return current_app.extensions["kb"]
