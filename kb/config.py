"""Where the corpus and the index live, and the few other knobs kb has.

Every setting is declared once, in :data:`SETTINGS`: the CLI builds its options from it, the
README documents it, and a test checks the two agree. A value comes from the command-line flag,
else from the environment variable, else from the default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: its name, environment variable, default and help, declared once."""

    name: str
    env: str
    default: Any
    help: str

    def resolve(self, flag_value: Any = None, environ: Mapping[str, str] | None = None) -> Any:
        """Flag, then environment, then default, converted to the default's type."""
        if flag_value is not None:
            return self._convert(flag_value)
        env_value = (os.environ if environ is None else environ).get(self.env)
        if env_value not in (None, ""):
            return self._convert(env_value)
        return self.default

    def _convert(self, value: Any) -> Any:
        if isinstance(self.default, Path):
            return Path(value).expanduser()
        if isinstance(self.default, bool):
            return str(value).lower() in {"1", "true", "yes", "on"}
        if isinstance(self.default, int):
            try:
                return int(value)
            except ValueError:
                name = self.env or self.name
                raise ValueError(f"{name} must be a whole number, got {value!r}") from None
        return value


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("corpus", "KB_CORPUS", Path("corpus"),
                "Folder of documents and the sessions.toml / topics.toml registries."),
        Setting("index", "KB_INDEX", Path(".kb/index"),
                "Folder of the Whoosh index (created on first ingest)."),
        Setting("max_file_mb", "KB_MAX_FILE_MB", 50,
                "Files larger than this many MB are reported and skipped by ingest."),
        Setting("read_seconds", "KB_READ_SECONDS", 60,
                "CPU seconds ingest may spend reading one file before it is reported and "
                "skipped."),
        Setting("read_memory_mb", "KB_READ_MEMORY_MB", 2000,
                "MB of memory ingest may use to read one file before it is reported and "
                "skipped."),
        Setting("max_unpacked_mb", "KB_MAX_UNPACKED_MB", 200,
                "MB one file may unpack to (a DOCX's XML, the text read from it) before it is "
                "reported and skipped."),
        Setting("host", "KB_HOST", "127.0.0.1", "Address `kb serve` listens on."),
        Setting("port", "KB_PORT", 5000, "Port `kb serve` listens on."),
        Setting("workers", "KB_WORKERS", 0,
                "Worker processes of `kb serve`, each searching on its own core (0: one per "
                "core; 1: serve from the `kb serve` process itself)."),
        Setting("threads", "KB_THREADS", 8, "Threads of each `kb serve` worker."),
        Setting("base_url", "KB_BASE_URL", "",
                "Address kb is served at, for permalinks in citations, exports and feeds made "
                "on the command line (default: http://KB_HOST:KB_PORT)."),
    ]
}


def resolve(name: str, flag_value: Any = None) -> Any:
    return SETTINGS[name].resolve(flag_value)
