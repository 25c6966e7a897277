"""A tiny synthetic world for the atlas tests: two catchments in one region, three municipalities, an Oslo
with two bydeler (one without a point), and a handful of units. All numbers are made up (synthetic)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tsbkart.domain.entities import (
    AreaUnit,
    CatchmentArea,
    Organisation,
    Provenance,
    Region,
    ServiceOffer,
    Unit,
)
from tsbkart.registry.snapshot import Geography, RegistrySnapshot

P = Provenance("synthetic test fixture", verified=date(2026, 1, 1))
D = date(2020, 1, 1)


def geography() -> Geography:
    regions = [Region("r", "Region R")]
    catchments = [
        CatchmentArea("north", "North HF", "North", "r"),
        CatchmentArea("south", "South HF", "South", "r"),
    ]
    units = [
        AreaUnit("1001", "Alpha", "kommune", "X", "north", 60.0, 10.0, D),
        AreaUnit("1002", "Beta", "kommune", "X", "north", 61.0, 10.0, D),  # ~111 km north of Alpha
        AreaUnit("2001", "Gamma", "kommune", "X", "south", 59.0, 10.0, D),
        AreaUnit("0301", "Oslo", "kommune", "O", None, 59.9, 10.75, D),
        AreaUnit("030101", "Gamle Oslo", "bydel", "O", "south", 59.91, 10.78, D, parent_code="0301"),
        AreaUnit("030108", "Nordre Aker", "bydel", "O", "south", None, None, D, parent_code="0301"),
        AreaUnit("030199", "Uoppgitt bydel", "bydel", "O", "south", None, None, D, parent_code="0301"),
    ]
    return Geography.build(regions, catchments, units)


def population(year: int = 2026) -> pd.DataFrame:
    """Adults only at age 30 and children at age 10; Oslo's kommune row exceeds its bydeler by 7 adults."""
    rows = []
    adults = {
        ("kommune", "1001"): 1000,
        ("kommune", "1002"): 3000,
        ("kommune", "2001"): 6000,
        ("kommune", "0301"): 507,
        ("bydel", "030101"): 300,
        ("bydel", "030108"): 200,
    }
    for (level, code), people in adults.items():
        rows.append(
            {"year": year, "level": level, "code": code, "sex": "female", "age": 30, "population": people}
        )
        rows.append(
            {"year": year, "level": level, "code": code, "sex": "female", "age": 10, "population": 100}
        )
    return pd.DataFrame(rows)


def snapshot(with_offers: bool = True) -> RegistrySnapshot:
    org = Organisation("org", "Public HF", "hf", P)
    units = [
        Unit(
            "u-alpha",
            "Alpha døgn",
            "org",
            P,
            catchment_code="north",
            region_code="r",
            municipality_code="1001",
            lat=60.0,
            lon=10.0,
            location_precision="exact",
            beds=10,
        ),
        Unit(
            "u-gamma",
            "Gamma poliklinikk",
            "org",
            P,
            catchment_code="south",
            region_code="r",
            municipality_code="2001",
            lat=59.0,
            lon=10.0,
            location_precision="exact",
        ),
        Unit(
            "u-gamma-dogn",
            "Gamma døgn",
            "org",
            P,
            catchment_code="south",
            region_code="r",
            municipality_code="2001",
            lat=59.0,
            lon=10.0,
            location_precision="exact",
        ),
    ]
    offers = [
        ServiceOffer("u-alpha/dogn_kort", "u-alpha", "dogn_kort", P),
        ServiceOffer("u-alpha/avrusning", "u-alpha", "avrusning", P),
        ServiceOffer("u-gamma/poliklinikk", "u-gamma", "poliklinikk", P),
        ServiceOffer("u-gamma/lar", "u-gamma", "lar", P),
        ServiceOffer("u-gamma-dogn/dogn_lang", "u-gamma-dogn", "dogn_lang", P),  # beds unknown
    ]
    return RegistrySnapshot.build(
        geography(), organisations=[org], units=units, offers=offers if with_offers else []
    )
