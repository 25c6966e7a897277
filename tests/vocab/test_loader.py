import pytest
import yaml

from tsbkart.vocab import VocabularyError, load_vocabularies
from tsbkart.vocab.loader import parse_vocabulary

REQUIRED = {
    "service_types": {
        "vurdering",
        "akutt",
        "avrusning",
        "poliklinikk",
        "ambulant",
        "dag",
        "dogn_kort",
        "dogn_lang",
        "dogn_utredning",
        "lar",
        "lar_lavterskel",
        "hab",
    },
    "target_groups": {
        "under_18",
        "under_23",
        "under_30",
        "elderly",
        "pregnant",
        "families",
        "rop",
        "prisoners",
        "gambling",
        "gaming",
        "anabolic_steroids",
        "alcohol",
        "opioids",
        "prescription_drugs",
        "cannabis",
        "stimulants",
    },
    "legal_basis": {"voluntary", "hol_10_2", "hol_10_3"},
    "owner_types": {"hf", "private_nonprofit_contract", "private_commercial_contract", "municipal", "fbv"},
    "intake_status": {"open", "waitlist", "closed", "unknown"},
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_issue_codes_are_present(name: str) -> None:
    assert REQUIRED[name] <= set(load_vocabularies()[name].codes)


def test_every_term_has_both_labels_and_a_source() -> None:
    for vocabulary in load_vocabularies():
        assert vocabulary.source, vocabulary.name
        for term in vocabulary:
            assert term.label["nb"].strip() and term.label["en"].strip(), (vocabulary.name, term.code)


def test_fbv_is_historical_only() -> None:
    owners = load_vocabularies()["owner_types"]
    assert owners["fbv"].get("historical") is True
    assert [t.code for t in owners if t.get("historical")] == ["fbv"]


def test_service_levels_order_outpatient_before_inpatient() -> None:
    services = load_vocabularies()["service_types"]
    assert (
        services["poliklinikk"].get("level")
        < services["dogn_kort"].get("level")
        < services["akutt"].get("level")
    )


def _doc(text: str) -> object:
    return yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "vocabulary: x\nversion: 1\nterms:\n  - code: a\n    label: {nb: A}\n",
            r"terms\[0\]\.label: .*label needs",
        ),
        (
            "vocabulary: x\nversion: 1\nterms:\n  - code: A b\n    label: {nb: A, en: A}\n",
            r"terms\[0\]\.code: String should match",
        ),
        (
            "vocabulary: x\nversion: 1\nterms:\n  - {code: a, label: {nb: A, en: A}}\n  - {code: a, label: {nb: A, en: A}}\n",
            "duplicate",
        ),
        ("vocabulary: x\nterms: []\n", "version: Field required"),
        ("vocabulary: x\nversion: 1\nterms: []\ncolour: red\n", "colour: Extra inputs are not permitted"),
        (
            "vocabulary: x\nversion: 1\nterms:\n  - code: a\n    label: {nb: Døgn, kort, en: Inpatient}\n",
            "quote labels",
        ),
    ],
)
def test_malformed_files_are_rejected_with_the_file_named(text: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=message) as error:
        parse_vocabulary(_doc(text), "broken.yaml")
    assert "broken.yaml" in str(error.value)
