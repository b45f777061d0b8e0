"""Jinja filters and globals: how kb's values read on a page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup

from kb.model import DOC_TYPES, FACETS, LANGUAGES
from web.backend import backend
from web.highlight import highlight, safe_snippet


def hhmmss(seconds: float | None) -> str:
    """Caption times as a reader (and a video player) counts them: 01:02:03."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def nice_date(value: str) -> str:
    """``2024-03-13`` as ``13 Mar 2024``; partial or unknown dates pass through unchanged."""
    try:
        return dt.date.fromisoformat(value).strftime("%-d %b %Y")
    except (TypeError, ValueError):
        return value or ""


def http_url(value: str) -> str | None:
    """The URL if it is safe to link (http or https), else None: a ``javascript:`` source
    address from a hostile file must stay text."""
    parts = urlsplit(value or "")
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def lang_attrs(language: str) -> Markup:
    """``lang`` (and ``dir`` for Arabic) for text in another language than the page, so screen
    readers pronounce it and Arabic reads right to left; nothing when the language is unknown."""
    if language not in LANGUAGES or language in ("und", "en"):
        return Markup("")
    direction = ' dir="rtl"' if language == "ar" else ""
    return Markup(f' lang="{language}"{direction}')


def session_label(number: int | str) -> str:
    return backend().registry().session_label(number)


def topic_label(topic_id: str) -> str:
    return backend().registry().topic_label(topic_id)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        hhmmss=hhmmss,
        nice_date=nice_date,
        http_url=http_url,
        session_label=session_label,
        topic_label=topic_label,
        type_label=lambda t: DOC_TYPES.get(t, t),
        lang_label=lambda code: LANGUAGES.get(code, code),
        snippet=safe_snippet,
        lang_attrs=lang_attrs,
        highlight_terms=highlight,
    )
    app.jinja_env.globals.update(FACET_LABELS=FACETS)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
