"""Speaker names as one person is known across a transcript.

Captions write ">> MICHELE WOODS", minutes write "Mr. GURRY (Director General)", reports write
"The Delegation of Japan": the speaker facet must show one name per person, so capitals are
folded to title case, honorifics and roles in parentheses are dropped, and within one document a
surname alone ("Ms. Woods") is mapped to the full name used elsewhere ("Michele Woods").
"""

from __future__ import annotations

from collections.abc import Iterable

from kb.speakers import SpeakerRegistry, bare_name, diarised_label, diarised_number, name_key

_LOWER_PARTICLES = frozenset({"of", "the", "and", "de", "del", "la", "van", "von", "der", "da"})


def normalise_speaker(raw: str) -> str:
    """A display name: "Mr. GURRY (Director General)" -> "Gurry", "The CHAIR" -> "Chair"."""
    name = bare_name(raw)
    if not name:
        return ""
    words = []
    for i, word in enumerate(name.split(" ")):
        if word.isupper() or word.islower():
            word = word.lower() if (i and word.lower() in _LOWER_PARTICLES) else _cap(word)
        words.append(word)
    return " ".join(words)


def _cap(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def unify(names: Iterable[str]) -> dict[str, str]:
    """Map each name to the fullest name in the document that ends with the same surname."""
    names = [n for n in dict.fromkeys(names) if n]
    full = [n for n in names if len(n.split()) > 1]
    mapping: dict[str, str] = {}
    for name in names:
        target = name
        if len(name.split()) == 1:
            candidates = [f for f in full if f.split()[-1].lower() == name.lower()]
            if len(candidates) == 1:
                target = candidates[0]
        mapping[name] = target
    return mapping


def name_speakers(found: Iterable[str], speaker_map: dict[str, str], people: SpeakerRegistry
                  ) -> tuple[dict[str, str], list[str]]:
    """Each speaker of a document to the name the speaker facet shows, and what is wrong with
    the map.

    A sidecar's map names diarised labels (or a name as the file writes it); a diarised label it
    leaves out is "Speaker 1" for ``SPEAKER_00``, never the raw label; every name then goes
    through speakers.toml, so "Mr. GURRY" and "Francis Gurry" are one facet value.
    """
    names = [n for n in dict.fromkeys(found) if n]
    given = {_label_key(label): name for label, name in speaker_map.items()}
    present = {_label_key(n) for n in names}
    warnings = []
    missing = [label for label in speaker_map if _label_key(label) not in present]
    if missing:
        labels = ", ".join(n for n in names if diarised_number(n) is not None) or \
            ", ".join(names) or "none"
        warnings.append(f"the speaker map names {', '.join(missing)}, which the file lacks "
                        f"(speakers in the file: {labels})")
    unified = unify(n for n in names if _label_key(n) not in given)
    mapping = {}
    for name in names:
        number = diarised_number(name)
        if _label_key(name) in given:
            target = given[_label_key(name)]
        elif number is not None:
            target = f"Speaker {number + 1}"
        else:
            target = unified.get(name, name)
        mapping[name] = people.canonical(target)
    return mapping, warnings


def _label_key(label: str) -> str:
    return diarised_label(label) if diarised_number(label) is not None else name_key(label)
