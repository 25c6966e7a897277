import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.identifiers import (
    is_valid_orgnr,
    orgnr_check_digit,
    validate_her_id,
    validate_orgnr,
    validate_resh_id,
)

# Numbers whose ninth digit is the correct mod-11 check digit (weights 3 2 7 6 5 4 3 2).
KNOWN_VALID = ["993467049", "983974724"]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_numbers_pass(number: str) -> None:
    assert validate_orgnr(number) == number


def test_decorations_are_stripped() -> None:
    assert validate_orgnr("NO 993 467 049 MVA") == "993467049"


@pytest.mark.parametrize("bad", ["993467048", "99346704", "9934670490", "abcdefghi", ""])
def test_bad_numbers_fail_with_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="organisasjonsnummer"):
        validate_orgnr(bad)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_a_computed_check_digit_always_validates(first_eight: str) -> None:
    digit = orgnr_check_digit(first_eight)
    if digit is None:
        # No valid number starts with these eight digits: every last digit must fail.
        assert not any(is_valid_orgnr(first_eight + str(d)) for d in range(10))
    else:
        assert is_valid_orgnr(first_eight + str(digit))
        wrong = (digit + 1) % 10
        assert not is_valid_orgnr(first_eight + str(wrong))


@given(st.text(alphabet="0123456789", min_size=1, max_size=9))
def test_resh_and_her_accept_digits(value: str) -> None:
    assert validate_resh_id(value) == value
    assert validate_her_id(value) == value


@pytest.mark.parametrize("bad", ["", "12a", "1234567890", "-1"])
def test_resh_and_her_reject_non_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="RESH"):
        validate_resh_id(bad)
    with pytest.raises(ValueError, match="HER"):
        validate_her_id(bad)
