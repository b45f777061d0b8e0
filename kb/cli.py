"""The ``kb`` command: the one place that wires ingest, index and web together.

Each command validates its input, calls a library function and formats the answer; user
mistakes become a one-line message on stderr with a documented exit code, never a traceback:

====  ==============================================================
0     success
1     ingest finished but some files failed (each is listed)
2     usage error: a bad option or value (an unknown --session, ...)
3     no index yet: run ``kb ingest``
4     the index is locked by another writer
5     sessions.toml or topics.toml is malformed (file, line, reason)
6     no such document or passage
130   interrupted (Ctrl-C); 143 terminated (``kill PID``): the index keeps its last commit
====  ==============================================================
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

import index
import ingest
from kb import config
from kb.model import DOC_TYPES, LANGUAGES, Document, IngestReport, SearchRequest
from kb.output import (
    chosen_format,
    emit_json,
    emit_records,
    output_options,
    plain_snippet,
)
from kb.registry import Registry, RegistryError, load_registry
from kb.search import Library

EXIT_FAILED_FILES = 1
EXIT_NO_INDEX = 3
EXIT_LOCKED = 4
EXIT_REGISTRY = 5
EXIT_NOT_FOUND = 6
#: 128 + the signal's number, as shells report a process that a signal stopped.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


def _stopped(verb: str, ctx: click.Context) -> str:
    """The one line for a command stopped by a signal; for the commands that write, what it
    means for the index."""
    if ctx.invoked_subcommand == "ingest":
        return f"{verb}: the index keeps its last complete ingest; run `kb ingest` again to finish"
    return verb


class _Terminated(Exception):
    """SIGTERM during an ingest, raised in the main thread so the writer cancels cleanly."""


class KbError(click.ClickException):
    """A user-facing error with its own exit code and an optional hint."""

    def __init__(self, message: str, exit_code: int = 1, hint: str = "") -> None:
        super().__init__(message + (f"\n  hint: {hint}" if hint else ""))
        self.exit_code = exit_code


@dataclass
class Context:
    """Resolved once by the group: where the corpus and index are, and lazily the registries."""

    corpus: Path
    index_dir: Path
    _registry: Registry | None = field(default=None, repr=False)

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            try:
                self._registry = load_registry(self.corpus)
            except RegistryError as exc:
                raise KbError(str(exc), EXIT_REGISTRY,
                              "fix the registry file; the index was not touched") from None
        return self._registry

    def library(self) -> Library:
        if not index.index_exists(self.index_dir):
            raise KbError(f"no index at {self.index_dir}", EXIT_NO_INDEX,
                          "run `kb ingest` first (or point --index / KB_INDEX at one)")
        library = Library(self.index_dir, self.registry)
        click.get_current_context().call_on_close(library.close)
        return library


pass_context = click.make_pass_decorator(Context)


class _KbGroup(click.Group):
    """Turns the index's own errors into messages with exit codes, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except index.IndexMissing as exc:
            raise KbError(str(exc), EXIT_NO_INDEX) from None
        except KeyboardInterrupt:
            raise KbError(_stopped("interrupted", ctx), EXIT_INTERRUPTED) from None
        except _Terminated:
            raise KbError(_stopped("terminated", ctx), EXIT_TERMINATED) from None
        except index.KbIndexError as exc:
            raise KbError(str(exc)) from None


@click.group(cls=_KbGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--corpus", type=click.Path(path_type=Path), default=None,
              help=config.SETTINGS["corpus"].help + " [env KB_CORPUS; default ./corpus]")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
              help=config.SETTINGS["index"].help + " [env KB_INDEX; default ./.kb/index]")
@click.version_option(package_name="kb")
@click.pass_context
def cli(ctx: click.Context, corpus: Path | None, index_dir: Path | None) -> None:
    """kb: search what was said across the WIPO Conversation on IP and Frontier Technologies.

    Ingest a folder of pages, transcripts and papers, then search it from here or from the web UI
    (`kb serve`).
    """
    ctx.obj = Context(corpus=config.resolve("corpus", corpus),
                      index_dir=config.resolve("index", index_dir))


# --------------------------------------------------------------------------- ingest and extract


def run_ingest(ctx: Context, paths: list[Path], *, full: bool = False, dry_run: bool = False,
               progress: bool = False) -> IngestReport:
    """Bring the index in line with ``paths``; shared by `kb ingest` and `kb serve`."""
    registry = ctx.registry  # a malformed registry stops here, before the index is touched
    try:
        # A registry edit needs no special case here: each file's content hash covers the
        # registries, so ingest re-enriches every file as "updated".
        manifest = {} if full else index.read_manifest(ctx.index_dir)
    except index.IndexCorrupt as exc:
        # Written by an older kb: rebuilding is the only remedy, and ingest can do it unasked.
        click.echo(f"The index at {ctx.index_dir} cannot be read ({exc.reason}): rebuilding it.",
                   err=True)
        full, manifest = True, {}
    max_bytes = int(config.resolve("max_file_mb")) * 1_000_000
    bar: Any = None
    callback = None
    if progress and sys.stderr.isatty():
        bar = click.progressbar(length=1, label="Ingesting", file=sys.stderr)

        def callback(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

    try:
        changes, report = ingest.build_changes(paths, manifest, registry, full=full,
                                               max_bytes=max_bytes, progress=callback)
    finally:
        if bar is not None:
            bar.render_finish()
    if dry_run:
        return report
    changes.meta["ingested_at"] = str(time.time())
    changes.meta["roots"] = "\n".join(str(p.resolve()) for p in paths)
    if full or not changes.is_empty or not index.index_exists(ctx.index_dir):
        try:
            index.apply_changes(ctx.index_dir, changes, rebuild=full)
        except index.IndexLocked as exc:
            raise KbError(str(exc), EXIT_LOCKED) from None
    return report


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """``kill PID`` during an ingest unwinds like Ctrl-C (the writer cancels, its temporary
    files go) instead of stopping the process where it stands."""
    def terminated(signum: int, frame: object) -> None:
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, terminated)
    except ValueError:  # not the main thread (a test runner's worker): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@cli.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--full", is_flag=True, help="Rebuild the index from scratch.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
def ingest_command(ctx: Context, paths: tuple[Path, ...], full: bool, dry_run: bool,
                   as_json: bool) -> None:
    """Add, update and remove documents so the index matches PATHS (default: the corpus).

    Unchanged files are skipped; a file that cannot be read is reported and the rest ingested
    (exit status 1).
    """
    roots = list(paths) or [ctx.corpus]
    for root in roots:
        if not root.exists():
            raise click.BadParameter(f"{root} does not exist", param_hint="PATHS")
    with _terminate_cleanly():
        report = run_ingest(ctx, roots, full=full, dry_run=dry_run, progress=not as_json)
    if as_json:
        emit_json({"dry_run": dry_run, "index": str(ctx.index_dir), **report.to_dict()})
    else:
        _print_report(report, dry_run)
    if report.failed:
        sys.exit(EXIT_FAILED_FILES)


def _print_report(report: IngestReport, dry_run: bool, err: bool = False) -> None:
    """The per-file lines and the summary; `kb serve` sends them to stderr with its log."""
    verb = "would be " if dry_run else ""
    for label, items in (("added", report.added), ("updated", report.updated),
                         ("removed", report.removed)):
        for source in items:
            click.echo(f"  {verb}{label}: {source}", err=err)
    for source, canonical in report.duplicates.items():
        click.echo(f"  duplicate: {source} (same page as {canonical})", err=err)
    for failure in report.failed:
        click.echo(f"  FAILED: {failure.source}: {failure.reason}", err=True)
    click.echo(("Dry run: " if dry_run else "Ingest: ") + report.summary(), err=err)


@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Cleaned text, or metadata and passages as JSON.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one file per input (page.html -> DIR/page.html.txt or .json).")
@pass_context
def extract_command(ctx: Context, paths: tuple[Path, ...], fmt: str, out_dir: Path | None) -> None:
    """Show what the pipeline derives from files, without touching the index."""
    failed = 0
    max_bytes = int(config.resolve("max_file_mb")) * 1_000_000
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    for source_file, outcome in ingest.extract(list(paths), ctx.registry, max_bytes=max_bytes):
        if not isinstance(outcome, Document):
            failed += 1
            click.echo(f"FAILED: {outcome.source}: {outcome.reason}", err=True)
            continue
        if fmt == "json":
            body = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2) + "\n"
        else:
            body = ingest.render_text(outcome) + "\n"
        if out_dir is None:
            if fmt == "text" and len(paths) > 1:
                click.echo(f"==> {source_file.source} <==")
            click.echo(body, nl=False)
        else:
            target = out_dir / f"{source_file.source}.{'json' if fmt == 'json' else 'txt'}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    if failed:
        sys.exit(EXIT_FAILED_FILES)


# --------------------------------------------------------------------------------- searching


def _filter_options(func: Any) -> Any:
    options = [
        click.option("--session", "sessions", multiple=True, type=int,
                     help="Only this session number (repeat for several: OR)."),
        click.option("--topic", "topics", multiple=True, help="Only this topic id (repeatable)."),
        click.option("--type", "types", multiple=True, type=click.Choice(list(DOC_TYPES)),
                     help="Only this document type (repeatable)."),
        click.option("--year", "years", multiple=True, type=int,
                     help="Only this year (repeatable)."),
        click.option("--speaker", "speakers", multiple=True,
                     help="Only this speaker (repeatable)."),
        click.option("--lang", "languages", multiple=True, type=click.Choice(list(LANGUAGES)),
                     help="Only this language (repeatable)."),
        click.option("--source", "sources", multiple=True,
                     help="Only this site or folder (repeatable)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _request(ctx: Context, query: str, filters: dict[str, tuple[Any, ...]], **extra: Any
             ) -> SearchRequest:
    registry = ctx.registry
    for number in filters["sessions"]:
        if number not in registry.sessions:
            known = ", ".join(str(n) for n in registry.sessions)
            raise click.BadParameter(f"there is no session {number} (known: {known})",
                                     param_hint="--session")
    for topic in filters["topics"]:
        if topic not in registry.topics:
            raise click.BadParameter(
                f"unknown topic {topic!r}; `kb topics` lists them", param_hint="--topic")
    return SearchRequest(query=query, **{k: list(v) for k, v in filters.items()}, **extra)


@cli.command("search")
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--sort", type=click.Choice(["relevance", "date", "date-asc"]), default="relevance",
              show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Results per page.")
@click.option("--page", type=click.IntRange(1, None), default=1, show_default=True)
@click.option("--flat", is_flag=True, help="List passages, not documents with their passages.")
@click.option("--more", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Further matching passages shown per document.")
@output_options()
@pass_context
def search_command(ctx: Context, query: tuple[str, ...], sort: str, limit: int, page: int,
                   flat: bool, more: int, fmt: str, as_json: bool, **filters: tuple[Any, ...]
                   ) -> None:
    """Search the index: words, "phrases", AND/OR/NOT, -word, field:value (see README).

    An empty QUERY with filters lists everything that matches the filters.
    """
    request = _request(ctx, " ".join(query), filters, sort=sort, page=page, page_size=limit,
                       group="flat" if flat else "document", more_per_document=more)
    result = ctx.library().search(request)
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        emit_json(result.to_dict())
        return
    rows = [_hit_row(rank, hit) for rank, hit in
            enumerate(result.hits, start=(result.page - 1) * result.page_size + 1)]
    if fmt in ("jsonl", "csv"):
        emit_records(rows, fmt, _HIT_COLUMNS)
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    unit = result.unit[:-1] if result.total == 1 else result.unit
    click.echo(f"{result.total} {unit} for {result.understood or 'everything'}"
               f" (page {result.page} of {result.pages})")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    for row in rows:
        click.echo(_hit_block(row))


_HIT_COLUMNS = ["rank", "doc_id", "passage_id", "source", "title", "type", "date", "sessions",
                "topics", "speaker", "score", "snippet"]


def _hit_row(rank: int, hit: Any) -> dict[str, Any]:
    row = {c: getattr(hit, c, None) for c in _HIT_COLUMNS if c != "rank"}
    row["rank"] = rank
    row["snippet"] = plain_snippet(hit.snippet)
    return row


def _hit_block(row: dict[str, Any]) -> str:
    sessions = ", ".join(str(s) for s in row["sessions"]) or "-"
    head = f"{row['rank']:>3}. {row['title']}  [session {sessions}; {row['type']}"
    head += f"; {row['date']}]" if row["date"] else "]"
    lines = [head]
    if row["speaker"]:
        lines.append(f"     {row['speaker']}:")
    lines += textwrap.wrap(row["snippet"], 96, initial_indent="     ", subsequent_indent="     ")
    lines.append(f"     {row['source']}#p-{row['passage_id']}")
    return "\n".join(lines)


@cli.command("facets")
@click.argument("query", nargs=-1)
@_filter_options
@output_options()
@pass_context
def facets_command(ctx: Context, query: tuple[str, ...], fmt: str, as_json: bool,
                   **filters: tuple[Any, ...]) -> None:
    """Facet counts (documents per session, topic, type, ...) for QUERY, without the hits."""
    result = ctx.library().search(_request(ctx, " ".join(query), filters, page_size=1))
    rows = [{"facet": name, **value.to_dict()}
            for name, values in result.facets.items() for value in values]
    emit_records(rows, chosen_format(fmt, as_json), ["facet", "value", "count", "label"])


@cli.command("show")
@click.argument("item_id")
@output_options(("table", "json"))
@pass_context
def show_command(ctx: Context, item_id: str, fmt: str, as_json: bool) -> None:
    """Show a document (by doc id) or a passage (by passage id) with its metadata."""
    library = ctx.library()
    document = library.document(item_id)
    passage = None if document else library.passage(item_id)
    if document is None and passage is None:
        raise KbError(f"no document or passage with id {item_id!r}", EXIT_NOT_FOUND,
                      "ids appear in `kb search --json` as doc_id and passage_id")
    if chosen_format(fmt, as_json) == "json":
        emit_json(document.to_dict() if document else passage.to_dict())
        return
    if passage is not None:
        document = library.document(passage.doc_id)
    assert document is not None
    fields = [("id", document.doc_id), ("title", document.title), ("type", document.doc_type),
              ("date", document.date), ("source", document.source), ("url", document.url),
              ("language", document.language),
              ("sessions", ", ".join(ctx.registry.session_label(s) for s in document.sessions)),
              ("topics", ", ".join(ctx.registry.topic_label(t) for t in document.topics)),
              ("speakers", ", ".join(document.speakers)),
              ("key phrases", ", ".join(document.key_phrases)),
              ("also at", ", ".join(document.duplicates))]
    for name, value in fields:
        if value:
            click.echo(f"{name:>12}: {value}")
    shown = [passage] if passage is not None else document.passages
    for p in shown:
        label = f"[{p.passage_id}]" + (f" {p.speaker}:" if p.speaker else "")
        click.echo(f"\n{label}\n{p.text}")


@cli.command("similar")
@click.argument("passage_id")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@output_options()
@pass_context
def similar_command(ctx: Context, passage_id: str, limit: int, fmt: str, as_json: bool) -> None:
    """Passages most like PASSAGE_ID ("more like this")."""
    library = ctx.library()
    if library.passage(passage_id) is None:
        raise KbError(f"no passage with id {passage_id!r}", EXIT_NOT_FOUND)
    hits = library.similar(passage_id, limit)
    rows = [_hit_row(rank, hit) for rank, hit in enumerate(hits, start=1)]
    fmt = chosen_format(fmt, as_json)
    if fmt == "table":
        click.echo("\n".join(_hit_block(r) for r in rows) or "nothing similar found")
    else:
        emit_records(rows, fmt, _HIT_COLUMNS)


@cli.command("sessions")
@output_options()
@pass_context
def sessions_command(ctx: Context, fmt: str, as_json: bool) -> None:
    """The session registry, with how many documents and passages each session has."""
    if index.index_exists(ctx.index_dir):
        rows = ctx.library().sessions_overview()
    else:
        rows = [dict(s.to_dict(), documents=0, passages=0) for s in ctx.registry.sessions.values()]
    emit_records(rows, chosen_format(fmt, as_json),
                 ["number", "start", "end", "format", "documents", "passages", "title"])


@cli.command("topics")
@output_options()
@pass_context
def topics_command(ctx: Context, fmt: str, as_json: bool) -> None:
    """The topic taxonomy, with how many documents each topic has."""
    if index.index_exists(ctx.index_dir):
        rows = ctx.library().topics_overview()
    else:
        rows = [dict(t.to_dict(), documents=0, by_session={}) for t in ctx.registry.topics.values()]
    emit_records(rows, chosen_format(fmt, as_json), ["id", "documents", "label"])


@cli.command("stats")
@output_options(("table", "json"))
@pass_context
def stats_command(ctx: Context, fmt: str, as_json: bool) -> None:
    """Size of the index and counts per facet."""
    stats = ctx.library().stats()
    if chosen_format(fmt, as_json) == "json":
        emit_json(stats)
        return
    for key in ("documents", "passages", "generation", "last_modified"):
        click.echo(f"{key:>14}: {stats.get(key, '')}")
    for facet, counts in stats.get("facets", {}).items():
        top = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:8]
        click.echo(f"{facet:>14}: " + ", ".join(f"{v} ({n})" for v, n in top))


# ----------------------------------------------------------------------------------- serving


def index_is_stale(ctx: Context) -> bool:
    """True when the index is missing or anything in the corpus is newer than the last ingest."""
    if not index.index_exists(ctx.index_dir):
        return True
    try:
        meta = index.read_meta(ctx.index_dir)
    except index.IndexCorrupt:
        return True
    if meta.get("registry") != ctx.registry.digest:
        return True
    ingested_at = float(meta.get("ingested_at", "0") or 0)
    if str(ctx.corpus.resolve()) not in meta.get("roots", "").splitlines():
        return True
    return any(p.stat().st_mtime > ingested_at
               for p in [ctx.corpus, *ctx.corpus.rglob("*")] if not p.name.startswith("."))


@cli.command("serve")
@click.option("--host", default=None, help="Address to listen on. [env KB_HOST; 127.0.0.1]")
@click.option("--port", type=int, default=None, help="Port to listen on. [env KB_PORT; 5000]")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Worker threads. [env KB_THREADS; 8]")
@click.option("--no-ingest", is_flag=True, help="Serve the index as it is, even if stale.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
              help="Index folder (same as `kb --index DIR serve`).")
@pass_context
def serve_command(ctx: Context, host: str | None, port: int | None, threads: int | None,
                  no_ingest: bool, index_dir: Path | None) -> None:
    """Serve the web UI, ingesting the corpus first when the index is missing or stale."""
    import waitress

    import web

    if index_dir is not None:
        ctx.index_dir = index_dir

    if not no_ingest and index_is_stale(ctx):
        click.echo(f"Index at {ctx.index_dir} is missing or older than {ctx.corpus}: ingesting.",
                   err=True)
        report = run_ingest(ctx, [ctx.corpus], progress=True)
        _print_report(report, dry_run=False, err=True)
    host = config.resolve("host", host)
    port = config.resolve("port", port)
    app = web.create_app({"KB_INDEX": ctx.index_dir, "KB_CORPUS": ctx.corpus})
    stats = ctx.library().stats()
    click.echo(f"kb: {stats['documents']} documents, {stats['passages']} passages. "
               f"Open http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    waitress.serve(web.access_log(app), host=host, port=port,
                   threads=config.resolve("threads", threads), ident="kb")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kb")
