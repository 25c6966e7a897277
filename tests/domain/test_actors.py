import pytest

from tsbkart.domain.actors import ANONYMOUS, WRITER_KINDS, Actor
from tsbkart.stewardship.roles import ActorRef


def test_an_actor_is_a_typed_reference_with_a_label() -> None:
    assert Actor.cli(" kari@unn ") == Actor("cli", "kari@unn", "kari@unn")
    assert Actor.cli("kari@unn").label == "kari@unn (cli)"
    assert Actor("user", "7", "Kari Nordmann").label == "Kari Nordmann (user 7)"
    assert ANONYMOUS.label == "anonymous (anonymous)" and "anonymous" not in WRITER_KINDS
    assert ActorRef is Actor  # stewardship names the same type


@pytest.mark.parametrize(
    ("kind", "id", "name", "message"),
    [
        ("robot", "x", "x", "actor kind must be one of"),
        ("user", None, "Kari", "anonymous actor has no id"),
        ("anonymous", "x", "x", "anonymous actor has no id"),
        ("cli", " ", "x", "non-empty id"),
        ("cli", "x", "", "non-empty name"),
        ("cli", "x" * 201, "x", "longer than 200"),
    ],
)
def test_a_malformed_actor_is_refused(kind: str, id: str | None, name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Actor(kind, id, name)  # type: ignore[arg-type]
