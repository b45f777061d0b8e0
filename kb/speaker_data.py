"""Who speaks: the data behind the speaker pages, their JSON API and ``kb speakers``.

Everything is counted from the index's speaker facet, so a speaker page can never disagree with
the search page's facet: passages are counted one by one (``group="flat"``), documents as the
search page counts them. speakers.toml adds what the index cannot know (role, organisation,
country); a name the registry does not know is still a speaker, with those left empty.
"""

from __future__ import annotations

from typing import Any

from kb.model import Hit, SearchRequest
from kb.search import Library
from kb.speakers import speaker_id

#: Passages listed per page of a speaker's page.
PASSAGES_PER_PAGE = 20
#: Topics listed on a speaker's page (most passages first).
TOPICS_SHOWN = 10


def speakers_overview(library: Library) -> list[dict[str, Any]]:
    """Everyone who speaks or is quoted: most passages first, then by name."""
    passages = _counts(library, SearchRequest(group="flat", page_size=1))
    documents = _counts(library, SearchRequest(page_size=1))
    rows = [{**_person(library, name), "documents": documents.get(name, 0), "passages": count}
            for name, count in passages.items() if count]
    return sorted(rows, key=lambda row: (-row["passages"], row["name"].casefold()))


def find_speaker(library: Library, wanted_id: str) -> str | None:
    """The speaker facet value whose id is ``wanted_id``, or None."""
    names = _counts(library, SearchRequest(group="flat", page_size=1))
    return next((name for name in names if speaker_id(name) == wanted_id), None)


def speaker_profile(library: Library, wanted_id: str, page: int = 1) -> dict[str, Any] | None:
    """One speaker: who they are, the sessions they spoke at, the topics they raised and their
    passages (oldest first, as they were said), or None for an unknown id."""
    name = find_speaker(library, wanted_id)
    if name is None:
        return None
    request = SearchRequest(speakers=[name], group="flat", sort="date-asc",
                            page_size=PASSAGES_PER_PAGE, page=max(1, page))
    result = library.search(request)
    documents = library.search(SearchRequest(speakers=[name], page_size=1)).total
    sessions = [{"number": int(v.value), "label": v.label, "passages": v.count}
                for v in result.facets.get("session", []) if v.count and v.value.isdigit()]
    topics = [{"id": v.value, "label": v.label, "passages": v.count}
              for v in result.facets.get("topic", []) if v.count][:TOPICS_SHOWN]
    return {
        **_person(library, name),
        "documents": documents,
        "passages": result.total,
        "sessions": sorted(sessions, key=lambda s: s["number"]),
        "topics": topics,
        "page": result.page,
        "pages": result.pages,
        "page_size": PASSAGES_PER_PAGE,
        "hits": result.hits,
    }


def profile_to_dict(profile: dict[str, Any]) -> dict[str, Any]:
    """A profile as JSON: its hits through their own serialiser."""
    hits: list[Hit] = profile["hits"]
    return {**{k: v for k, v in profile.items() if k != "hits"},
            "hits": [hit.to_dict() for hit in hits]}


def _person(library: Library, name: str) -> dict[str, Any]:
    person = library.registry.speakers.find(name)
    return {"id": speaker_id(name), "name": name,
            "role": person.role if person else "",
            "organisation": person.organisation if person else "",
            "country": person.country if person else ""}


def _counts(library: Library, request: SearchRequest) -> dict[str, int]:
    return {v.value: v.count for v in library.search(request).facets.get("speaker", [])}
