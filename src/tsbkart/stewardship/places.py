"""Where a registry record lies for stewardship: its organisation, region and catchment area, and public page.

The one answer reminders (whom to write to), the review queue (which reviewer) and authorisation (``Resource``)
share. An offer lies where its unit lies; an organisation in its region::

    places_of(snapshot, "offer", offer)   # ("org-a", "helse-nord", "unn", None)
    resource_of(snapshot, "unit", unit)   # Resource(organisation_id="org-a", region_code="helse-nord", ...)
"""

from __future__ import annotations

from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship.policy import Resource


def places_of(
    snapshot: RegistrySnapshot, kind: str, record: object
) -> tuple[str | None, str | None, str | None, str | None]:
    """(organisation, region, catchment, page) of a record: an offer lies where its unit lies."""
    if kind == "offer":
        unit = snapshot.units.get(getattr(record, "unit_id", ""))
        if unit is None:
            return None, None, None, None
        record, kind = unit, "unit"
    if kind == "organisation":
        return getattr(record, "id", None), getattr(record, "region_code", None), None, None
    organisation_id = getattr(record, "organisation_id", None)
    organisation = snapshot.organisations.get(organisation_id or "")
    region = getattr(record, "region_code", None) or (organisation.region_code if organisation else None)
    page = f"/enhet/{getattr(record, 'id', '')}" if kind == "unit" else None
    return organisation_id, region, getattr(record, "catchment_code", None), page


def resource_of(snapshot: RegistrySnapshot, kind: str, record: object) -> Resource:
    """The authorisation resource of a record (what ``policy.allowed`` is asked about)."""
    organisation_id, region, catchment, _ = places_of(snapshot, kind, record)
    return Resource(organisation_id, region, catchment)
