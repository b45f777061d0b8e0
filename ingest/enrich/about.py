"""Which sessions a document is *about*, as against the sessions it only mentions.

Decision (documented in the README). Evidence is read in tiers, strongest first, and the first
tier that names any session decides:

1. the title;
2. the file name (a symbol there says which session's document it is, but a title that names
   sessions says what it is about: WIPO/IP/AI/3/GE/20/INF/5 summarises sessions 2 and 3);
3. the page's own dateline (a date within a session's days, or up to a week after it, when
   reports are published) and its opening paragraph;
4. the rest of the text, each mention counting once.

Within a tier each mention weighs by kind (an ordinal, a number or a symbol 3, a date or a title
2, a paper 1), and the sessions with the highest total are the document's: two sessions named
equally strongly are both kept, never one guessed. A session named in passing ("following the
first session in 2019") is no evidence at all: it becomes a mention of its passage.

Overview pages describe several sessions in turn ("The eighth session covered ...", "The
first three sessions ..."): when at least two passages open by naming sessions other than the
page's own, each such passage is about the sessions it names, and the document is about all
of them. Otherwise a passage that opens on another session is only mentioning it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .dates import find_dates
from .sessions import Mention, SessionMatcher, names_series

#: Days after a session during which a dated report is taken to report it.
REPORT_WINDOW_DAYS = 7
#: Words of the body that count as its opening.
OPENING_WORDS = 80


@dataclass
class SessionsOf:
    """The about/mentions split of one document."""

    #: Sessions the document is about (may hold numbers the registry lacks).
    document: list[int]
    #: Per passage: the sessions it is about.
    passages: list[list[int]]
    #: Per passage: the sessions it names without being about them.
    mentions: list[list[int]]


def decide(matcher: SessionMatcher, title: str, name: str, dateline: str,
           texts: Sequence[str], leads: Sequence[frozenset[int] | None],
           given: Sequence[int] = ()) -> SessionsOf:
    """Split a document's sessions into what it is about and what its passages mention.

    :param texts: each passage's text (with its heading); :param leads: the sessions each
        passage opens on (see :meth:`SessionMatcher.lead`); :param given: sessions from a
        sidecar or the reader, which win.
    """
    main, overview = list(given), False
    if not given and len({lead for lead in leads if lead}) >= 2:
        # Perhaps an overview: what the page itself is about comes from the passages that do
        # not open on a session; the overview needs two other sessions described in turn.
        voters = [t for t, lead in zip(texts, leads, strict=True) if not lead]
        main = main_sessions(matcher, title, name, dateline, voters)
        overview = len({lead for lead in leads if lead and not lead <= set(main)}) >= 2
    if not given and not overview:
        main = main_sessions(matcher, title, name, dateline, texts, leads)
    about = [sorted(lead) if overview and lead else list(main) for lead in leads]
    document = sorted(set(main).union(*(set(a) for a in about))) if about else sorted(main)
    mentions = []
    for text, own in zip(texts, about, strict=True):
        named = {m.number for m in matcher.find(text)}
        mentions.append(sorted(n for n in named if n in matcher.known and n not in own))
    return SessionsOf(document, about, mentions)


def main_sessions(matcher: SessionMatcher, title: str, name: str, dateline: str,
                  texts: Iterable[str], leads: Sequence[frozenset[int] | None] = ()
                  ) -> list[int]:
    """The sessions a document is mostly about (ties are all kept), tier by tier.

    :param leads: the sessions each text opens on: a paragraph's subject ("The fourth session
        discussed data ... It was the first session held under the new name") counts once more
        than the sessions it names further on.
    """
    texts = list(texts)
    leads = list(leads) or [None] * len(texts)

    def opening() -> list[Mention]:
        """The third tier: the page's own date, when the page speaks of the series (a
        dateline alone does not make a page about a session), and its opening words."""
        dated = bool(dateline) and any(names_series(t) or matcher.find(t)
                                       for t in [title, *texts])
        in_opening = [Mention(n, "ordinal", "") for _, lead in _opening_passages(texts, leads)
                      if lead for n in sorted(lead)]
        return (_dateline_evidence(matcher, dateline) if dated else []) \
            + _evidence(matcher, _opening(texts)) + in_opening

    # Each tier is read only when those before it named no session (the title decides for
    # most pages): the opening words, the date and the subjects are not made for nothing.
    tiers = (
        lambda: _evidence(matcher, title),
        lambda: _evidence(matcher, _name_words(name)),
        opening,
        lambda: [m for text in texts for m in _evidence(matcher, text)] + [
            Mention(n, "ordinal", "") for lead in leads if lead for n in sorted(lead)],
    )
    for tier in tiers:
        score: Counter[int] = Counter()
        for mention in tier():
            score[mention.number] += mention.weight
        if score:
            best = max(score.values())
            return sorted(n for n, s in score.items() if s == best)
    return []


def _evidence(matcher: SessionMatcher, text: str) -> list[Mention]:
    return [m for m in matcher.find(text) if not m.passing] if text else []


def _name_words(name: str) -> str:
    """A file name as words ("ninth_session-report.txt" -> "ninth session report txt");
    symbols keep their form (they are matched as word sequences either way)."""
    return name.replace("-", " ") if "wipo" not in name.lower() else name


def _opening(texts: Sequence[str]) -> str:
    """The first words of the body: where a page says what it is about."""
    words: list[str] = []
    for text in texts:
        words += text.split()
        if len(words) >= OPENING_WORDS:
            break
    return " ".join(words[:OPENING_WORDS])


def _opening_passages(texts: Sequence[str], leads: Sequence[frozenset[int] | None]
                      ) -> list[tuple[str, frozenset[int] | None]]:
    """The passages the opening words come from."""
    taken, words = [], 0
    for text, lead in zip(texts, leads, strict=True):
        if words >= OPENING_WORDS:
            break
        taken.append((text, lead))
        words += len(text.split())
    return taken


def _dateline_evidence(matcher: SessionMatcher, dateline: str) -> list[Mention]:
    """The page's own date: a session's day counts as a date mention, a day in the week after
    it (reports, recaps) as half of one."""
    found = []
    for span in find_dates(dateline)[:1]:
        for number, session in matcher.registry.sessions.items():
            if span.overlaps(session.start, session.end):
                found.append(Mention(number, "date", dateline))
            elif span.overlaps(session.end + dt.timedelta(days=1),
                               session.end + dt.timedelta(days=REPORT_WINDOW_DAYS)):
                found.append(Mention(number, "after-date", dateline))
    return found
