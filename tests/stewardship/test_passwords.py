from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.stewardship.passwords import (
    PasswordRejected,
    check_new_password,
    common_passwords,
    hash_password,
    verify_password,
)


def test_the_bundled_common_list_is_the_django_list() -> None:
    words = common_passwords()
    assert len(words) == 19_640
    assert {"password", "123456", "qwerty"} <= words


@pytest.mark.parametrize("password", ["short", "elevenchars", "x" * 11])
def test_fewer_than_twelve_characters_is_refused(password: str) -> None:
    with pytest.raises(PasswordRejected, match="at least 12"):
        check_new_password(password)


def test_no_composition_rules_twelve_lower_case_letters_is_enough() -> None:
    check_new_password("fjelltoppene")  # only lower-case letters, no digit, no symbol: allowed


def test_a_common_password_of_twelve_characters_is_refused_whatever_its_case() -> None:
    long_common = sorted(p for p in common_passwords() if len(p) >= 12)[0]
    with pytest.raises(PasswordRejected, match="common"):
        check_new_password(long_common.upper())


def test_a_password_built_from_the_username_or_service_name_is_refused() -> None:
    with pytest.raises(PasswordRejected, match="username"):
        check_new_password("kari.nordmann1", "kari.nordmann")
    with pytest.raises(PasswordRejected, match="username"):
        check_new_password("tsbkart-2026!", "ola")
    check_new_password("kari liker lange fjellturer", "kari")  # the name inside a long phrase is fine


def test_at_most_256_characters() -> None:
    check_new_password("a" * 256)
    with pytest.raises(PasswordRejected, match="256"):
        check_new_password("a" * 257)


def test_hash_is_argon2id_and_verifies_only_the_same_password() -> None:
    stored = hash_password("riktig hest batteri stift")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "riktig hest batteri stift")
    assert not verify_password(stored, "riktig hest batteri stifT")
    assert not verify_password(None, "anything at all here")
    assert not verify_password("not a hash", "anything at all here")


@given(st.text(min_size=12, max_size=40))
def test_check_never_crashes_on_any_text(password: str) -> None:
    try:
        check_new_password(password, "someone")
    except PasswordRejected as error:
        assert str(error)
