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
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IngestError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise IngestError("not a regular file (a pipe, device or socket): not read")
        if info.st_size > max_bytes:
            raise IngestError(f"file is {info.st_size / MB:.1f} MB, over the size limit of "
                              f"{max_bytes / MB:g} MB{hint}")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise IngestError(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise IngestError(f"file is over the size limit of {max_bytes / MB:g} MB{hint}")
    return data
