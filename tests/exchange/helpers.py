"""Small registries and files built in the tests (all synthetic; sources say so)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy import Engine

from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import AssessmentTeam, Organisation, Provenance, Unit
from tsbkart.exchange.columns import load_columns
from tsbkart.registry.store import Registry, Upsert

SOURCE = "synthetic test data"


def seeded_registry(engine: Engine) -> Registry:
    """One organisation, two units (one approximate) and a team; revision 1."""
    p = Provenance(SOURCE)
    registry = Registry(engine)
    registry.commit(
        [
            Upsert(Organisation("org", "Synthetic HF", "hf", p)),
            Upsert(AssessmentTeam("team", "Synthetic team", p, organisation_id="org", phone="1")),
            Upsert(
                Unit(
                    "u1",
                    "Unit one",
                    "org",
                    p,
                    catchment_code="ous",
                    municipality_code="0301",
                    lat=59.9,
                    lon=10.7,
                    location_precision="address",
                )
            ),
            Upsert(
                Unit(
                    "u2",
                    "Unit two",
                    "org",
                    p,
                    municipality_code="4601",
                    lat=60.4,
                    lon=5.3,
                    location_precision="municipality",
                )
            ),
        ],
        actor=Actor.cli("test"),
        reason="seed",
    )
    return registry


def offer_row(i: int, **overrides: str) -> dict[str, str]:
    row = {
        "id": f"u1/offer-{i:04d}",
        "unit_id": "u1",
        "service_type": "poliklinikk",
        "target_groups": "adults",
        "intake_status": "open",
        "open_24_7": "nei",
        "source": SOURCE,
        "verified": "2026-11-01",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: Iterable[Mapping[str, str]], kind: str = "offer") -> Path:
    columns = load_columns()[kind].names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [c for c in columns], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in columns})
    return path
