"""docs/screenshots.py makes the README's screenshots from the real server and browser."""

from __future__ import annotations

import importlib.util
import struct
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "docs" / "screenshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_shot_is_taken_at_its_size(browser: Any, tmp_path: Path) -> None:
    script = _script()
    assert [(s.url, s.file) for s in script.SHOTS] == [
        ("/search?q=training+data&session=9", "screenshot-search.png"),
        ("/trends?q=deepfake&q=%22training+data%22&q=remuneration", "screenshot-trends.png"),
        ("/kwic?q=%22training+data%22&sort=left", "screenshot-kwic.png")]
    base, server = script.serve(ROOT / "corpus", tmp_path / "index")
    try:
        script.take(browser, base, script.SHOTS, tmp_path)
    finally:
        server.close()
    for shot in script.SHOTS:
        png = (tmp_path / shot.file).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", png[16:24]) == (1280, 860)
