"""Citations of a passage in APA and Chicago style and as BibTeX and RIS.

A passage is cited as part of its document (title, author, date, original address) with the
passage's own permalink, because that is what a reader can open. The author is the speaker
of the passage when there is one, else the organisation the original address belongs to;
with neither, the citation starts with the title, as both styles prescribe for works without
an author. Nothing is invented: no original address means none is given, and the permalink
stands in for it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlparse

from kb.model import DOC_TYPES, PassageRecord
from kb.registry import Registry

STYLES: dict[str, str] = {"apa": "APA (7th ed.)", "chicago": "Chicago (17th ed.)",
                          "bibtex": "BibTeX", "ris": "RIS"}
SERIES = "WIPO Conversation on Intellectual Property and Frontier Technologies"
#: Hosts whose pages are published by a known organisation (a suffix matches subdomains).
ORGANISATIONS: dict[str, str] = {"wipo.int": "World Intellectual Property Organization"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass
class Citation:
    """The facts a citation is made of; each style is a method."""

    passage_id: str
    title: str
    #: A person ("Daren Tang") or "" (see ``organisation``).
    person: str
    organisation: str
    #: "WIPO Conversation on ..., session 9: Training the Machines" or "".
    container: str
    #: YYYY-MM-DD, YYYY or "".
    date: str
    doc_type: str
    original_url: str
    permalink: str
    accessed: dt.date
    heading: str = ""
    language: str = ""

    # -- styles ---------------------------------------------------------------------------
    def apa(self) -> str:
        author = _apa_person(self.person) if self.person else self.organisation
        when = f"({_apa_date(self.date)})."
        kind = f" [{DOC_TYPES.get(self.doc_type, self.doc_type)}]" if self.doc_type else ""
        if author:
            parts = [_end(author), when, _end(self.title + kind)]
        else:
            parts = [_end(self.title + kind), when]
        if self.container:
            parts.append(f"In {_end(self.container)}")
        if self.organisation and self.organisation != author:
            parts.append(_end(self.organisation))
        where = self.original_url or self.permalink
        parts.append(f"Retrieved {_long_date(self.accessed)}, from {where}")
        if self.original_url:
            parts.append(f"(passage: {self.permalink})")
        return " ".join(parts)

    def chicago(self) -> str:
        author = _inverted(self.person) if self.person else self.organisation
        parts = [_end(author)] if author else []
        parts.append(f"“{_end(self.title)}”")
        if self.container:
            parts.append(_end(self.container))
        published = ", ".join(p for p in (self.organisation if author != self.organisation
                                          else "", _chicago_date(self.date)) if p)
        if published:
            parts.append(_end(published))
        parts.append(f"Accessed {_long_date(self.accessed)}.")
        parts.append(_end(self.original_url or self.permalink))
        if self.original_url:
            parts.append(f"Passage: {self.permalink}.")
        return " ".join(parts)

    def bibtex(self) -> str:
        fields: list[tuple[str, str]] = []
        if self.person:
            fields.append(("author", _bib(_inverted(self.person))))
        elif self.organisation:
            fields.append(("author", "{" + _bib(self.organisation) + "}"))
        fields.append(("title", _bib(self.title)))
        if self.container:
            fields.append(("howpublished", _bib(self.container)))
        if self.organisation:
            fields.append(("publisher", _bib(self.organisation)))
        if self.date[:4].isdigit():
            fields.append(("year", self.date[:4]))
        if len(self.date) == 10:
            fields.append(("month", str(int(self.date[5:7]))))
            fields.append(("date", self.date))
        fields.append(("url", _bib_url(self.original_url or self.permalink)))
        fields.append(("urldate", self.accessed.isoformat()))
        note = f"Passage: {self.permalink}"
        if self.heading and self.heading != self.title:
            note += f" ({self.heading})"
        fields.append(("note", _bib(note)))
        if self.language and self.language != "und":
            fields.append(("language", self.language))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{kb-{self.passage_id},\n{body}\n}}\n"

    def ris(self) -> str:
        tags: list[tuple[str, str]] = [("TY", "ELEC")]
        if self.person:
            tags.append(("AU", _inverted(self.person)))
        elif self.organisation:
            tags.append(("AU", self.organisation))
        tags.append(("TI", self.title))
        if self.container:
            tags.append(("T2", self.container))
        if self.organisation:
            tags.append(("PB", self.organisation))
        if self.date[:4].isdigit():
            tags.append(("PY", self.date[:4]))
        if len(self.date) == 10:
            tags.append(("DA", self.date.replace("-", "/")))
        tags.append(("UR", self.original_url or self.permalink))
        tags.append(("Y2", self.accessed.strftime("%Y/%m/%d")))
        tags.append(("N1", f"Passage: {self.permalink}"))
        if self.language and self.language != "und":
            tags.append(("LA", self.language))
        tags.append(("ID", self.passage_id))
        lines = [f"{tag}  - {_one_line(value)}" for tag, value in tags]
        return "\n".join([*lines, "ER  - "]) + "\n"

    def render(self, style: str) -> str:
        """The citation in ``style`` (one of :data:`STYLES`)."""
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
        return str(getattr(self, style)())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["accessed"] = self.accessed.isoformat()
        data["styles"] = {style: self.render(style) for style in STYLES}
        return data


def cite(record: PassageRecord, registry: Registry, base_url: str,
         accessed: dt.date | None = None) -> Citation:
    """The citation of one passage; ``base_url`` is where kb is served (for the permalink)."""
    url = record.url if urlparse(record.url).scheme in ("http", "https") else ""
    return Citation(
        passage_id=record.passage_id,
        title=record.title or record.source,
        person=record.speaker,
        organisation=organisation(url),
        container=_container(record.sessions, registry),
        date=record.date,
        doc_type=record.type,
        original_url=url,
        permalink=permalink(base_url, record.doc_id, record.passage_id),
        accessed=accessed or dt.datetime.now(dt.UTC).date(),
        heading=record.heading,
        language=record.language,
    )


def permalink(base_url: str, doc_id: str, passage_id: str) -> str:
    return f"{base_url.rstrip('/')}/doc/{doc_id}?p={passage_id}#p-{passage_id}"


def organisation(url: str) -> str:
    host = (urlparse(url).hostname or "").lower()
    for suffix, name in ORGANISATIONS.items():
        if host == suffix or host.endswith("." + suffix):
            return name
    return ""


def _container(sessions: list[int], registry: Registry) -> str:
    known = [registry.sessions[n] for n in sessions if n in registry.sessions]
    if len(known) == 1:
        return f"{SERIES}, session {known[0].number}: {known[0].title}"
    if known:
        return f"{SERIES}, sessions {', '.join(str(s.number) for s in known)}"
    return ""


def _apa_person(name: str) -> str:
    """"Daren Tang" -> "Tang, D."; a single name stays as it is."""
    words = name.split()
    if len(words) < 2:
        return name
    initials = " ".join(f"{w[0]}." for w in words[:-1] if w[0].isalpha())
    return f"{words[-1]}, {initials}" if initials else name


def _inverted(name: str) -> str:
    words = name.split()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else name


def _apa_date(date: str) -> str:
    if len(date) == 10:
        return f"{date[:4]}, {_MONTHS[int(date[5:7]) - 1]} {int(date[8:])}"
    return date[:4] if date[:4].isdigit() else "n.d."


def _chicago_date(date: str) -> str:
    if len(date) == 10:
        return f"{_MONTHS[int(date[5:7]) - 1]} {int(date[8:])}, {date[:4]}"
    return date[:4] if date[:4].isdigit() else ""


def _long_date(day: dt.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _end(text: str) -> str:
    """Text ending in one full stop (or its own ? or !)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _bib_url(url: str) -> str:
    """A URL as BibTeX keeps it: verbatim (url fields are not LaTeX), braces left out."""
    return _one_line(url).replace("{", "%7B").replace("}", "%7D")


_BIB_SPECIAL = re.compile(r"([&%$#_])")


def _bib(text: str) -> str:
    """A BibTeX field value: braces balanced away, LaTeX specials escaped, on one line."""
    text = _one_line(text).replace("\\", "/").replace("{", "(").replace("}", ")")
    return _BIB_SPECIAL.sub(r"\\\1", text)
