"""Zip containers (DOCX today; XLSX, PPTX, ODT, EPUB are zips too): check before inflating.

A zip's central directory declares each part's uncompressed size, and Python's zipfile never
inflates a part beyond its declared size, so summing the declared sizes bounds what reading the
container can cost. A 1 MB DOCX that declares 300 MB of XML is refused here, before any XML
parser sees it.
"""

from __future__ import annotations

import io
import zipfile

from ..errors import IngestError
from ..limits import MB, unpacked_budget


def check_zip(data: bytes, kind: str) -> None:
    """Raise IngestError when the zip in ``data`` declares more than the unpacked-size budget.

    :param kind: what the file is, for the message ("Word .docx file").
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IngestError(f"not a valid {kind}: {exc}") from None
    budget = unpacked_budget()
    if declared > budget:
        raise IngestError(f"{kind} unpacks to {declared / MB:.0f} MB, over the limit of "
                          f"{budget / MB:g} MB (set KB_MAX_UNPACKED_MB to raise it)")
