"""Links to a moment of a recording, written the way each video platform reads them.

A timed passage links to the second it starts at, so a reader can hear it said: YouTube takes
``t=754`` in the query, Vimeo ``#t=754s``, Dailymotion ``start=754``; any other address (WIPO's
webcast, a plain video file) gets the W3C media fragment ``#t=754``, which browsers' players
honour.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_QUERY_PARAM = {"youtube.com": "t", "youtu.be": "t", "youtube-nocookie.com": "t",
                "dailymotion.com": "start"}
_FRAGMENT = {"vimeo.com": "t={}s"}


def moment_url(recording: str, seconds: float) -> str:
    """``recording`` at ``seconds`` (whole seconds: every platform takes those)."""
    at = max(0, int(seconds))
    parts = urlsplit(recording)
    host = parts.netloc.lower().split(":")[0]
    site = next((s for s in (*_QUERY_PARAM, *_FRAGMENT) if host == s or host.endswith("." + s)),
                "")
    if site in _QUERY_PARAM:
        name = _QUERY_PARAM[site]
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
        return urlunsplit(parts._replace(query=urlencode([*query, (name, str(at))]),
                                         fragment=""))
    fragment = _FRAGMENT.get(site, "t={}").format(at)
    return urlunsplit(parts._replace(fragment=fragment))
