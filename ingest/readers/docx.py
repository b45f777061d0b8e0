"""Word (.docx) through python-docx: headings from heading styles, paragraphs, table rows.

A paper's front matter (the Title-style paragraph, authors, abstract) is read by
:mod:`.frontmatter`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError

from ..errors import IngestError
from ..textutil import clean_line
from . import EXTENSIONS, frontmatter, transcripts
from .archive import check_zip
from .base import HEADING, PARAGRAPH, Block, RawDocument, Reader

_KIND = "Word .docx file"


def parse(data: bytes, name: str) -> list[RawDocument]:
    check_zip(data, _KIND)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"not a valid {_KIND}: {exc}") from None
    blocks: list[Block] = []
    title_at: int | None = None
    style_of = _paragraph_styles(document)
    for paragraph in document.paragraphs:
        text = clean_line(paragraph.text)
        if not text:
            continue
        style = style_of(paragraph)
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


def _paragraph_styles(document: Any) -> Callable[[Any], str]:
    """A paragraph's style name, from a table of the document's styles read once.

    python-docx's ``paragraph.style`` searches every style of the document for each paragraph,
    which made long documents take minutes.
    """
    names: dict[str, str] = {}
    default = ""
    for style in document.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH:
            names[style.style_id] = style.name or ""
            if style.element.default:
                default = style.name or ""

    def style_of(paragraph: Any) -> str:
        style_id = paragraph._p.style  # the paragraph's own w:pStyle value, or None
        return names.get(style_id, default) if style_id is not None else default

    return style_of


READER = Reader("docx", EXTENSIONS["docx"], parse)
