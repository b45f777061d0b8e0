"""Speakers: the one place that turns a person's name into the id their pages are found under,
and the hand-edited registry (``speakers.toml``) that says who a name is.

The web's `/speakers/<id>` pages, the links from every speaker name and the CLI all need the
same id for the same person, so the rule lives here and nowhere else. Transcripts write one
person many ways ("Mr. GURRY (Director General)", "Francis Gurry", ">> GURRY"): the registry
lists each person once, with role, organisation, country and other spellings, so the speaker
facet shows one value per person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NOT_WORD = re.compile(r"[^\w]+")


def speaker_id(name: str) -> str:
    """A stable, readable URL id for a speaker's name: "Daren Tang" -> "daren-tang".

    Accents are folded so that "Francis Gurry" and "Francis Gürry" share an id; letters of
    other scripts (Chinese, Arabic, Cyrillic) are kept as they are, because a URL carries them
    and folding them to nothing would merge different people.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub("-", folded).strip("-_").replace("_", "-")


# ------------------------------------------------------------------------------ the registry

#: Honorifics and titles before a name: "Mr.", "H.E.", "Ambassador", "Prof." ...
HONORIFIC = re.compile(
    r"^(?:(?:mr|mrs|ms|miss|dr|prof|professor|h\.\s?e|his excellency|her excellency|"
    r"ambassador|sir|madam|mme|m)\.?\s+)+",
    re.IGNORECASE,
)
#: A role or affiliation in brackets after a name: "GURRY (Director General)".
PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_LEADING = re.compile(r"^(?:>>\s*|-\s*|the\s+)", re.IGNORECASE)

SPEAKERS_FILE = "speakers.toml"
#: "SPEAKER_00", "SPEAKER_1", "speaker 03": the labels diarisation tools give.
DIARISED = re.compile(r"^SPEAKER[_ ]?(\d{1,3})$", re.IGNORECASE)
_PERSON_KEYS = {"name", "role", "organisation", "country", "spellings"}


def bare_name(raw: str) -> str:
    """A name without caption marks, honorifics or bracketed roles, case kept:
    ">> Mr. GURRY (Director General)" -> "GURRY"."""
    name = PARENS.sub(" ", raw).strip(" :,-")
    name = _LEADING.sub("", name).strip()
    name = HONORIFIC.sub("", name).strip()
    return " ".join(name.split())


def diarised_number(label: str) -> int | None:
    """The number of a diarised label ("SPEAKER_03" -> 3), None for a name."""
    match = DIARISED.match(label.strip())
    return int(match.group(1)) if match else None


def diarised_label(label: str) -> str:
    """A diarised label in one spelling ("speaker_3" -> "SPEAKER_03"); a name as it is."""
    number = diarised_number(label)
    return f"SPEAKER_{number:02d}" if number is not None else label.strip()


def name_key(name: str) -> str:
    """What two spellings of one name share: "Mr. GURRY" and "Gurry" -> "gurry"."""
    return speaker_id(bare_name(name))


@dataclass(frozen=True)
class Person:
    """One entry of speakers.toml: who a speaker is, and the other ways they are written."""

    name: str
    role: str = ""
    organisation: str = ""
    country: str = ""
    spellings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return speaker_id(self.name)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role,
                "organisation": self.organisation, "country": self.country,
                "spellings": list(self.spellings)}


@dataclass(frozen=True)
class SpeakerRegistry:
    """The people of speakers.toml, found by any of their spellings.

    A surname alone ("Gurry", from "Mr. GURRY") finds the one person of that surname; when two
    people share it, it finds nobody rather than the wrong one.
    """

    people: dict[str, Person] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict, repr=False)

    def find(self, name: str) -> Person | None:
        person_id = self._by_key.get(name_key(name))
        return self.people.get(person_id) if person_id else None

    def canonical(self, name: str) -> str:
        """The registry's name for ``name``, or ``name`` itself when nobody matches."""
        person = self.find(name)
        return person.name if person else name


def parse_speakers(path: Path, text: str) -> SpeakerRegistry:
    """Read speakers.toml (``[[speaker]]`` tables), validated like the other registries.

    :raises kb.registry.RegistryError: naming the file, line and problem.
    """
    from kb.registry import _entries  # kb.registry imports this module at its top

    people: dict[str, Person] = {}
    by_key: dict[str, str] = {}
    surnames: dict[str, set[str]] = {}
    for entry in _entries(path, text, "speaker"):
        entry.unknown_keys(_PERSON_KEYS)
        person = Person(
            name=" ".join(entry.get("name", str).split()),
            role=(entry.get("role", str, required=False) or "").strip(),
            organisation=(entry.get("organisation", str, required=False) or "").strip(),
            country=(entry.get("country", str, required=False) or "").strip(),
            spellings=entry.strings("spellings"),
        )
        if not person.id:
            raise entry.fail(f"'name' has no letters, got {person.name!r}")
        if person.id in people:
            raise entry.fail(f"'{person.name}' is listed twice")
        people[person.id] = person
        for spelling in (person.name, *person.spellings):
            key = name_key(spelling)
            if by_key.get(key, person.id) != person.id:
                other = people[by_key[key]].name
                raise entry.fail(f"the spelling {spelling!r} is also given for '{other}'")
            by_key[key] = person.id
        surnames.setdefault(name_key(person.name.split()[-1]), set()).add(person.id)
    for key, ids in surnames.items():
        if len(ids) == 1 and key not in by_key:
            by_key[key] = next(iter(ids))
    return SpeakerRegistry(people=dict(sorted(people.items())), _by_key=by_key)
