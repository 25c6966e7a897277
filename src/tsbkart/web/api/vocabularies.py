"""``/api/v1/vocabularies``: the coded vocabularies every filter uses, with bokmål and English labels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tsbkart.query.units import Page
from tsbkart.vocab import Vocabulary, load_vocabularies
from tsbkart.web.api.openapi import documented
from tsbkart.web.api.params import FormatDep, SnapshotDep
from tsbkart.web.api.problems import ApiProblem
from tsbkart.web.api.render import respond, respond_page
from tsbkart.web.api.schemas import VocabularyList, VocabularyOut, VocabularySummary

router = APIRouter(tags=["vocabularies"])


def vocabulary_record(vocabulary: Vocabulary) -> dict[str, Any]:
    return {
        "name": vocabulary.name,
        "version": vocabulary.version,
        "source": vocabulary.source,
        "terms": [
            {"code": t.code, "label": dict(t.label), "attributes": dict(t.attributes)}
            for t in vocabulary.terms
        ],
    }


@router.get("/vocabularies", responses=documented(VocabularyList, csv=True), response_model=None)
async def vocabularies(request: Request, read: SnapshotDep, fmt: FormatDep = "json") -> Response:
    """Every vocabulary (name, version, source, number of terms)."""
    items = [
        {"name": v.name, "version": v.version, "source": v.source, "terms": len(v.terms)}
        for v in sorted(load_vocabularies(), key=lambda v: v.name)
    ]
    page = Page(items=items, total=len(items), limit=max(len(items), 1), offset=0)
    return respond_page(request, read.read, page, fmt, list(VocabularySummary.model_fields))


@router.get("/vocabularies/{name}", responses=documented(VocabularyOut, csv=True), response_model=None)
async def vocabulary(request: Request, read: SnapshotDep, name: str, fmt: FormatDep = "json") -> Response:
    """One vocabulary with its terms; as CSV, one row per term."""
    found = load_vocabularies().by_name.get(name)
    if found is None:
        names = ", ".join(sorted(load_vocabularies().by_name))
        raise ApiProblem(404, f"no vocabulary {name!r}; known: {names}")
    record = vocabulary_record(found)
    if fmt == "csv":
        terms = Page(items=record["terms"], total=len(found.terms), limit=max(len(found.terms), 1), offset=0)
        return respond_page(request, read.read, terms, "csv", ["code", "label_nb", "label_en"])
    return respond(request, read.read, record, "application/json")
