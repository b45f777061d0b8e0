"""The ``kb`` command: the one place that wires ingest, index and web together.

Each command validates its input, calls a library function and formats the answer; user
mistakes become a one-line message on stderr with a documented exit code, never a traceback:

====  ==============================================================
0     success
1     ingest finished but some files failed (each is listed); ``kb sessions --check`` found
      documents about sessions that sessions.toml lacks
2     usage error: a bad option or value (an unknown --session, ...)
3     no index yet: run ``kb ingest``
4     the index is locked by another writer
5     sessions.toml or topics.toml is malformed (file, line, reason)
6     no such document or passage
7     ``kb serve`` cannot listen on its address (the port is taken)
130   interrupted (Ctrl-C); 143 terminated (``kill PID``): the index keeps its last commit
====  ==============================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import signal
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import click

import index
from kb import config
from kb.facets import BY_NAME, DECLARED, Facet
from kb.model import (
    MAX_MORE_PER_DOCUMENT,
    MAX_PAGE_SIZE,
    SORTS,
    Document,
    IngestReport,
    Passage,
    SearchRequest,
    SessionGap,
    Skipped,
)
from kb.output import (
    FORMATS,
    chosen_format,
    echo,
    emit_json,
    emit_records,
    one_line,
    output_options,
    plain_snippet,
    terminal_safe,
)
from kb.refs import FORMS, parse_reference
from kb.registry import Registry, RegistryError, load_registry
from kb.search import Library

if TYPE_CHECKING:
    import ingest

EXIT_FAILED_FILES = 1
EXIT_USAGE = 2
EXIT_NO_INDEX = 3
EXIT_LOCKED = 4
EXIT_REGISTRY = 5
EXIT_NOT_FOUND = 6
EXIT_ADDRESS = 7
#: 128 + the signal's number, as shells report a process that a signal stopped.
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


def _stopped(verb: str, ctx: click.Context) -> str:
    """The one line for a command stopped by a signal; for the commands that write, what it
    means for the index."""
    if ctx.invoked_subcommand == "ingest":
        return f"{verb}: the index keeps its last complete ingest; run `kb ingest` again to finish"
    return verb


class _Terminated(BaseException):
    """SIGTERM during an ingest, raised in the main thread so the writer cancels cleanly.

    A BaseException, as KeyboardInterrupt is: raised wherever the main thread happens to be, it
    must pass through the ``except Exception`` of code that turns any failure into its own error
    (opening the index made it an IndexCorrupt, exit 1, instead of exit 143)."""


class KbError(click.ClickException):
    """A user-facing error with its own exit code and an optional hint."""

    def __init__(self, message: str, exit_code: int = 1, hint: str = "") -> None:
        super().__init__(message + (f"\n  hint: {hint}" if hint else ""))
        # click types exit_code as a ClassVar, yet its main() reads it from the raised instance
        # (click.exceptions.ClickException.show / BaseCommand.main): a per-error code is sound.
        self.exit_code = exit_code  # type: ignore[misc]

    def format_message(self) -> str:
        # Messages quote ids, paths and index errors: shown through the terminal sanitiser.
        return terminal_safe(self.message)


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
        library = Library(self.index_dir, self.registry, registry_dir=self.corpus)
        click.get_current_context().call_on_close(library.close)
        return library


pass_context = click.make_pass_decorator(Context)


class _TextArguments(click.Command):
    """Every command-line value must be UTF-8 text: a value that is not (a byte such as
    ``$'\\xff'``, which Python carries as a lone surrogate) is a usage error naming the
    parameter, not a traceback wherever it is first encoded. Paths too: kb stores file and
    folder names in the index and prints them, so it cannot take a name it cannot write."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError as exc:
            # click quotes the bad value in its message ("'\x1b[2J' is not one of ...").
            # click types message Final, yet it is only read when the error is shown: rewording
            # it here, before that, is what keeps a typed escape sequence off the terminal.
            exc.message = one_line(exc.message)  # type: ignore[misc]
            raise
        for param in self.params:
            values = ctx.params.get(param.name or "")
            for value in values if isinstance(values, tuple | list) else [values]:
                if isinstance(value, str | Path) and not _is_text(str(value)):
                    raise click.BadParameter(
                        f"'{one_line(value)}' is not valid UTF-8 text; kb reads what you type "
                        "as UTF-8 (check the terminal's encoding, e.g. LANG=C.UTF-8)",
                        ctx=ctx, param=param)
        return rest


class _KbCommand(_TextArguments, click.Command):
    """A kb command: its values are checked to be text (see :class:`_TextArguments`)."""


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _KbGroup(_TextArguments, click.Group):
    """Turns the index's own errors into messages with exit codes, for every command."""

    command_class = _KbCommand

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # "No such command '...'" quotes what was typed
            # click types message Final, yet it is only read when the error is shown: rewording
            # it here, before that, is what keeps a typed escape sequence off the terminal.
            exc.message = one_line(exc.message)  # type: ignore[misc]
            raise
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
    if not _is_text(str(ctx.obj.corpus)):  # a flag was checked already: this came from KB_CORPUS
        raise click.BadParameter(
            f"'{one_line(ctx.obj.corpus)}' is not valid UTF-8 text; kb stores the corpus "
            "folder's name in the index (rename it, or point --corpus at a UTF-8 path)",
            param_hint="KB_CORPUS")


# --------------------------------------------------------------------------- ingest and extract


def run_ingest(ctx: Context, paths: list[Path], *, full: bool = False, dry_run: bool = False,
               progress: bool = False, follow_links: bool = False) -> IngestReport:
    """Bring the index in line with ``paths``; shared by `kb ingest` and `kb serve`."""
    import ingest  # the readers cost a quarter of a second: only commands that ingest load them

    registry = ctx.registry  # a malformed registry stops here, before the index is touched
    try:
        # A registry edit needs no special case here: each file's content hash covers the
        # registries, so ingest re-enriches every file as "updated".
        manifest = {} if full else index.read_manifest(ctx.index_dir)
    except index.IndexCorrupt as exc:
        # Written by an older kb: rebuilding is the only remedy, and ingest can do it unasked.
        echo(f"The index at {ctx.index_dir} cannot be read ({exc.reason}): rebuilding it.",
                   err=True)
        full, manifest = True, {}
    bar: Any = None
    callback = None
    if progress and sys.stderr.isatty():
        bar = click.progressbar(length=1, label="Ingesting", file=sys.stderr)

        def callback(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

    try:
        changes, report = ingest.build_changes(paths, manifest, registry, full=full,
                                               limits=_limits(), follow_links=follow_links,
                                               progress=callback)
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


def _terminate_cleanly() -> contextlib.AbstractContextManager[None]:
    """``kill PID`` during an ingest unwinds like Ctrl-C (the writer cancels, its temporary
    files go) instead of stopping the process where it stands."""
    return _on_sigterm(_Terminated)


@contextlib.contextmanager
def _on_sigterm(raised: Callable[[], BaseException]) -> Iterator[None]:
    """Within the block, SIGTERM raises ``raised()`` in the main thread."""
    def handler(signum: int, frame: object) -> None:
        raise raised()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (a test runner's worker): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _limits() -> ingest.Limits:
    """What one file may cost an ingest, from the settings (see the README)."""
    import ingest

    return ingest.Limits(max_bytes=int(config.resolve("max_file_mb")) * 1_000_000,
                         seconds=float(config.resolve("read_seconds")),
                         memory_bytes=int(config.resolve("read_memory_mb")) * 1_000_000,
                         unpacked_bytes=int(config.resolve("max_unpacked_mb")) * 1_000_000)


@cli.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--full", is_flag=True, help="Rebuild the index from scratch.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--follow-links", is_flag=True,
              help="Also read symbolic links that lead outside the ingested folders.")
@pass_context
def ingest_command(ctx: Context, paths: tuple[Path, ...], full: bool, dry_run: bool,
                   as_json: bool, follow_links: bool) -> None:
    """Add, update and remove documents so the index matches PATHS (default: the corpus).

    Unchanged files are skipped; a file that cannot be read is reported and the rest ingested
    (exit status 1).
    """
    roots = list(paths) or [ctx.corpus]
    for root in roots:
        if not root.exists():
            raise click.BadParameter(f"{root} does not exist", param_hint="PATHS")
    with _terminate_cleanly():
        report = run_ingest(ctx, roots, full=full, dry_run=dry_run, progress=not as_json,
                            follow_links=follow_links)
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
            echo(f"  {verb}{label}: {one_line(source)}", err=err)
    for source, canonical in report.duplicates.items():
        echo(f"  duplicate: {one_line(source)} (same page as {one_line(canonical)})", err=err)
    for skipped in report.skipped:
        echo(f"  skipped: {one_line(skipped.source)}: {one_line(skipped.reason)}", err=err)
    for warning in report.warnings:
        echo(f"  warning: {one_line(warning.source)}: {one_line(warning.reason)}", err=True)
    for failure in report.failed:
        echo(f"  FAILED: {one_line(failure.source)}: {one_line(failure.reason)}", err=True)
    _print_gaps(report.session_gaps, err=True)
    echo(("Dry run: " if dry_run else "Ingest: ") + report.summary(), err=err)


def _print_gaps(gaps: list[SessionGap], err: bool = False) -> None:
    """Each session the registry lacks, with the files about it and a stanza to paste."""
    from ingest.enrich.gaps import stanza  # its date and session patterns cost a second cold

    by_number: dict[int, list[SessionGap]] = {}
    for gap in gaps:
        by_number.setdefault(gap.number, []).append(gap)
    for number, found in sorted(by_number.items()):
        guessed = " (number guessed: the next one)" if found[0].guessed else ""
        echo(f"  new session: session {number}{guessed} is not in sessions.toml; "
             f"documents about it were ingested all the same:", err=err)
        for gap in found:
            echo(f"    {one_line(gap.source)}: saw {one_line('; '.join(gap.seen))}", err=err)
        best = max(found, key=lambda g: (bool(g.start), bool(g.symbol)))
        echo("    add to sessions.toml (then run `kb ingest`):", err=err)
        echo(textwrap.indent(terminal_safe(stanza(best)), "      "), err=err)


@cli.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Cleaned text, or metadata and passages as JSON.")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one file per input (page.html -> DIR/page.html.txt or .json).")
@pass_context
def extract_command(ctx: Context, paths: tuple[Path, ...], fmt: str, out_dir: Path | None) -> None:
    """Show what the pipeline derives from files, without touching the index."""
    import ingest

    failed = 0
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    for source_file, outcome in ingest.extract(list(paths), ctx.registry, limits=_limits()):
        if isinstance(outcome, Skipped):
            echo(f"skipped: {one_line(outcome.source)}: {one_line(outcome.reason)}", err=True)
            continue
        if not isinstance(outcome, Document):
            failed += 1
            echo(f"FAILED: {one_line(outcome.source)}: {one_line(outcome.reason)}", err=True)
            continue
        for warning in outcome.warnings:
            echo(f"warning: {one_line(outcome.source)}: {one_line(warning)}", err=True)
        if fmt == "json":
            body = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2) + "\n"
        else:
            body = ingest.render_text(outcome) + "\n"
        if out_dir is None:
            if fmt == "text" and len(paths) > 1:
                echo(f"==> {one_line(source_file.source)} <==")
            echo(body, nl=False)
        else:
            target = out_dir / f"{source_file.source}.{'json' if fmt == 'json' else 'txt'}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    if failed:
        sys.exit(EXIT_FAILED_FILES)


# --------------------------------------------------------------------------------- searching


def _filter_options(func: Any) -> Any:
    """One option per declared facet (kb.facets), named as its URL parameter, then
    --include-mentions."""
    options = [click.option(facet.option, facet.request_field, multiple=True,
                            type=_option_type(facet), help=facet.help) for facet in DECLARED]
    options.append(click.option(
        "--include-mentions", is_flag=True,
        help="--session and the session facet also count passages that only mention a "
             "session, not just those about it."))
    for option in reversed(options):
        func = option(func)
    return func


def _option_type(facet: Facet) -> click.ParamType | type[int] | None:
    """How click reads a facet's values: sessions and years are numbers, a choice one of its
    values, anything else text."""
    if facet.kind == "choice":
        return click.Choice(list(facet.choices))
    return int if facet.kind in ("session", "year") else None


def _request(ctx: Context, query: str, filters: dict[str, Any], **extra: Any
             ) -> SearchRequest:
    """The request, checked: a session or topic must be in the registry or held by the index
    (documents about a session that sessions.toml does not list yet)."""
    registry = ctx.registry
    include_mentions = bool(filters.pop("include_mentions", False))
    for number in filters["sessions"]:
        if number not in registry.sessions and str(number) not in ctx.library().held("session"):
            known = ", ".join(str(n) for n in registry.sessions)
            raise click.BadParameter(f"there is no session {number} (known: {known})",
                                     param_hint="--session")
    for topic in filters["topics"]:
        if topic not in registry.topics and topic not in ctx.library().held("topic"):
            raise click.BadParameter(
                f"unknown topic {topic!r}; `kb topics` lists them", param_hint="--topic")
    facets: dict[str, Any] = {k: list(v) for k, v in filters.items()}  # sessions=[9], ...
    return SearchRequest(query=query, **facets, include_mentions=include_mentions, **extra)


@cli.command("search")
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--sort", type=click.Choice(list(SORTS)), default="relevance",
              show_default=True)
@click.option("--limit", type=click.IntRange(1, MAX_PAGE_SIZE), default=10, show_default=True,
              help="Results per page.")
@click.option("--page", type=click.IntRange(1, None), default=1, show_default=True)
@click.option("--flat", is_flag=True, help="List passages, not documents with their passages.")
@click.option("--more", type=click.IntRange(0, MAX_MORE_PER_DOCUMENT), default=2, show_default=True,
              help="Further matching passages shown per document.")
@click.option("--no-expand", "no_expand", is_flag=True,
              help="Search only the words typed, not their glossary forms (glossary.toml).")
@click.option("--all", "all_passages", is_flag=True,
              help="Stream every matching passage with its full text (not one page): "
                   "--format csv (the default here), jsonl, ris or bibtex.")
@click.option("--base-url", default=None,
              help="Where kb is served, for permalinks in --all exports. [env KB_BASE_URL]")
@output_options((*FORMATS, "ris", "bibtex"))
@pass_context
def search_command(ctx: Context, query: tuple[str, ...], sort: str, limit: int, page: int,
                   flat: bool, more: int, no_expand: bool, all_passages: bool,
                   base_url: str | None, fmt: str, as_json: bool,
                   **filters: tuple[Any, ...]) -> None:
    """Search the index: words, "phrases", AND/OR/NOT, -word, field:value (see README).

    An empty QUERY with filters lists everything that matches the filters.
    """
    request = _request(ctx, " ".join(query), filters, sort=sort, page=page, page_size=limit,
                       group="flat" if flat else "document", more_per_document=more,
                       expand=not no_expand)
    if all_passages or fmt in ("ris", "bibtex"):
        _export_all(ctx, request, "csv" if fmt == "table" and not as_json else fmt,
                    all_passages, base_url)
        return
    result = ctx.library().search_to_last(request)
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
        echo(f"note: {one_line(note)}", err=True)
    unit = result.unit[:-1] if result.total == 1 else result.unit
    echo(f"{result.total} {unit} for {one_line(result.understood) or 'everything'}"
               f" (page {result.page} of {result.pages})")
    if result.also_searched:
        echo(f"Also searched: {one_line(', '.join(result.also_searched))} (--no-expand: only "
             "the words typed)")
    if result.suggestion:
        echo(f"Did you mean: {one_line(result.suggestion)}")
    for row, hit in zip(rows, result.hits, strict=True):
        echo(_hit_block(row))
        for further in hit.more:
            echo(_more_block(_hit_row(0, further)))


_HIT_COLUMNS = ["rank", "doc_id", "passage_id", "source", "title", "type", "date", "sessions",
                "topics", "speaker", "score", "snippet"]


def _hit_row(rank: int, hit: Any) -> dict[str, Any]:
    row = {c: getattr(hit, c, None) for c in _HIT_COLUMNS if c != "rank"}
    row["rank"] = rank
    row["snippet"] = plain_snippet(hit.snippet)
    return row


def _hit_block(row: dict[str, Any]) -> str:
    sessions = ", ".join(str(s) for s in row["sessions"]) or "-"
    head = f"{row['rank']:>3}. {one_line(row['title'])}  [session {sessions}; {row['type']}"
    head += f"; {row['date']}]" if row["date"] else "]"
    lines = [head]
    if row["speaker"]:
        lines.append(f"     {one_line(row['speaker'])}:")
    lines += textwrap.wrap(row["snippet"], 96, initial_indent="     ", subsequent_indent="     ")
    lines.append(f"     {one_line(row['source'])}#p-{row['passage_id']}")
    return "\n".join(lines)


def _more_block(row: dict[str, Any]) -> str:
    """A further passage of the hit above it (``--more``), indented under it."""
    lines = [f"       + {one_line(row['speaker'])}:"] if row["speaker"] else []
    lines += textwrap.wrap(row["snippet"], 92, initial_indent="       + " if not lines else
                           "         ", subsequent_indent="         ")
    lines.append(f"         {one_line(row['source'])}#p-{row['passage_id']}")
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
@click.argument("reference", metavar="REFERENCE")
@output_options(("table", "json"))
@pass_context
def show_command(ctx: Context, reference: str, fmt: str, as_json: bool) -> None:
    """Show a document or a passage with its metadata.

    REFERENCE is any form kb prints: a doc_id or passage_id, p-<passage_id>,
    <source>#p-<passage_id> as `kb search` shows it, or a /doc/<doc_id>#p-<passage_id> link.
    """
    library = ctx.library()
    found = _lookup(library, reference)
    passage = found if isinstance(found, Passage) else None
    document = found if isinstance(found, Document) else library.document(found.doc_id)
    if chosen_format(fmt, as_json) == "json":
        emit_json(found.to_dict())
        return
    assert document is not None
    fields = [("doc_id", document.doc_id),
              ("passage_id", passage.passage_id if passage else ""),
              ("title", document.title), ("type", document.doc_type),
              ("date", document.date), ("source", document.source), ("url", document.url),
              ("language", document.language),
              ("sessions", ", ".join(ctx.registry.session_label(s) for s in document.sessions)),
              ("topics", ", ".join(ctx.registry.topic_label(t) for t in document.topics)),
              ("speakers", ", ".join(document.speakers)),
              ("key phrases", ", ".join(document.key_phrases)),
              ("also at", ", ".join(document.duplicates))]
    for name, value in fields:
        if value:
            echo(f"{name:>12}: {one_line(value)}")
    shown = [passage] if passage is not None else document.passages
    for p in shown:
        label = f"[{p.passage_id}]" + (f" {one_line(p.speaker)}:" if p.speaker else "")
        echo(f"\n{label}\n{p.text}")


def _lookup(library: Library, text: str) -> Document | Passage:
    """The document or passage a reference names (see kb.refs), or a message saying which
    forms a reference takes: exit 2 when ``text`` is none of them, 6 when nothing matches."""
    reference = parse_reference(text)
    if reference is None:
        raise KbError(f"{text!r} is not a reference kb understands", EXIT_USAGE, f"give {FORMS}")
    for kind, item_id in reference.candidates:
        found = library.document(item_id) if kind == "document" else library.passage(item_id)
        if found is not None:
            return found
    doc_part, _, passage_part = text.strip().rpartition("#p-")
    owner = _owner(library, doc_part) if doc_part else None
    if owner is not None:
        raise KbError(f"passage {passage_part!r} is no longer in the index: its text changed "
                      f"when the document was ingested again. It belonged to document "
                      f"{owner.doc_id} ({one_line(owner.source)}: {one_line(owner.title)})",
                      EXIT_NOT_FOUND, f"`kb show {owner.doc_id}` shows the document as it is now")
    raise KbError(f"no document or passage {text!r}", EXIT_NOT_FOUND,
                  f"give {FORMS}; `kb search --json` lists doc_id and passage_id")


def _owner(library: Library, doc_part: str) -> Document | None:
    """The document a link's doc part names: a doc id, a /doc/<id> URL or a source path."""
    from ingest.identity import document_id  # not the package's readers

    name = doc_part.split("?", 1)[0].rstrip("/").rsplit("/doc/", 1)[-1]
    return library.document(name) or library.document(document_id(name))


@cli.command("similar")
@click.argument("reference", metavar="PASSAGE")
@click.option("--limit", type=click.IntRange(1, MAX_PAGE_SIZE), default=10, show_default=True)
@output_options()
@pass_context
def similar_command(ctx: Context, reference: str, limit: int, fmt: str, as_json: bool) -> None:
    """Passages most like PASSAGE ("more like this").

    PASSAGE is a passage_id, p-<passage_id>, <source>#p-<passage_id> as `kb search` shows
    it, or a /doc/<doc_id>#p-<passage_id> link.
    """
    library = ctx.library()
    found = _lookup(library, reference)
    if not isinstance(found, Passage):
        first = f" (its first passage is p-{found.passages[0].passage_id})" \
            if found.passages else ""
        raise KbError(f"{reference!r} is a document, not a passage{first}", EXIT_USAGE,
                      "`kb similar` compares one passage; `kb show DOC_ID` lists them")
    hits = library.similar(found.passage_id, limit)
    rows = [_hit_row(rank, hit) for rank, hit in enumerate(hits, start=1)]
    fmt = chosen_format(fmt, as_json)
    if fmt == "table":
        echo("\n".join(_hit_block(r) for r in rows) or "nothing similar found")
    else:
        emit_records(rows, fmt, _HIT_COLUMNS)


@cli.command("sessions")
@click.option("--check", is_flag=True,
              help="List documents about sessions that sessions.toml lacks, each with a "
                   "[[session]] table to paste; exit 1 when there are any.")
@output_options()
@pass_context
def sessions_command(ctx: Context, check: bool, fmt: str, as_json: bool) -> None:
    """The session registry, with how many documents and passages each session has."""
    if check:
        gaps = session_gaps(ctx.library())
        if chosen_format(fmt, as_json) == "table":
            _print_gaps(gaps)
            click.echo(f"{len({g.number for g in gaps})} session(s) missing from "
                       f"{ctx.corpus / 'sessions.toml'}" if gaps else
                       "sessions.toml lists every session the index holds documents about")
        else:
            from ingest.enrich.gaps import stanza

            emit_records([{**g.to_dict(), "stanza": stanza(g)} for g in gaps],
                         chosen_format(fmt, as_json),
                         ["number", "source", "start", "end", "seen"])
        if gaps:
            sys.exit(EXIT_FAILED_FILES)
        return
    if index.index_exists(ctx.index_dir):
        rows = ctx.library().sessions_overview()
    else:
        rows = [dict(s.to_dict(), documents=0, passages=0) for s in ctx.registry.sessions.values()]
    emit_records(rows, chosen_format(fmt, as_json),
                 ["number", "start", "end", "format", "documents", "passages", "title"])


def session_gaps(library: Library) -> list[SessionGap]:
    """Gaps of the registry as it is now, from the documents the index holds: those about a
    session number it lacks, and those dated after its last session."""
    from ingest.enrich.gaps import find_gaps

    registry = library.registry
    held = library.held("session")
    candidates = [SearchRequest(sessions=[int(v)], page_size=100) for v in sorted(held)
                  if v.isdigit() and int(v) not in registry.sessions]
    last_year = max((s.end.year for s in registry.sessions.values()), default=0)
    years = [int(y) for y in library.held("year") if y.isdigit() and int(y) >= last_year]
    if years:
        candidates.append(SearchRequest(years=years, page_size=100))
    doc_ids: dict[str, None] = {}
    for request in candidates:
        page = 1
        while True:
            result = library.search(dataclasses.replace(request, page=page))
            doc_ids.update((hit.doc_id, None) for hit in result.hits)
            if page >= result.pages:
                break
            page += 1
    gaps: dict[tuple[str, int], SessionGap] = {}
    for doc_id in doc_ids:
        document = library.document(doc_id)
        if document is not None:
            for gap in find_gaps(document, registry):
                gaps.setdefault((gap.source, gap.number), gap)
    return sorted(gaps.values(), key=lambda g: (g.number, g.source))


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


@cli.command("speakers")
@click.argument("speaker_id", required=False)
@click.option("--page", type=click.IntRange(1, None), default=1, show_default=True,
              help="Page of a speaker's passages (20 a page).")
@output_options()
@pass_context
def speakers_command(ctx: Context, speaker_id: str | None, page: int, fmt: str,
                     as_json: bool) -> None:
    """Everyone who speaks or is quoted; with SPEAKER_ID (as /speakers/<id> writes it), one
    speaker's role, sessions, topics and passages."""
    from kb.speaker_data import profile_to_dict, speaker_profile, speakers_overview

    fmt = chosen_format(fmt, as_json)
    if speaker_id is None:
        emit_records(speakers_overview(ctx.library()), fmt,
                     ["id", "passages", "documents", "name", "role", "organisation"])
        return
    profile = speaker_profile(ctx.library(), speaker_id, page)
    if profile is None:
        raise KbError(f"no speaker with id {speaker_id!r}", EXIT_NOT_FOUND,
                      "`kb speakers` lists everyone with their id")
    if fmt != "table":
        emit_json(profile_to_dict(profile)) if fmt == "json" else emit_records(
            [_hit_row(rank, hit) for rank, hit in enumerate(profile["hits"], start=1)], fmt,
            _HIT_COLUMNS)
        return
    for name in ("name", "role", "organisation", "country"):
        if profile[name]:
            click.echo(f"{name:>12}: {profile[name]}")
    click.echo(f"{'passages':>12}: {profile['passages']} in {profile['documents']} document(s)")
    click.echo(f"{'sessions':>12}: " + ", ".join(
        f"{s['label']} ({s['passages']})" for s in profile["sessions"]))
    click.echo(f"{'topics':>12}: " + ", ".join(
        f"{t['label']} ({t['passages']})" for t in profile["topics"]))
    first = (profile["page"] - 1) * profile["page_size"]
    rows = [_hit_row(first + rank, hit) for rank, hit in enumerate(profile["hits"], start=1)]
    click.echo("\n" + "\n".join(_hit_block(r) for r in rows))
    if profile["pages"] > 1:
        click.echo(f"(page {profile['page']} of {profile['pages']}; --page for more)")


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
        echo(f"{key:>14}: {stats.get(key, '')}")
    for facet, counts in stats.get("facets", {}).items():
        top = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:_STATS_VALUES]
        line = ", ".join(f"{one_line(v)} ({n})" for v, n in top)
        if len(counts) > _STATS_VALUES:
            line += f", … and {len(counts) - _STATS_VALUES} more (--json lists all)"
        echo(f"{facet:>14}: {line}")


#: Values shown per facet by `kb stats` (the most frequent first).
_STATS_VALUES = 8


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
    # lstat: a link is judged by itself, so a dangling one cannot stop the server starting.
    return any(p.lstat().st_mtime > ingested_at
               for p in [ctx.corpus, *ctx.corpus.rglob("*")] if not p.name.startswith("."))


@cli.command("serve")
@click.option("--host", default=None, help="Address to listen on. [env KB_HOST; 127.0.0.1]")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (0: any free port). [env KB_PORT; 5000]")
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Worker processes, each searching on its own core (0: one per core; 1: "
                   "serve from this process). [env KB_WORKERS; 0]")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Threads per worker. [env KB_THREADS; 8]")
@click.option("--no-ingest", is_flag=True, help="Serve the index as it is, even if stale.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), default=None,
              help="Index folder (same as `kb --index DIR serve`).")
@pass_context
def serve_command(ctx: Context, host: str | None, port: int | None, workers: int | None,
                  threads: int | None, no_ingest: bool, index_dir: Path | None) -> None:
    """Serve the web UI, ingesting the corpus first when the index is missing or stale."""
    from web.server import bound_port, listen
    from web.workers import default_workers

    if index_dir is not None:
        ctx.index_dir = index_dir

    if not no_ingest and index_is_stale(ctx):
        echo(f"Index at {ctx.index_dir} is missing or older than {ctx.corpus}: ingesting.",
             err=True)
        report = run_ingest(ctx, [ctx.corpus], progress=True)
        _print_report(report, dry_run=False, err=True)
    host = config.resolve("host", host)
    port = _whole_setting("port", port, 0, 65535)
    threads = _whole_setting("threads", threads, 1, 64)
    workers = _whole_setting("workers", workers, 0, 64) or default_workers()
    library = ctx.library()
    stats = library.counts()
    try:
        sockets = listen(host, port)
    except OSError as exc:
        raise _listen_error(exc, host, port) from None
    banner = (f"kb: {stats['documents']} documents, {stats['passages']} passages"
              f"{f', {workers} workers' if workers > 1 else ''}. "
              f"Open http://{host}:{bound_port(sockets)}/  (Ctrl+C to stop)")
    try:
        if workers == 1:
            _serve_here(ctx, library, sockets, threads, banner)
        else:
            _serve_forked(ctx, library, sockets, threads, workers, banner)
    finally:
        for sock in sockets:
            sock.close()


def _whole_setting(name: str, flag: int | None, low: int, high: int) -> int:
    """A whole-number setting of `kb serve` from its flag or environment variable, checked as
    click checks the flag (an environment variable is not)."""
    setting = config.SETTINGS[name]
    try:
        value = int(setting.resolve(flag))
    except ValueError as exc:
        raise KbError(str(exc), EXIT_USAGE) from None
    if not low <= value <= high:
        raise KbError(f"{setting.env} must be between {low} and {high}, got {value}", EXIT_USAGE)
    return value


def _serve_here(ctx: Context, library: Library, sockets: list[Any], threads: int,
                banner: str) -> None:
    """Serve from this process, until Ctrl-C or SIGTERM."""
    import web
    from web.server import make_server

    # One Library for the banner and every request: its per-generation caches are built once.
    app = web.create_app({"KB_INDEX": ctx.index_dir, "KB_CORPUS": ctx.corpus,
                          "KB_LIBRARY": library})
    server = make_server(web.access_log(app), sockets, threads)
    # Each new ingest's generation is prepared in a background thread, not by a request.
    library.follow()
    echo(banner, err=True)
    # waitress stops on SystemExit as on KeyboardInterrupt: it finishes the requests in hand.
    with _on_sigterm(lambda: SystemExit(0)):
        server.run()  # returns once Ctrl-C or SIGTERM stopped it
    echo("kb: stopped", err=True)


def _serve_forked(ctx: Context, library: Library, sockets: list[Any], threads: int,
                  workers: int, banner: str) -> None:
    """Serve from ``workers`` processes forked from this one, until Ctrl-C or SIGTERM."""
    import web
    from web.server import make_server
    from web.workers import Supervisor, WorkersFailed

    # Each worker opens the index after the fork: open files must not be shared by processes.
    library.close()

    def serve_one() -> None:
        # The closed Library reopens in the worker, mapping the generation's files before the
        # first request comes, and prepares each new generation in a background thread; a
        # request that comes before that thread is done waits for it, so no worker answers
        # from an older generation than another worker has shown (KbIndex.sync).
        library.follow()
        app = web.create_app({"KB_INDEX": ctx.index_dir, "KB_CORPUS": ctx.corpus,
                              "KB_LIBRARY": library})
        make_server(web.access_log(app), sockets, threads, workers).run()

    echo(banner, err=True)
    try:
        stopped = Supervisor(serve_one, workers).run()
    except WorkersFailed as exc:
        raise KbError(f"kb serve stopped: {exc}", 1,
                      "the lines above say why; `kb serve --workers 1` shows it in one process"
                      ) from None
    echo(f"kb: stopped ({signal.Signals(stopped).name}); all {workers} workers have exited",
         err=True)


def _listen_error(exc: OSError, host: str, port: int) -> KbError:
    """Why `kb serve` cannot listen, in words, with what to do instead."""
    if exc.errno == errno.EADDRINUSE:
        return KbError(f"port {port} on {host} is already in use by another program",
                       EXIT_ADDRESS, f"choose another port: kb serve --port {port + 1}"
                       if port < 65535 else "choose another port with --port")
    if exc.errno == errno.EACCES:
        return KbError(f"no permission to listen on port {port} on {host}", EXIT_ADDRESS,
                       "ports below 1024 need privileges; choose another with --port")
    return KbError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_ADDRESS,
                   "check --host (an address of this machine) and --port")

# ------------------------------------------------------------------------- research tools
# Trends, keyword in context, citations, exports, feeds and profiles: thin wrappers over
# kb.research, the functions the web pages and the JSON API call too.


def _base_url(flag: str | None) -> str:
    found = config.resolve("base_url", flag)
    return str(found or f"http://{config.resolve('host')}:{config.resolve('port')}")


def _export_all(ctx: Context, request: SearchRequest, fmt: str, all_passages: bool,
                base_url: str | None) -> None:
    from kb.research import export

    if fmt not in export.FORMATS:
        raise click.BadParameter(f"--all writes {', '.join(export.FORMATS)}, not {fmt}",
                                 param_hint="--format")
    if not all_passages:
        raise click.UsageError(f"--format {fmt} lists every matching passage: add --all")
    result = export.export(ctx.library(), request, fmt, _base_url(base_url))
    for block in result.blocks:
        click.echo(block, nl=False)


@cli.command("trend")
@click.argument("queries", nargs=-1, required=True)
@_filter_options
@output_options((*FORMATS, "svg"))
@pass_context
def trend_command(ctx: Context, queries: tuple[str, ...], fmt: str, as_json: bool,
                  **filters: tuple[Any, ...]) -> None:
    """Trends across sessions: documents and passages matching each QUERY per session, and
    passages per 1,000 of the session (quote a query of several words: 'training data')."""
    from kb.research import chart, trends
    from kb.research.export import csv_text

    try:
        result = trends.trends(ctx.library(), list(queries), _request(ctx, "", filters))
    except trends.TrendError as exc:
        raise click.UsageError(str(exc)) from None
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        emit_json(result.to_dict())
    elif fmt == "svg":
        click.echo(chart.trend_svg(result))
    elif fmt == "csv":
        click.echo(csv_text([trends.ROW_COLUMNS] + [[r[c] for c in trends.ROW_COLUMNS]
                                                    for r in result.rows()]), nl=False)
    else:
        emit_records(result.rows(), fmt, trends.ROW_COLUMNS)


@cli.command("kwic")
@click.argument("query", nargs=-1, required=True)
@_filter_options
@click.option("--sort", type=click.Choice(["document", "left", "right"]), default="document",
              show_default=True, help="Document order, or by the word before / after.")
@click.option("--width", type=click.IntRange(20, 200), default=60, show_default=True,
              help="Characters of context either side.")
@output_options()
@pass_context
def kwic_command(ctx: Context, query: tuple[str, ...], sort: str, width: int, fmt: str,
                 as_json: bool, **filters: tuple[Any, ...]) -> None:
    """Keyword in context: every occurrence of QUERY (words, or a "phrase") with the text
    around it, lined up."""
    from kb.research import kwic
    from kb.research.export import csv_text

    request = _request(ctx, " ".join(query), filters)
    try:
        result = kwic.concordance(ctx.library(), request, sort=sort, width=width)
    except kwic.KwicError as exc:
        raise click.UsageError(str(exc)) from None
    fmt = chosen_format(fmt, as_json)
    if fmt == "json":
        emit_json(result.to_dict())
        return
    rows = [line.to_dict() for line in result.lines]
    if fmt == "csv":
        click.echo(csv_text([kwic.LINE_COLUMNS] + [[r[c] for c in kwic.LINE_COLUMNS]
                                                   for r in rows]), nl=False)
        return
    if fmt == "jsonl":
        emit_records(rows, fmt, kwic.LINE_COLUMNS)
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for line in result.lines:
        click.echo(f"{line.passage_id}  {line.left.rjust(width)} [{line.match}] "
                   f"{line.right}".rstrip())
    click.echo(f"{len(result.lines)} occurrences in {result.passages} matching passages")


@cli.command("cite")
@click.argument("passage_id")
@click.option("--style", type=click.Choice(["apa", "chicago", "bibtex", "ris", "all"]),
              default="apa", show_default=True)
@click.option("--base-url", default=None,
              help="Where kb is served, for the passage permalink. [env KB_BASE_URL]")
@pass_context
def cite_command(ctx: Context, passage_id: str, style: str, base_url: str | None) -> None:
    """A citation of PASSAGE_ID in APA, Chicago, BibTeX or RIS (or all four)."""
    from kb.research import citation

    record = ctx.library().passage_record(passage_id)
    if record is None:
        raise KbError(f"no passage with id {passage_id!r}", EXIT_NOT_FOUND,
                      "passage ids appear in `kb search --json` as passage_id")
    found = citation.cite(record, ctx.registry, _base_url(base_url))
    styles = list(citation.STYLES) if style == "all" else [style]
    click.echo("\n".join(found.render(s).rstrip("\n") for s in styles))


@cli.command("feed")
@click.argument("query", nargs=-1)
@_filter_options
@click.option("--base-url", default=None,
              help="Where kb is served, for entry links. [env KB_BASE_URL]")
@pass_context
def feed_command(ctx: Context, query: tuple[str, ...], base_url: str | None,
                 **filters: tuple[Any, ...]) -> None:
    """An Atom feed of the passages matching QUERY, newest ingest first (as /feed serves)."""
    from kb.research import feed

    request = _request(ctx, " ".join(query), filters)
    base = _base_url(base_url)
    params = [("q", request.query)] if request.query else []
    # The web's URL parameters, so a feed made here has the id /feed would give it.
    params += [(BY_NAME[facet].param, str(v)) for facet, values in request.filters().items()
               for v in values]
    self_url = f"{base}/feed" + (f"?{urlencode(params)}" if params else "")
    what = f"“{request.query}”" if request.query else "everything"
    click.echo(feed.atom_feed(ctx.library(), request, self_url=self_url,
                              base_url=base, title=f"WIPO Conversation kb: passages "
                                                   f"matching {what}"))


@cli.command("new")
@output_options(("table", "json"))
@pass_context
def new_command(ctx: Context, fmt: str, as_json: bool) -> None:
    """What the last ingest added, updated and removed."""
    from kb.research import feed

    found = feed.new_since_last_ingest(ctx.library())
    if chosen_format(fmt, as_json) == "json":
        emit_json(found)
        return
    if not found["recorded"]:
        click.echo("The index does not record its last ingest yet; the next ingest will.")
        return
    click.echo(f"Last ingest {found['at']}: {found['added_total']} added, "
               f"{found['updated_total']} updated, {found['removed_total']} removed")
    for kind in ("added", "updated", "removed"):
        for doc in found[kind]:
            click.echo(f"  {kind}: {doc['source']}  {doc['title']}")


@cli.command("topic")
@click.argument("topic_id")
@output_options(("table", "json"))
@pass_context
def topic_command(ctx: Context, topic_id: str, fmt: str, as_json: bool) -> None:
    """A topic: documents and passages per session, key phrases, and who raised it."""
    from kb.research import profiles

    found = profiles.topic_profile(ctx.library(), topic_id)
    if found is None:
        raise KbError(f"no topic {topic_id!r}", EXIT_NOT_FOUND, "`kb topics` lists them")
    if chosen_format(fmt, as_json) == "json":
        emit_json(found)
        return
    click.echo(f"{found['label']} ({found['id']}): {found['description']}")
    click.echo(f"{found['documents']} documents, {found['passages']} passages")
    emit_records([p for p in found["by_session"] if p["passages"]], "table",
                 ["session", "documents", "passages", "per_1000_passages"])
    click.echo("key phrases: " + ", ".join(k["phrase"] for k in found["key_phrases"]))
    click.echo("speakers: " + ", ".join(f"{s['name']} ({s['passages']})"
                                        for s in found["speakers"]))


@cli.command("session")
@click.argument("number", type=int)
@output_options(("table", "json"))
@pass_context
def session_command(ctx: Context, number: int, fmt: str, as_json: bool) -> None:
    """A session: its topics with their share of its passages, and its speakers."""
    from kb.research import profiles

    found = profiles.session_profile(ctx.library(), number)
    if found is None:
        raise KbError(f"no session {number} in sessions.toml", EXIT_NOT_FOUND,
                      "`kb sessions` lists them")
    if chosen_format(fmt, as_json) == "json":
        emit_json(found)
        return
    click.echo(f"{ctx.registry.session_label(number)}: {found['documents']} documents, "
               f"{found['passages']} passages")
    emit_records(found["topics"], "table", ["id", "documents", "passages", "share_percent"])
    click.echo("speakers: " + ", ".join(f"{s['name']} ({s['passages']})"
                                        for s in found["speakers"]))



def main() -> None:
    """Console-script entry point."""
    cli(prog_name="kb")
