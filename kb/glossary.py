"""The glossary: the Conversation's key terms and acronyms, with their forms in the six UN
languages, in a hand-edited ``glossary.toml`` beside the other registries.

A researcher who types "deepfake" also wants the French page that says "hypertrucage" and the
Chinese one that says "深度伪造"; one who types "TDM" wants the pages that spell out "text and
data mining". The search reads a query through this glossary (see :mod:`index.expansion`);
this module only reads and checks the file, so that a mistake stops ``kb ingest`` with file,
line and reason before anything else happens, as a bad registry does.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GLOSSARY_FILE = "glossary.toml"
#: The languages a term may give forms in (kb.model.LANGUAGES without "und"), in the order
#: "also searched" lists them.
GLOSSARY_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
_KEYS = {"id", "note", *GLOSSARY_LANGUAGES}
#: Longest form, in characters: a glossary lists terms, not sentences.
MAX_FORM_CHARS = 80


@dataclass(frozen=True)
class Term:
    """One concept: its forms by language code (an acronym is a form of its language)."""

    id: str
    forms: dict[str, tuple[str, ...]]
    note: str = ""

    def all_forms(self) -> list[tuple[str, str]]:
        """(language, form) pairs in the glossary's language order, as written."""
        return [(code, form) for code in GLOSSARY_LANGUAGES for form in self.forms.get(code, ())]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "note": self.note,
                "forms": {code: list(forms) for code, forms in self.forms.items()}}


@dataclass(frozen=True)
class Glossary:
    """The terms of glossary.toml, each with its forms in the UN languages."""

    terms: tuple[Term, ...] = ()
    #: Hash of the file's bytes ("" without a file): the search rebuilds its lookup on change.
    digest: str = ""

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass
class _Owners:
    """Which term each written form belongs to, so that no form means two things."""

    seen: dict[str, str] = field(default_factory=dict)

    def claim(self, form: str, term_id: str) -> str | None:
        key = _form_key(form)
        owner = self.seen.setdefault(key, term_id)
        return owner if owner != term_id else None


def _form_key(form: str) -> str:
    decomposed = unicodedata.normalize("NFKD", form.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def parse_glossary(path: Path, text: str) -> Glossary:
    """Read glossary.toml (``[[term]]`` tables), validated like the other registries.

    :raises kb.registry.RegistryError: naming the file, line and problem.
    """
    from kb.registry import _entries  # kb.registry imports this module at its top

    terms: dict[str, Term] = {}
    owners = _Owners()
    for entry in _entries(path, text, "term"):
        entry.unknown_keys(_KEYS)
        term_id = entry.new_id(terms, "term")
        forms: dict[str, tuple[str, ...]] = {}
        for code in GLOSSARY_LANGUAGES:
            value = entry.data.get(code)
            if value is None:
                continue
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not values or not all(
                    isinstance(v, str) and v.strip() for v in values):
                raise entry.fail(f"'{code}' must be a string or a list of non-empty strings, "
                                 f"got {value!r}")
            cleaned = tuple(dict.fromkeys(" ".join(v.split()) for v in values))
            for form in cleaned:
                if len(form) > MAX_FORM_CHARS:
                    raise entry.fail(f"the form {form[:20]!r}… is longer than "
                                     f"{MAX_FORM_CHARS} characters")
                if not any(ch.isalnum() for ch in form):
                    raise entry.fail(f"the form {form!r} has no letters")
                other = owners.claim(form, term_id)
                if other is not None:
                    raise entry.fail(f"the form {form!r} is also given for term '{other}'")
            forms[code] = cleaned
        if sum(len(v) for v in forms.values()) < 2:
            raise entry.fail("a term needs at least two forms (in one language or several), "
                             "or it expands to nothing")
        terms[term_id] = Term(id=term_id, forms=forms,
                              note=" ".join((entry.get("note", str, required=False) or "").split()))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Glossary(terms=tuple(terms.values()), digest=digest)
