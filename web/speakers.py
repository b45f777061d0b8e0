"""Speaker pages and their JSON twins: ``/speakers``, ``/speakers/<id>``, ``/api/speakers``...

Ids come from :func:`kb.speakers.speaker_id`, the one rule the links from every speaker name
(search results, document pages) use too, so a link always finds its page; an id nobody has is
a 404. Page and API build on the same data functions (:mod:`kb.speaker_data`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from kb.speaker_data import profile_to_dict, speaker_profile, speakers_overview
from kb.speakers import speaker_id
from web.backend import backend

bp = Blueprint("speakers", __name__)


@bp.app_template_filter("speaker_url")
def speaker_url(name: str) -> str:
    """The page of the speaker called ``name``."""
    return url_for("speakers.speaker", speaker_id=speaker_id(name))


@bp.get("/speakers")
def speakers() -> str:
    return render_template("speakers.html", speakers=speakers_overview(backend().library()))


@bp.get("/speakers/<speaker_id>")
def speaker(speaker_id: str) -> str:
    return render_template("speaker.html", speaker=_profile(speaker_id))


@bp.get("/api/speakers")
def api_speakers() -> Response:
    return jsonify({"speakers": speakers_overview(backend().library())})


@bp.get("/api/speakers/<speaker_id>")
def api_speaker(speaker_id: str) -> Response:
    return jsonify(profile_to_dict(_profile(speaker_id)))


def _profile(wanted: str) -> dict[str, Any]:
    raw = request.args.get("page", "1")
    if not raw.isdigit():
        abort(400, description=f"'page' must be a whole number, not {raw[:40]!r}.")
    profile = speaker_profile(backend().library(), wanted, min(int(raw), 10_000))
    if profile is None:
        abort(404, description=f"Nobody with the id {wanted[:200]!r} speaks in the knowledge "
                              "base; see /speakers for everyone who does.")
    return profile
