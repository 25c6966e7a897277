"""The JSON API under ``/api/v1``: thin routes over ``tsbkart.query``; see docs/api.md."""

from __future__ import annotations

from fastapi import APIRouter

from tsbkart.web.api import areas, health, offers, organisations, teams, units, vocabularies, writes

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
for module in (health, units, offers, organisations, teams, areas, vocabularies, writes):
    router.include_router(module.router)
