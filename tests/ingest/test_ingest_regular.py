"""Reading a regular file's bytes within the size limit (ingest/regular.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.regular import _read_all, read_regular


def test_a_file_is_read_whole_and_one_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(b"0123456789")
    assert read_regular(path, 10) == b"0123456789"
    with pytest.raises(IngestError, match=r"^file is 0.0 MB, over the size limit of 9e-06 MB "
                                          r"\(raise it\)$"):
        read_regular(path, 9, limit_hint="raise it")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert read_regular(empty, 0) == b""


def test_a_file_that_grew_since_it_was_opened_is_read_to_its_end_or_the_limit(
        tmp_path: Path) -> None:
    """The first read asks for the size the file had; what was added since is read on, and
    a file grown past the limit gives one byte more than the limit (refused by the caller)."""
    path = tmp_path / "growing.txt"
    path.write_bytes(b"a" * 10 + b"b" * 3000)
    for size, limit, expected in ((10, 5000, b"a" * 10 + b"b" * 3000), (0, 5000, None),
                                  (10, 20, b"a" * 10 + b"b" * 11), (10, 10, b"a" * 10 + b"b")):
        fd = os.open(path, os.O_RDONLY)
        try:
            assert _read_all(fd, size, limit) == (expected or path.read_bytes())
        finally:
            os.close(fd)


def test_reading_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="^is a folder, not a file$"):
        read_regular(tmp_path, 10)
