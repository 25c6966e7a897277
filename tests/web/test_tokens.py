"""The API tokens page: a steward makes a token for their organisation (secret shown once), lists and revokes
it; another organisation's steward is refused (403, audited); the secret is never stored or shown again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.web.test_reports import _client, _refusals, _signed_in
from tsbkart.db.stewardship import ApiTokenRow, AuditEventRow

pytestmark = pytest.mark.usefixtures("fast_hashes")


def test_a_steward_makes_lists_and_revokes_a_token(stewards: Engine) -> None:
    kari, csrf = _signed_in(stewards, "kari")
    assert 'href="/forvalt/nokler"' in kari.get("/forvalt").text
    page = kari.get("/forvalt/nokler")
    assert page.status_code == 200 and "Ingen nøkler ennå" in page.text and 'value="org-b"' not in page.text
    made = kari.post(
        "/forvalt/nokler",
        data={
            "csrf_token": csrf,
            "organisation": "org-a",
            "name": "Ventetider <b>EPJ</b>",
            "scope": "records:update",
            "kind": "offer",
            "fields": "waiting_weeks, waiting_as_of",
            "days": "30",
        },
    )
    assert made.status_code == 201 and made.headers["cache-control"] == "private, no-store"
    secret = re.search(r"tsbk_[A-Za-z0-9_-]+", made.text)
    assert secret and "vises bare denne ene gangen" in made.text
    assert "<b>EPJ</b>" not in made.text and "&lt;b&gt;EPJ&lt;/b&gt;" in made.text
    listing = kari.get("/forvalt/nokler").text
    assert "waiting_weeks" in listing and secret.group(0) not in listing and "aktiv" in listing
    with Session(stewards) as s:
        row = s.execute(select(ApiTokenRow)).scalar_one()
        details = " ".join(repr(e.detail) for e in s.execute(select(AuditEventRow)).scalars())
    assert secret.group(0) not in details
    berit, berit_csrf = _signed_in(stewards, "berit")
    before = _refusals(stewards)
    refused = berit.post(f"/forvalt/nokler/{row.id}/trekk-tilbake", data={"csrf_token": berit_csrf})
    assert refused.status_code == 403 and _refusals(stewards) == before + 1
    assert "Ventetider" not in berit.get("/forvalt/nokler").text
    revoked = kari.post(
        f"/forvalt/nokler/{row.id}/trekk-tilbake", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert "trukket tilbake" in kari.get("/forvalt/nokler").text


def test_tokens_only_for_ones_own_organisation_and_bad_input_named(stewards: Engine) -> None:
    kari, csrf = _signed_in(stewards, "kari")
    before = _refusals(stewards)
    other = kari.post(
        "/forvalt/nokler",
        data={"csrf_token": csrf, "organisation": "org-b", "name": "x", "scope": "records:write"},
    )
    assert other.status_code == 403 and _refusals(stewards) == before + 1
    bad = kari.post(
        "/forvalt/nokler",
        data={
            "csrf_token": csrf,
            "organisation": "org-a",
            "name": "x",
            "days": "999",
            "scope": "records:write",
        },
    )
    assert bad.status_code == 422 and "fra 1 til 365 dager" in bad.text
    no_scope = kari.post("/forvalt/nokler", data={"csrf_token": csrf, "organisation": "org-a", "name": "x"})
    assert no_scope.status_code == 422 and "tilganger" in no_scope.text
    assert (
        kari.post("/forvalt/nokler", data={"organisation": "org-a", "name": "x"}).status_code == 403
    )  # CSRF
    rolf, _ = _signed_in(stewards, "rolf")
    assert rolf.get("/forvalt/nokler").status_code == 403  # reviewers do not manage tokens
    assert _client(stewards).get("/forvalt/nokler", follow_redirects=False).status_code == 303
