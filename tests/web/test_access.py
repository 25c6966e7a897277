"""The access table (web/access.yaml) covers exactly the app's routes; a route without a rule stops the app."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter
from sqlalchemy import Engine

from tests.web.api_client import app_for
from tsbkart.web.stewardship.access import check_every_route_has_a_rule, route_keys, rule_table


def test_every_route_has_a_rule_and_every_rule_a_route(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, secret_key="k" * 40)
    declared = {k for keys in route_keys(app).values() for k in keys}
    assert declared == set(rule_table())


def test_a_new_route_without_a_rule_is_refused(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine, secret_key="k" * 40)
    extra = APIRouter()

    @extra.post("/enhet/{unit_id}/slett")
    def delete_unit(unit_id: str) -> None:
        raise AssertionError("never reached")

    app.include_router(extra)
    with pytest.raises(RuntimeError, match=re.escape("POST /enhet/{unit_id}/slett")):
        check_every_route_has_a_rule(app)
