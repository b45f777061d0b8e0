"""Reading a file's bytes only when it is a regular file, within a size limit.

Discovery already refuses pipes, devices and sockets, but a file can be swapped between the
walk and the read; opening without blocking and checking the open descriptor closes that gap,
so nothing kb reads (documents and sidecars alike) can hang it or stream /dev/zero into memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import IngestError

MB = 1_000_000


def read_regular(path: Path, max_bytes: int, *, limit_hint: str = "") -> bytes:
    """The bytes of ``path``; IngestError when it is not a regular file, too large or unreadable.

    :param limit_hint: how to raise ``max_bytes``, added to the size message.
    """
    hint = f" ({limit_hint})" if limit_hint else ""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise IngestError("the file disappeared before it could be read") from None
    except PermissionError:
        raise IngestError("permission denied: the file cannot be read") from None
    except IsADirectoryError:
        raise IngestError("is a folder, not a file") from None
    except OSError as exc:
        raise IngestError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IngestError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise IngestError("not a regular file (a pipe, device or socket): not read")
        if info.st_size > max_bytes:
            raise IngestError(f"file is {info.st_size / MB:.1f} MB, over the size limit of "
                              f"{max_bytes / MB:g} MB{hint}")
        try:
            data = _read_all(fd, info.st_size, max_bytes)
        except OSError as exc:
            raise IngestError(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise IngestError(f"file is over the size limit of {max_bytes / MB:g} MB{hint}")
    return data


#: The most read at once after the size the file had when opened (a file growing meanwhile).
_CHUNK = 1 << 20


def _read_all(fd: int, size: int, max_bytes: int) -> bytes:
    """The file's bytes up to one past ``max_bytes``, asking first for one past the ``size`` it
    had when opened: a read allocates the whole size it is asked for, and asking every file
    for the limit (50 MB) cost more than reading a small file. A file that grew since is read
    on, a megabyte at a time, until its end or the limit."""
    chunks: list[bytes] = []
    total = 0
    want = min(size, max_bytes) + 1
    while total <= max_bytes:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = min(max_bytes + 1 - total, _CHUNK)
    return b"".join(chunks)
