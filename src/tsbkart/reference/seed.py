"""Registry records from the bundled source-backed files: TSB units, private providers, assessment teams.

Nothing here is invented. Each record's provenance is its row's ``source_url``; what we derive is said in the
provenance note of the field it touches:
- a unit without an address is placed at its municipality's representative point, precision "municipality";
- one service offer per service type the source lists (id ``<unit_id>/<service_type>``);
- target groups listed among the source's service types are the unit's (``Unit.target_groups``): the source states
  them for the whole unit, so they are recorded at that level and never copied onto its offers; "18+" in the
  source's target-group note adds the unit's target group "adults";
- coercion bases listed among the source's service types apply to every offer of the unit;
- the unit's stated beds go to its offer only when the unit has exactly one inpatient or acute service;
- "18+" in the source's target-group note becomes age_min 18 on the unit's offers;
- 24/7 opening, where stated, applies to the unit's inpatient and acute offers ("no": to its acute offer);
- contact facts (``unit_contacts.csv``): the first published phone and web page of a unit become its phone and
  website, a street address or postal code fills an empty one; each keeps its own source;
- a value the research passes corrected (``research_changes.csv``) carries the correction's source and reason;
- an opening or closing date a source states for a unit (``unit_dates.csv``; whole dates only) is the unit's
  ``opened_on``/``closed_on``, with that source as the field's provenance; its offers stay undated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.reference.files import read_csv
from tsbkart.reference.geography import slug
from tsbkart.registry.snapshot import Geography
from tsbkart.vocab import load_vocabularies

# The research passes' columns that map one to one onto a field of the record they describe.
UNIT_FIELDS = {
    "unit_name": "name",
    "beds": "beds",
    "town": "town",
    "kommune_number_2024": "municipality_code",
    "street_address": "street_address",
    "postal_code": "postal_code",
    "service_types": "target_groups",
}
OFFER_FIELDS = {
    "target_groups_note": "description",
    "open_24_7": "open_24_7",
}
TEAM_FIELDS = {
    "town": "town",
    "kommune_number_2024": "municipality_code",
    "scope": "scope_note",
    "phone": "phone",
    "address": "address",
}
# Contact fields that fill a unit field; the others (referral and postal addresses) have no field yet.
CONTACT_FIELDS = {
    "phone": "phone",
    "web_url": "website",
    "street_address": "street_address",
    "postal_code": "postal_code",
}
SERVICE_TOKENS = {"lavterskel_lar": "lar_lavterskel"}
GROUP_TOKENS = {
    "ungdom": "young",
    "rop": "rop",
    "spill": "gambling",
    "gravide": "pregnant",
    "fengsel": "prisoners",
    "familie": "families",
}
LEGAL_TOKENS = {"tvang_10_2": "hol_10_2", "tvang_10_3": "hol_10_3"}
ADULTS_ONLY = re.compile(r"(?<![0-9])18\s*\+")
CLOSED_STATUS = re.compile(r"\b(closed|lost)\b", re.IGNORECASE)


# tsb_private_providers.csv was compiled with pass 1 (see its .source.md).
PROVIDERS_RETRIEVED = date(2026, 11, 22)


class SeedError(ValueError):
    """A bundled file has a value the loader cannot map; names the file, line and field."""


@dataclass(frozen=True, slots=True)
class Seed:
    organisations: list[Organisation]
    units: list[Unit]
    offers: list[ServiceOffer]
    teams: list[AssessmentTeam]


def organisation_name(raw: str) -> str:
    """'Helse Bergen HF (Mottaksklinikken, Haukeland)' -> 'Helse Bergen HF'."""
    return re.sub(r"\s*\(.*\)\s*$", "", raw).strip()


# The seed's own words in provenance notes (``derived: <reason>``, a contact's note): fixed English phrases the
# pages translate (``tsbkart.web.provenance``), so they are written here once.
DERIVED_BEDS = "the unit's stated beds; it has one inpatient or acute service"
DERIVED_ADULTS = "'18+' in the source's target-group note"
DERIVED_ADULTS_AND_OTHERS = DERIVED_ADULTS + "; the others are listed among its service types"
DERIVED_POINT = "no address in the source; municipality point"
OWN_PAGE = "the unit's own page, also the source of this record"
OWN_WORDS = (DERIVED_BEDS, DERIVED_ADULTS, DERIVED_ADULTS_AND_OTHERS, DERIVED_POINT, OWN_PAGE)
COMPILED = "retrieved by the tsbkart data compilers"
OWNER_INFERRED = "owner type inferred from the legal form and the RHF agreement the source names"
# Free-text fields the seed fills with the data compilers' English notes (a target-group note, a team's scope, a
# contract status): while they hold the bundled text the pages render them from the translation memory
# (``tsbkart.web.provenance.bundled_html``), marked English where it has no entry.
COMPILERS_ENGLISH = frozenset({"description", "scope_note", "status_note"})


CORRECTED = "research pass correction ("
SEED_NOTES = (COMPILED, CORRECTED, OWNER_INFERRED)


def is_seed_provenance(provenance: Provenance) -> bool:
    """True for a provenance the seed writes for a record or a research pass's correction of a field (a
    steward's, an import's or a contact fact's is another)."""
    return (provenance.note or "").startswith(SEED_NOTES)


def region_code(rhf: str) -> str:
    return slug(rhf.removesuffix(" RHF"))


def _provenance(url: str, retrieved: str, dated: str | None = None) -> Provenance:
    note = COMPILED + (f"; source dated: {dated}" if dated else "")
    return Provenance(source=url, verified=date.fromisoformat(retrieved), note=note)


def _derived(url: str, retrieved: str, why: str) -> Provenance:
    return Provenance(source=url, verified=date.fromisoformat(retrieved), note=f"derived: {why}")


Keyed = dict[tuple[str, str], Provenance]


def _corrections() -> Keyed:
    """(record key, research column) -> the source of the value a research pass set there."""
    out: Keyed = {}
    for _, row in read_csv("research_changes.csv"):
        if row["field"] == "(row)" or row["after"] == "(not published)":
            continue
        dated = f"; source dated: {row['source_date']}" if row["source_date"] else ""
        out[(row["key"], row["field"])] = Provenance(
            source=row["source_url"],
            verified=date.fromisoformat(row["retrieved"]),
            note=f"{CORRECTED}{row['confidence']} confidence): {row['reason']}{dated}",
        )
    return out


def _mapped(corrections: Keyed, key: str, fields: dict[str, str]) -> dict[str, Provenance]:
    return {
        target: corrections[(key, column)]
        for column, target in fields.items()
        if (key, column) in corrections
    }


DATE_FIELDS = ("opened_on", "closed_on")


def _unit_dates(unit_ids: set[str]) -> dict[str, dict[str, tuple[date, Provenance]]]:
    """unit id -> {field: (date, its provenance)} from ``unit_dates.csv``."""
    out: dict[str, dict[str, tuple[date, Provenance]]] = defaultdict(dict)
    for line, row in read_csv("unit_dates.csv"):
        where = f"unit_dates.csv line {line}"
        if row["unit_id"] not in unit_ids:
            raise SeedError(f"{where}, field unit_id: unknown unit {row['unit_id']!r}")
        if row["field"] not in DATE_FIELDS:
            raise SeedError(f"{where}, field field: {row['field']!r} is not one of {', '.join(DATE_FIELDS)}")
        try:
            value = date.fromisoformat(row["value"])
        except ValueError:
            raise SeedError(f"{where}, field value: {row['value']!r} is not a date (YYYY-MM-DD)") from None
        dated = f"; source dated: {row['source_date']}" if row["source_date"] else ""
        note = f"stated by the source ({row['confidence']} confidence): {row['statement']}{dated}"
        provenance = Provenance(row["source_url"], verified=date.fromisoformat(row["retrieved"]), note=note)
        out[row["unit_id"]][row["field"]] = (value, provenance)
    return out


def _with_dates(unit: Unit, dates: dict[str, tuple[date, Provenance]]) -> Unit:
    if not dates:
        return unit
    opened, closed = dates.get("opened_on"), dates.get("closed_on")
    sources = {name: source for name, (_, source) in dates.items()}
    return replace(
        unit,
        opened_on=opened[0] if opened else unit.opened_on,
        closed_on=closed[0] if closed else unit.closed_on,
        field_provenance={**unit.field_provenance, **sources},
    )


def _contacts() -> dict[str, list[dict[str, str]]]:
    """unit id -> its published contact facts, in file order."""
    by_unit: dict[str, list[dict[str, str]]] = defaultdict(list)
    for _, row in read_csv("unit_contacts.csv"):
        if row["published"] == "yes":
            by_unit[row["unit_id"]].append(row)
    return by_unit


def _with_contacts(unit: Unit, contacts: list[dict[str, str]]) -> Unit:
    values: dict[str, Any] = {}
    field_provenance = dict(unit.field_provenance)
    for contact in contacts:
        target = CONTACT_FIELDS.get(contact["field"])
        if target is None or target in values or getattr(unit, target) is not None:
            continue
        values[target] = contact["value"]
        own_page = target == "website" and contact["value"] == unit.provenance.source
        note = OWN_PAGE if own_page else contact["note"]
        field_provenance[target] = Provenance(
            source=contact["source_url"],
            verified=date.fromisoformat(contact["retrieved"]),
            note=f"contact fact ({contact['confidence']} confidence)" + (f": {note}" if note else ""),
        )
    return replace(unit, **values, field_provenance=field_provenance) if values else unit


def _catchment(hf_name: str, municipality: str | None, geo: Geography) -> str | None:
    by_name = {c.name: c.code for c in geo.catchments.values()}
    name = organisation_name(hf_name)
    if name in by_name:
        return by_name[name]
    area = geo.area_units.get(municipality or "")
    return area.catchment_code if area else None


def _unit_offers(unit: Unit, row: dict[str, str], line: int, corrections: Keyed) -> list[ServiceOffer]:
    retrieved = row["retrieved"]
    corrected = _mapped(corrections, unit.id, OFFER_FIELDS)
    vocab = load_vocabularies()["service_types"]
    tokens = [t for t in row["service_types"].split(";") if t]
    services, legal = [], []
    for token in tokens:
        if token in GROUP_TOKENS:
            continue  # the unit's target groups (_unit_groups)
        if token in LEGAL_TOKENS:
            legal.append(LEGAL_TOKENS[token])
        elif SERVICE_TOKENS.get(token, token) in vocab:
            services.append(SERVICE_TOKENS.get(token, token))
        else:
            raise SeedError(f"tsb_units.csv line {line}, field service_types: unknown token {token!r}")
    inpatient = [s for s in services if vocab[s].get("level") >= 3]
    adults = bool(ADULTS_ONLY.search(row["target_groups_note"]))
    url = row["source_url"]
    offers = []
    for service in services:
        level = vocab[service].get("level")
        field_provenance: dict[str, Provenance] = dict(corrected)
        beds = unit.beds if unit.beds is not None and inpatient == [service] else None
        if beds is not None:
            field_provenance["beds"] = _derived(url, retrieved, DERIVED_BEDS)
        if adults:
            field_provenance["age_min"] = _derived(url, retrieved, DERIVED_ADULTS)
        open_24_7 = {"yes": True, "no": False}.get(row["open_24_7"])
        if (open_24_7 is True and level < 3) or (open_24_7 is False and service != "akutt"):
            open_24_7 = None
        offers.append(
            ServiceOffer(
                id=f"{unit.id}/{service}",
                unit_id=unit.id,
                service_type=service,
                provenance=unit.provenance,
                legal_basis=tuple(legal),
                age_min=18 if adults else None,
                beds=beds,
                open_24_7=open_24_7,
                description=row["target_groups_note"] or None,
                field_provenance=field_provenance,
            )
        )
    return offers


def _unit_groups(row: dict[str, str]) -> tuple[tuple[str, ...], Provenance | None]:
    """The target groups the source states for the unit, and the provenance note when one was derived."""
    groups = [GROUP_TOKENS[t] for t in row["service_types"].split(";") if t in GROUP_TOKENS]
    if not ADULTS_ONLY.search(row["target_groups_note"]) or "adults" in groups:
        return tuple(groups), None
    why = DERIVED_ADULTS_AND_OTHERS if groups else DERIVED_ADULTS
    return (*groups, "adults"), _derived(row["source_url"], row["retrieved"], why)


def _unit(row: dict[str, str], line: int, geo: Geography, corrections: Keyed) -> Unit:
    municipality = row["kommune_number_2024"] or None
    area = geo.area_units.get(municipality or "")
    if municipality and area is None:
        raise SeedError(f"tsb_units.csv line {line}, field kommune_number_2024: unknown {municipality!r}")
    provenance = _provenance(row["source_url"], row["retrieved"], row["source_date_or_snapshot"] or None)
    field_provenance = _mapped(corrections, row["unit_id"], UNIT_FIELDS)
    if area is not None:
        field_provenance["lat"] = _derived(row["source_url"], row["retrieved"], DERIVED_POINT)
    groups, groups_derived = _unit_groups(row)
    if groups_derived is not None and "target_groups" not in field_provenance:
        field_provenance["target_groups"] = groups_derived
    raw_org = row["organization"]
    return Unit(
        id=row["unit_id"],
        name=row["unit_name"],
        organisation_id=slug(organisation_name(raw_org)),
        provenance=provenance,
        catchment_code=_catchment(row["hf_catchment"], municipality, geo),
        region_code=region_code(row["rhf"]),
        street_address=row["street_address"] or None,
        postal_code=row["postal_code"] or None,
        town=row["town"] or None,
        municipality_code=municipality,
        lat=area.lat if area else None,
        lon=area.lon if area else None,
        location_precision="municipality" if area else None,
        beds=int(row["beds"]) if row["beds"] else None,
        description=(f"{raw_org}" if raw_org != organisation_name(raw_org) else None),
        target_groups=groups,
        confidence=row["confidence"] or None,
        field_provenance=field_provenance,
    )


def _organisations_from_units(rows: list[tuple[int, dict[str, str]]]) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for _, row in rows:
        name = organisation_name(row["organization"])
        org_id = slug(name)
        if org_id not in orgs:
            orgs[org_id] = Organisation(
                id=org_id,
                name=name,
                owner_type=row["owner_type"],
                provenance=_provenance(row["source_url"], row["retrieved"]),
                region_code=region_code(row["rhf"]),
            )
    return orgs


def _add_private_providers(orgs: dict[str, Organisation]) -> None:
    for _, row in read_csv("tsb_private_providers.csv"):
        if CLOSED_STATUS.search(row["status"]):
            continue
        name = organisation_name(row["provider"])
        org_id = slug(name)
        note = f"{row['status']}; agreement: {row['agreement_period']}"
        if row["verified"] != "yes":
            note += "; current contract status not verified"
        if org_id in orgs:
            continue
        commercial = name.endswith(" AS")
        orgs[org_id] = Organisation(
            id=org_id,
            name=name,
            owner_type="private_commercial_contract" if commercial else "private_nonprofit_contract",
            provenance=Provenance(
                source=row["source_url"],
                verified=PROVIDERS_RETRIEVED,
                note=OWNER_INFERRED,
            ),
            region_code=region_code(row["rhf"]),
            status_note=note,
        )


def _scope(text: str) -> tuple[str, int | None, int | None]:
    lowered = text.lower()
    scope = "unknown"
    if "all tsb" in lowered:
        scope = "all_tsb"
    elif "own unit" in lowered:
        scope = "own_unit"
    elif "lar" in lowered and ("only" in lowered or "intake/discharge" in lowered):
        scope = "lar_only"
    # Only an explicit "age band:" sets ages; a note may mention an earlier split ("for 30+ and ... under 30").
    band = lowered.startswith("age band:")
    over = re.search(r"over (\d{2})", lowered) if band else None
    under = re.search(r"under (\d{2})", lowered) if band else None
    # "over 30" pairs with an "under 30" team in the same source, so 30 itself belongs here.
    return scope, int(over.group(1)) if over else None, int(under.group(1)) - 1 if under else None


def _teams(orgs: dict[str, Organisation], geo: Geography, corrections: Keyed) -> list[AssessmentTeam]:
    teams = []
    for line, row in read_csv("vurderingsteam.csv"):
        municipality = row["kommune_number_2024"].split(";")[0].strip() or None
        area = geo.area_units.get(municipality or "")
        scope, age_min, age_max = _scope(row["scope"])
        org_id = slug(organisation_name(row["hf"]))
        if municipality and area is None:
            raise SeedError(
                f"vurderingsteam.csv line {line}, field kommune_number_2024: unknown {municipality!r}"
            )
        teams.append(
            AssessmentTeam(
                id=slug(row["team_name"])[:120],
                name=row["team_name"],
                provenance=_provenance(
                    row["source_url"] or "vurderingsteam.csv (see its .source.md)", row["retrieved"]
                ),
                organisation_id=org_id if org_id in orgs else None,
                catchment_code=_catchment(row["hf"], municipality, geo),
                region_code=region_code(row["rhf"]),
                municipality_code=municipality,
                town=row["town"] or None,
                scope=scope,
                scope_note=row["scope"],
                age_min=age_min,
                age_max=age_max,
                lat=area.lat if area else None,
                lon=area.lon if area else None,
                location_precision="municipality" if area else None,
                phone=row["phone"] or None,
                address=row["address"] or None,
                field_provenance=_mapped(corrections, row["team_name"], TEAM_FIELDS),
            )
        )
    return teams


def load_seed(geo: Geography) -> Seed:
    """Every source-backed organisation, unit, service offer and assessment team in the bundled files."""
    rows = list(read_csv("tsb_units.csv"))
    corrections = _corrections()
    contacts = _contacts()
    orgs = _organisations_from_units(rows)
    _add_private_providers(orgs)
    units = [_unit(row, line, geo, corrections) for line, row in rows]
    offers = [
        o
        for unit, (line, row) in zip(units, rows, strict=True)
        for o in _unit_offers(unit, row, line, corrections)
    ]
    units = [_with_contacts(unit, contacts.get(unit.id, [])) for unit in units]
    dates = _unit_dates({u.id for u in units})
    units = [_with_dates(unit, dates.get(unit.id, {})) for unit in units]
    return Seed(list(orgs.values()), units, offers, _teams(orgs, geo, corrections))
