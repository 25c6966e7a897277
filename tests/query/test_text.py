"""Norwegian-aware name matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.query.text import TextColumn, haystack, matches, name_keys, normalise, query_tokens, tokens


def found(query: str, *names: str) -> bool:
    return matches(query_tokens(query), name_keys(names))


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("tromsø", "Avrusning Tromsø"),
        ("TROMSØ", "Avrusning Tromsø"),
        ("tromso", "Avrusning Tromsø"),
        ("ostmarka", "Østmarka"),
        ("oestmarka", "Østmarka"),
        ("baerum", "Bærum sykehus"),
        ("aasgaard", "Åsgård"),
        ("asgard", "Åsgård"),
        ("åsg", "Åsgård"),
        ("akutt", "Rusakuttmottaket"),  # part of a compound word
        ("rus oslo", "Rusakuttmottaket Oslo"),
        ("ﬁnnmark", "Finnmarkssykehuset"),  # NFKC folds the ligature
    ],
)
def test_finds(query: str, name: str) -> None:
    assert found(query, name)


@pytest.mark.parametrize(
    ("query", "name"),
    [("bergen", "Avrusning Tromsø"), ("tromsø oslo", "Avrusning Tromsø"), ("ø", "Bodø")],
)
def test_does_not_find(query: str, name: str) -> None:
    assert found(query, name) is (query == "ø")


def test_tokens_across_punctuation_but_not_across_names() -> None:
    assert tokens("Psykisk helse- og rusklinikken (PHR)") == ("psykisk", "helse", "og", "rusklinikken", "phr")
    assert not found("tromsøoslo", "Tromsø", "Oslo")


def test_organisation_and_town_count_too() -> None:
    assert found("nord-norge poliklinikk", "Poliklinikk", "Universitetssykehuset Nord-Norge HF")


@given(st.text(min_size=1, max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(st.lists(st.text(alphabet="abcæøåÆØÅ xyz-", min_size=1, max_size=12), min_size=1, max_size=3))
def test_every_name_finds_itself_and_its_uppercase(names: list[str]) -> None:
    keys = name_keys(names)
    for name in names:
        if query_tokens(name):
            assert matches(query_tokens(name), keys)
            assert matches(query_tokens(name.upper()), keys)


_names = st.lists(st.text(alphabet="abcøåæ -Oslo", max_size=12), max_size=3)


@given(st.lists(_names, max_size=8), st.text(alphabet="abcøå oslO", max_size=8))
def test_text_column_matches_like_matches(records: list[list[str]], query: str) -> None:
    texts = [haystack(name_keys(names)) for names in records]
    wanted = query_tokens(query)
    expected = [matches(wanted, (), text) for text in texts]
    assert TextColumn(texts).matching(wanted).tolist() == expected


def test_text_column_visits_each_record_once_and_keeps_records_apart() -> None:
    column = TextColumn([haystack(["ab"]), haystack(["ba", "ab"]), haystack(["c"])])
    assert column.containing("ab").tolist() == [True, True, False]
    # "b" + separator + "b" across two records is no hit
    assert column.containing("bb").tolist() == [False, False, False]
    assert TextColumn([]).matching(("a",)).tolist() == []
