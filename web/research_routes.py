"""Routes of the research tools: pages (trends, keyword in context, citations, what is new,
topic pages) and their API twins, CSV, Atom and streamed exports, over web.research."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from kb.research import kwic as kwic_lib
from kb.research import trends as trend_lib
from kb.research.chart import quoted, trend_svg
from kb.research.citation import STYLES
from kb.research.export import csv_text
from web import research

pages = Blueprint("research_pages", __name__)
api = Blueprint("research_api", __name__)


pages.add_app_template_filter(quoted, "quoted")


# -- pages ----------------------------------------------------------------------------------
@pages.get("/trends")
def trends_page() -> tuple[str, int]:
    context, status = research.trends_page()
    return render_template("trends.html", **context), status


@pages.get("/kwic")
def kwic() -> tuple[str, int]:
    context, status = research.kwic_page()
    return render_template("kwic.html", **context), status


@pages.get("/cite/<passage_id>")
def cite(passage_id: str) -> str:
    return render_template("cite.html", citation=research.citation_of(passage_id),
                           styles=STYLES)


@pages.get("/new")
def new() -> str:
    return render_template("new.html", **research.new_data())


@pages.get("/topics/<topic_id>")
def topic(topic_id: str) -> str:
    return render_template("topic.html", topic=research.topic_data(topic_id))


# -- API ------------------------------------------------------------------------------------
@api.get("/api/trends")
def trends() -> Response:
    """Per query and session: documents, passages and passages per 1,000."""
    return jsonify(research.trends_or_400().to_dict())


@api.get("/api/trends.csv")
def trends_csv() -> Response:
    rows = research.trends_or_400().rows()
    body = csv_text([trend_lib.ROW_COLUMNS] +
                    [[r[c] for c in trend_lib.ROW_COLUMNS] for r in rows])
    return _download(body, "text/csv; charset=utf-8", "kb-trends.csv")


@api.get("/api/trends.svg")
def trends_svg() -> Response:
    return Response(trend_svg(research.trends_or_400()), mimetype="image/svg+xml")


@api.get("/api/kwic")
def kwic_json() -> Response:
    return jsonify(research.kwic_or_400().to_dict())


@api.get("/api/kwic.csv")
def kwic_csv() -> Response:
    result = research.kwic_or_400()
    lines = [line.to_dict() for line in result.lines]
    columns = kwic_lib.LINE_COLUMNS
    body = csv_text([columns] + [[ln[c] for c in columns] for ln in lines])
    return _download(body, "text/csv; charset=utf-8",
                     research.download_name(f"kwic-{result.query}", "csv"))


#: style -> (media type, file extension) of a citation downloaded with ``download=1``.
_CITATION_FILES = {"apa": ("text/plain", "txt"), "chicago": ("text/plain", "txt"),
                   "bibtex": ("application/x-bibtex", "bib"),
                   "ris": ("application/x-research-info-systems", "ris")}


@api.get("/api/cite/<passage_id>")
def cite_json(passage_id: str) -> Response:
    """All styles, or ``style=apa|chicago|bibtex|ris`` alone; ``download=1`` for a file."""
    style = research.style_or_400()
    found = research.citation_of(passage_id)
    if not style:
        return jsonify(found.to_dict())
    if request.args.get("download"):
        media_type, extension = _CITATION_FILES[style]
        return _download(found.render(style), f"{media_type}; charset=utf-8",
                         f"kb-{passage_id}.{extension}")
    return jsonify({"passage_id": passage_id, "style": style,
                    "citation": found.render(style)})


@api.get("/api/export")
def export_results() -> Response:
    """Every matching passage, streamed chunk by chunk (never built whole in memory)."""
    result = research.export_or_400()
    response = Response(result.blocks, mimetype=result.media_type)
    name = research.download_name(request.args.get("q", ""), result.extension)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-KB-Total"] = str(result.total)
    return response


@api.get("/feed")
def feed() -> Response:
    return Response(research.feed_or_400(), mimetype="application/atom+xml")


@api.get("/api/new")
def new_json() -> Response:
    return jsonify(research.new_data())


@api.get("/api/topics/<topic_id>")
def topic_json(topic_id: str) -> Response:
    return jsonify(research.topic_data(topic_id))


@api.get("/api/sessions/<int:number>")
def session_json(number: int) -> Response:
    return jsonify(research.session_data(number))


def _download(body: str, media_type: str, name: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

