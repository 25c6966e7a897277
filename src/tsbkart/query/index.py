"""Per-snapshot indexes that make unit queries O(n) numpy work instead of per-request Python loops.

A snapshot is immutable, so the index is built once per snapshot and kept with it
(``RegistrySnapshot.derived``). Shapes::

    index.unit_ids          # tuple of n unit ids in (name, id) order: the default, stable order
    index.lat, index.lon    # float arrays (n,), NaN where the location is unknown
    index.offer_unit        # int array (m,): row of each offer's unit in unit_ids
    index.offer_codes["service_type"]   # bool array (m, k): offer x vocabulary code
    index.owner_type        # int array (n,): code index in the owner_types vocabulary, -1 unknown
    index.offer_fit         # int array (m, k): offer x target group, the position of
                            # tsbkart.query.target_groups.fit(offer, unit, group) in FITS (0 = "stated")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from tsbkart.query.records import Record, unit_summary
from tsbkart.query.target_groups import FITS, fit
from tsbkart.query.text import TextColumn, haystack, name_keys
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# open_24_7 is three-valued: unknown stays unknown.
UNKNOWN, NO, YES = -1, 0, 1


@dataclass(frozen=True, eq=False)
class UnitIndex:
    unit_ids: tuple[str, ...]
    row_of: Mapping[str, int]
    lat: FloatArray
    lon: FloatArray
    has_location: BoolArray
    owner_type: IntArray
    organisation: IntArray
    organisation_ids: tuple[str, ...]
    search_text: tuple[str, ...]  # joined name keys (unit, organisation, town) per unit
    offer_ids: tuple[str, ...]  # offers of known units, by id
    offer_unit: IntArray
    offer_codes: Mapping[str, BoolArray]  # facet -> (m, k) membership
    offer_open: IntArray  # (m,) UNKNOWN / NO / YES
    offer_fit: IntArray  # (m, k) offer x target group code: position in FITS
    offer_languages: tuple[frozenset[str], ...]  # (m,) the offer's stated languages
    unit_accessibility: BoolArray  # (n, k) unit x accessibility code
    summaries: tuple[Record, ...]  # unit_summary of each row; treat as read-only

    @cached_property
    def text(self) -> TextColumn:
        """``search_text`` searchable without a loop over the rows (built on the first text query)."""
        return TextColumn(self.search_text)


def _code_matrix(values: Sequence[Sequence[str]], codes: Sequence[str]) -> BoolArray:
    column = {code: j for j, code in enumerate(codes)}
    matrix = np.zeros((len(values), len(codes)), dtype=np.bool_)
    for i, row in enumerate(values):
        for code in row:
            j = column.get(code)
            if j is not None:
                matrix[i, j] = True
    return matrix


def build_index(snapshot: RegistrySnapshot) -> UnitIndex:
    vocabs = load_vocabularies()
    units = sorted(snapshot.units.values(), key=lambda u: (u.name.casefold(), u.id))
    row_of = {u.id: i for i, u in enumerate(units)}
    organisation_ids = tuple(sorted(snapshot.organisations))
    org_row = {o: i for i, o in enumerate(organisation_ids)}
    owner_codes = {code: j for j, code in enumerate(vocabs["owner_types"].codes)}
    orgs = snapshot.organisations
    offers = sorted((o for o in snapshot.offers.values() if o.unit_id in row_of), key=lambda o: o.id)
    open_flags = [UNKNOWN if o.open_24_7 is None else (YES if o.open_24_7 else NO) for o in offers]
    return UnitIndex(
        unit_ids=tuple(u.id for u in units),
        row_of=row_of,
        lat=np.array([np.nan if u.lat is None else u.lat for u in units], dtype=np.float64),
        lon=np.array([np.nan if u.lon is None else u.lon for u in units], dtype=np.float64),
        has_location=np.array([u.lat is not None and u.lon is not None for u in units], dtype=np.bool_),
        owner_type=np.array(
            [
                owner_codes.get(orgs[u.organisation_id].owner_type, -1) if u.organisation_id in orgs else -1
                for u in units
            ],
            dtype=np.int64,
        ),
        organisation=np.array([org_row.get(u.organisation_id, -1) for u in units], dtype=np.int64),
        organisation_ids=organisation_ids,
        search_text=tuple(
            haystack(
                name_keys(
                    [u.name, orgs[u.organisation_id].name if u.organisation_id in orgs else None, u.town]
                )
            )
            for u in units
        ),
        offer_ids=tuple(o.id for o in offers),
        offer_unit=np.array([row_of[o.unit_id] for o in offers], dtype=np.int64),
        offer_codes={
            "service_type": _code_matrix([(o.service_type,) for o in offers], vocabs["service_types"].codes),
            "target_group": _code_matrix([o.target_groups for o in offers], vocabs["target_groups"].codes),
            "legal_basis": _code_matrix([o.legal_basis for o in offers], vocabs["legal_basis"].codes),
            "intake_status": _code_matrix(
                [(o.intake_status,) for o in offers], vocabs["intake_status"].codes
            ),
            "delivery_method": _code_matrix(
                [o.delivery_methods for o in offers], vocabs["delivery_methods"].codes
            ),
        },
        offer_languages=tuple(frozenset(o.languages) for o in offers),
        unit_accessibility=_code_matrix([u.accessibility for u in units], vocabs["accessibility"].codes),
        offer_open=np.array(open_flags, dtype=np.int64),
        offer_fit=np.array(
            [
                [FITS.index(fit(o, snapshot.units[o.unit_id], g)) for g in vocabs["target_groups"].codes]
                for o in offers
            ],
            dtype=np.int64,
        ).reshape(len(offers), len(vocabs["target_groups"].codes)),
        summaries=tuple(unit_summary(snapshot, u) for u in units),
    )


def index_for(snapshot: RegistrySnapshot) -> UnitIndex:
    """The index of ``snapshot``, built on first use and kept with the snapshot (``snapshot.derived``)."""
    return snapshot.derived("query.unit_index", build_index)
