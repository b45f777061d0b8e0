"""Facet counts over the whole result set, with Solr-style tag/exclude for selections.

Each facet is counted as if its own selection were not applied, so a user who picked one
session still sees the other sessions with the counts they would get; values of one facet
combine with OR, facets with AND. In grouped mode a document counts once for a value if any
of its matching passages has that value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from index.snapshot import Snapshot
from kb.facets import value_label
from kb.model import FACETS, FacetValue

#: Gives the label of a facet value.
Labeler = Callable[[str], str]


class FacetCounter:
    """Counts every facet for one query's base set and per-facet selections."""

    def __init__(self, snapshot: Snapshot, grouped: bool,
                 labels: Mapping[str, Labeler] | None = None,
                 tables: Mapping[str, str] | None = None) -> None:
        """:param labels: facet -> function giving a value's label (e.g. from the registries);
        others get :func:`kb.facets.value_label` without the registries. :param tables: facet ->
        the facet table that stands for it (the session facet counted with mentions)."""
        self.snap = snapshot
        self.grouped = grouped
        self.labels = labels or {}
        self.tables = tables or {}

    def selection_masks(self, selected: Mapping[str, list[str]]) -> dict[str, np.ndarray]:
        """facet -> passages having any selected value (only facets with a selection)."""
        return {facet: self.snap.facet_mask(self.tables.get(facet, facet), values)
                for facet, values in selected.items() if values}

    def count_all(self, base: np.ndarray, selections: Mapping[str, np.ndarray],
                  selected: Mapping[str, list[str]],
                  everything: np.ndarray | None = None,
                  everything_groups: np.ndarray | None = None) -> dict[str, list[FacetValue]]:
        """Counts of every facet.

        :param everything: ``base`` with every selection applied, when the caller has it.
        :param everything_groups: its documents (see Snapshot.groups_in), likewise.
        """
        if everything is None:
            everything = base.copy()
            for mask in selections.values():
                everything &= mask
        result: dict[str, list[FacetValue]] = {}
        groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if everything_groups is not None:
            groups[id(everything)] = (everything, everything_groups)
        for facet in FACETS:
            if facet in selections:
                scope = base.copy()
                for other, mask in selections.items():
                    if other != facet:
                        scope &= mask
            else:
                scope = everything
            counts = self._count(facet, scope, groups)
            label: Labeler = self.labels.get(facet) or partial(value_label, facet)
            result[facet] = _values(facet, counts, selected.get(facet, []), label)
        return result

    def _count(self, facet: str, scope: np.ndarray,
               groups: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[str, int]:
        """Counts per value; ``groups`` caches the documents of each scope already seen (the
        scope is kept with them, so its id cannot be reused by another array)."""
        table = self.snap.facet_table(self.tables.get(facet, facet))
        if not table.values:
            return {}
        if self.grouped and table.group_docs is not None and table.group_codes is not None:
            if id(scope) not in groups:
                groups[id(scope)] = (scope, self.snap.groups_in(scope))
            codes = table.group_codes[groups[id(scope)][1][table.group_docs]]
            return _counted(table.values, codes)
        if self.grouped:
            # A document counts once per value (see FacetRuns).
            found = self.snap.facet_runs(self.tables.get(facet, facet)).documents_per_value(scope)
            return _nonzero(table.values, found)
        return _counted(table.values, table.codes[scope[table.docs]])


def _counted(values: list[str], codes: np.ndarray) -> dict[str, int]:
    return _nonzero(values, np.bincount(codes, minlength=len(values)))


def _nonzero(values: list[str], counts: np.ndarray) -> dict[str, int]:
    return {values[i]: int(counts[i]) for i in np.flatnonzero(counts)}


def _values(facet: str, counts: dict[str, int], selected: list[str],
            label: Labeler) -> list[FacetValue]:
    values = [FacetValue(v, label(v), n, v in selected) for v, n in counts.items()]
    values += [FacetValue(v, label(v), 0, True)
               for v in dict.fromkeys(selected) if v not in counts]
    return sort_values(facet, values)


def sort_values(facet: str, values: list[FacetValue]) -> list[FacetValue]:
    """Session by number, year newest first, the rest by count then label."""
    if facet == "session":
        return sorted(values, key=lambda v: (int(v.value) if v.value.isdigit() else 10**9,
                                             v.value))
    if facet == "year":
        return sorted(values, key=lambda v: v.value, reverse=True)
    return sorted(values, key=lambda v: (-v.count, v.label.lower(), v.value))
