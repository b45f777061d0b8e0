"""Word (.docx) through python-docx: headings from heading styles, paragraphs, table rows.

A paper's front matter (the Title-style paragraph, authors, abstract) is read by
:mod:`.frontmatter`.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError

from ..errors import IngestError
from ..textutil import clean_line
from . import frontmatter, transcripts
from .base import HEADING, PARAGRAPH, Block, RawDocument, Reader


def parse(data: bytes, name: str) -> list[RawDocument]:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"not a valid Word .docx file: {exc}") from None
    blocks: list[Block] = []
    title_at: int | None = None
    for paragraph in document.paragraphs:
        text = clean_line(paragraph.text)
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = style.startswith("Heading") or style == "Title"
        if style == "Title" and title_at is None:
            title_at = len(blocks)
        blocks.append(Block(text, HEADING if heading else PARAGRAPH))
    for table in document.tables:
        for row in table.rows:
            cells = [clean_line(cell.text) for cell in row.cells]
            text = " | ".join(dict.fromkeys(c for c in cells if c))
            if text:
                blocks.append(Block(text, PARAGRAPH))
    if not blocks:
        raise IngestError("Word document has no text")
    text = "\n\n".join(b.text for b in blocks)
    shaped = transcripts.parse_transcript(text, name)
    title = clean_line(document.core_properties.title or "")
    if shaped is not None:
        shaped.title = shaped.title or title
        return [shaped]
    front = frontmatter.read(blocks, title_at, clean_line(document.core_properties.author or ""))
    if front is not None:
        return [front.document(fallback_title=title)]
    return [RawDocument(blocks=blocks, title=title)]


READER = Reader("docx", (".docx",), parse)
