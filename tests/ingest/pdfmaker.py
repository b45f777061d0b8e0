"""Write small text PDFs for tests, by hand, so no PDF-writing library is needed.

Each page is a list of lines set in Helvetica from the top of an A4 page; the file has a correct
cross-reference table so readers parse it without repair. A line is a string (11 pt), or a list
of spans ``(text, size, rise)`` for mixed sizes: a superscript footnote marker is a small span
with a positive rise. ``footnotes`` gives each page lines set from the bottom margin upwards
(8 pt by default), under a short rule, as word processors place footnotes.
"""

from __future__ import annotations

from pathlib import Path

Span = tuple[str, float, float]
Line = str | list[Span]

BODY_SIZE = 11.0
NOTE_SIZE = 8.0


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _spans(line: Line, size: float) -> list[Span]:
    return [(line, size, 0.0)] if isinstance(line, str) else line


def _set_lines(lines: list[Line], x: int, y: int, size: float, leading: int) -> list[str]:
    """Lines from (x, y) down; a line set in large type gets room for its height."""
    ops = ["BT", f"{x} {y} Td"]
    for line in lines:
        spans = _spans(line, size)
        for text, span_size, rise in spans:
            ops += [f"/F1 {span_size:g} Tf", f"{rise:g} Ts", f"({_escape(text)}) Tj"]
        step = max(leading, round(1.3 * max(span[1] for span in spans)))
        ops += ["0 Ts", f"0 -{step} Td"]
    ops.append("ET")
    return ops


def make_pdf(path: Path, pages: list[list[Line]], title: str = "", author: str = "",
             footnotes: list[list[Line]] | None = None) -> Path:
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    next_id = 4
    contents = []
    for number, lines in enumerate(pages):
        ops = _set_lines(lines, 56, 800, BODY_SIZE, 14)
        notes = (footnotes or [])[number] if footnotes and number < len(footnotes) else []
        if notes:
            top = 60 + 10 * len(notes)
            ops += ["0.5 w", f"56 {top + 8} m", f"200 {top + 8} l", "S"]
            ops += _set_lines(notes, 56, top, NOTE_SIZE, 10)
        stream = "\n".join(ops).encode("latin-1")
        contents.append((next_id, next_id + 1, stream))
        page_ids.append(next_id)
        next_id += 2
    info_id = next_id
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for _, content_id, stream in contents:
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> "
                       f"/Contents {content_id} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
                       + b"\nendstream")
    info = f"/Title ({_escape(title)})" + (f" /Author ({_escape(author)})" if author else "")
    objects.append(f"<< {info} >>".encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_id} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    path.write_bytes(bytes(out))
    return path
