"""The HTML pages: each renders the dict its data function in web.views builds."""

from __future__ import annotations

from flask import Blueprint, render_template

from web import research, searching, views
from web.params import GROUP_LABELS, PAGE_SIZES, SORTS

bp = Blueprint("pages", __name__)

#: Shown on the start page; each is a link to a real search that finds passages in the
#: bundled corpus (tests/e2e/test_cli_queries.py runs each).
EXAMPLE_QUERIES = (
    "training data",
    "copyright AND generative",
    '"fair compensation"',
    "metaverse",
    "bias",
)


#: The query language, one example each; the help page links every example to its search.
QUERY_HELP = (
    ("remuneration of performers for training data",
     "Plain words: passages with all of them rank first, passages with most of them follow."),
    ("copyrighted", "Words are stemmed and folded: this finds copyright, copyrights, Copyright."),
    ('"training data"', "Quotes: that exact phrase only."),
    ("copyright AND bias", "AND (upper case): both words must occur."),
    ("Gurry OR Tang", "OR: either word."),
    ("AI NOT metaverse", "NOT, or a minus sign (AI -metaverse): leave these out."),
    ("(NFT OR blockchain) AND metaverse", "Parentheses group."),
    ("title:machines", "title:, speaker:, heading: search one field only."),
    ("session:9 bias", "session:, topic:, type:, lang:, source: filter like the facets."),
    ("date:2023..2024 copyright", "date: a year, or a range of years, months or days."),
    ("copy*", "A trailing star: words starting with copy (the 64 most frequent)."),
)


@bp.get("/help")
def help_page() -> str:
    return render_template("help.html", examples=QUERY_HELP)


@bp.get("/")
def index() -> str:
    return render_template(
        "index.html",
        examples=EXAMPLE_QUERIES,
        sessions=views.sessions_overview(),
        stats=views.health(),
    )


@bp.get("/search")
def search() -> str:
    context = searching.search_page()
    return render_template("search.html", sorts=SORTS, groups=GROUP_LABELS,
                           page_sizes=PAGE_SIZES, **context,
                           citations=research.citations_for_hits(context["result"].hits),
                           exports=research.export_links(context["req"]),
                           tools=research.tool_links(context["req"]),
                           feed_url=research.feed_link(context["req"]))


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str) -> str:
    context = views.document_page(doc_id)
    return render_template("doc.html", **context,
                           citations=research.citations_for_document(context["doc"]))


@bp.get("/sessions")
def sessions() -> str:
    return render_template("sessions.html", sessions=views.sessions_overview())


@bp.get("/sessions/<int:number>")
def session(number: int) -> str:
    return render_template("session.html", **views.session_page(number),
                           profile=research.session_data(number))


@bp.get("/topics")
def topics() -> str:
    return render_template("topics.html", **views.topics_page())
