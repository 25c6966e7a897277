"""Names that the HSDS 3 and FHIR R4 exports share: tsbkart code systems, taxonomies, extensions, identifiers.

The lead's decision (docs/interoperability.md): URNs under ``urn:tsbkart:``, never an invented web domain::

    code_system("service_types")    # "urn:tsbkart:codesystem:service_types"   (FHIR Coding.system)
    taxonomy_id("service_types")    # "tsbkart-service_types"                  (HSDS taxonomy.id)
    extension_url("beds")           # "urn:tsbkart:extension:beds"             (FHIR Extension.url)
    id_system("offer")              # "urn:tsbkart:id:offer"                   (FHIR Identifier.system)
    record_uuid("unit", "ous")      # uuid5(ID_NAMESPACE, "unit:ous")          (HSDS location.id, as a str)
    IDENTIFIERS["orgnr"]            # RegisterIdentifier(fhir_system="urn:oid:2.16.578.1.12.4.1.4.101", ...)

Besides the vocabularies in ``tsbkart/vocab/data`` both exports use three code systems built from the
reference geography (``regions``, ``catchments``, ``municipalities``: RHF, health-trust catchment area and
kommune/Oslo-bydel codes) and ``fields``, whose terms name tsbkart fields carried as HSDS attribute values
(``unit.beds``, ``offer.waiting_weeks``, ...). The HSDS export adds ``id``, whose terms are the record kinds
(``unit``, ``offer``, ...): an attribute with such a term carries the record's tsbkart id in its value.

``record_uuid`` turns a tsbkart id into the deterministic UUID the HSDS export uses as an id. Since its
namespace comes from the ``urn:tsbkart:id:`` base, a FHIR identifier ``{"system": "urn:tsbkart:id:<kind>",
"value": "<id>"}`` gives the HSDS id of the same record as ``record_uuid("<kind>", "<id>")``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import Geography

CODE_SYSTEM_BASE = "urn:tsbkart:codesystem:"
TAXONOMY_PREFIX = "tsbkart-"
EXTENSION_BASE = "urn:tsbkart:extension:"
ID_SYSTEM_BASE = "urn:tsbkart:id:"

# Code systems that are not vocabulary files: built from the reference geography, and the field names.
REGIONS = "regions"
CATCHMENTS = "catchments"
MUNICIPALITIES = "municipalities"
FIELDS = "fields"
# FHIR HealthcareService.eligibility.code for an age band (the only term of this code system).
ELIGIBILITY = "eligibility"
# HSDS only: the terms are the record kinds; an attribute's value is the record's tsbkart id.
RECORD_IDS = "id"

# uuid5 namespace of every HSDS id, from the id base in RFC 9562's URL namespace (the base is a URI):
# 57d29e89-bebd-5666-84cb-cecc779f300f. Consumers recompute ids from it, so it must never change.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, ID_SYSTEM_BASE)
# The kind of the HSDS taxonomies' UUIDs (keyed by taxonomy id), beside the record kinds.
TAXONOMY_KIND = "taxonomy"


def uuid_kinds() -> tuple[str, ...]:
    """Kinds ``record_uuid`` takes: the record kinds, and ``taxonomy`` for the HSDS taxonomies."""
    return (*KINDS.names(), TAXONOMY_KIND)


def code_system(vocabulary: str) -> str:
    return f"{CODE_SYSTEM_BASE}{vocabulary}"


def taxonomy_id(vocabulary: str) -> str:
    return f"{TAXONOMY_PREFIX}{vocabulary}"


def extension_url(name: str) -> str:
    return f"{EXTENSION_BASE}{name}"


def id_system(kind: str) -> str:
    """System of the identifier carrying a record's tsbkart id (kind as in ``tsbkart.registry.kinds.KINDS``)."""
    return f"{ID_SYSTEM_BASE}{kind}"


def record_uuid(kind: str, key: str) -> uuid.UUID:
    """``uuid5(ID_NAMESPACE, "<kind>:<key>")``: the same UUID for the same record in every export.

    ``kind`` is one of ``uuid_kinds()``; none contains a colon, so ``"<kind>:<key>"`` names one (kind, key)
    pair whatever characters the tsbkart id ``key`` holds.
    """
    if kind not in uuid_kinds():
        raise ValueError(f"{kind!r} is not one of {', '.join(uuid_kinds())}")
    return uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}")


@dataclass(frozen=True, slots=True)
class RegisterIdentifier:
    """A Norwegian register and how each standard names it."""

    register: str  # what the number is, e.g. "organisasjonsnummer"
    fhir_system: str  # FHIR Identifier.system
    hsds_scheme: str  # HSDS organization_identifiers.identifier_scheme / location.external_identifier_type


# Field name -> register. The OIDs are checked in docs/interoperability.md. NO-BRC is org-id.guide's code for
# Brønnøysundregistrene (Enhetsregisteret); RESH and HER have no org-id.guide code, so NO-RESH/NO-HER are ours.
IDENTIFIERS: Mapping[str, RegisterIdentifier] = MappingProxyType(
    {
        "orgnr": RegisterIdentifier("organisasjonsnummer", "urn:oid:2.16.578.1.12.4.1.4.101", "NO-BRC"),
        "resh_id": RegisterIdentifier("RESH-id", "urn:oid:2.16.578.1.12.4.1.4.102", "NO-RESH"),
        "her_id": RegisterIdentifier("HER-id", "urn:oid:2.16.578.1.12.4.1.2", "NO-HER"),
    }
)


def geography_label(geography: Geography, vocabulary: str, code: str) -> str | None:
    """The name of a region, catchment area or municipality code; None when the geography lacks it."""
    if vocabulary == REGIONS:
        region = geography.regions.get(code)
        return region.name if region else None
    if vocabulary == CATCHMENTS:
        catchment = geography.catchments.get(code)
        return catchment.short_name if catchment else None
    if vocabulary == MUNICIPALITIES:
        area = geography.area_units.get(code)
        return area.name if area else None
    raise ValueError(f"{vocabulary!r} is not a geography code system")
