"""Cell parsers: every formatted value parses back to itself; bad cells fail with a message."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.exchange.cells import CellError, format_cell, parse_bool, parse_cell, parse_float, parse_int
from tsbkart.exchange.columns import Column, load_columns

OFFER = load_columns()["offer"]
UNIT = load_columns()["unit"]
codes = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_int_round_trips(value: int) -> None:
    column = OFFER.column("beds")
    assert parse_cell(column, format_cell(column, value)) == value
    assert parse_int(value) == value
    assert parse_int(float(value)) == value  # Excel hands whole numbers over as floats


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_round_trips(value: float) -> None:
    column = UNIT.column("lat")
    assert parse_cell(column, format_cell(column, value)) == value


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda f: round(f, 3)))
def test_decimal_comma_is_read(value: float) -> None:
    assert parse_float(f"{value}".replace(".", ",")) == pytest.approx(value)


@given(st.booleans())
def test_bool_round_trips(value: bool) -> None:
    column = OFFER.column("open_24_7")
    assert parse_cell(column, format_cell(column, value)) is value


@given(st.sampled_from(["ja", "JA", " Yes", "true", "TRUE"]), st.sampled_from(["nei", "No", "false "]))
def test_bool_words_in_any_case(yes: str, no: str) -> None:
    assert parse_bool(yes) is True
    assert parse_bool(no) is False


@given(
    st.text().filter(
        lambda t: t.strip().lower() not in {"ja", "yes", "true", "j", "y", "nei", "no", "false", "n", ""}
    )
)
def test_other_words_are_not_booleans(text: str) -> None:
    with pytest.raises(CellError, match="ja/nei"):
        parse_bool(text)


@given(st.dates())
def test_date_round_trips_from_text_and_excel(value: date) -> None:
    column = OFFER.column("waiting_as_of")
    assert parse_cell(column, format_cell(column, value.isoformat())) == value.isoformat()
    assert parse_cell(column, datetime(value.year, value.month, value.day)) == value.isoformat()


@given(st.lists(codes, max_size=6))
def test_lists_round_trip(items: list[str]) -> None:
    column = OFFER.column("target_groups")
    assert parse_cell(column, format_cell(column, items)) == items


@given(st.lists(codes, min_size=1, max_size=4))
def test_list_separators_tolerate_spaces_and_trailing_semicolons(items: list[str]) -> None:
    assert parse_cell(OFFER.column("legal_basis"), " ; ".join(items) + ";") == items


@given(st.sampled_from([c for c in OFFER.columns if c.type != "codes" and c.type != "list"]))
def test_empty_cell_is_unknown(column: Column) -> None:
    expected = column.empty  # None, or "unknown" for intake_status
    assert parse_cell(column, "") == expected
    assert parse_cell(column, None) == expected
    assert parse_cell(column, "   ") == expected


@given(st.text(min_size=1).filter(lambda t: t.strip() != "" and not t.strip().lstrip("+-").isdigit()))
def test_non_numbers_fail_as_whole_numbers(text: str) -> None:
    with pytest.raises(CellError, match="whole number"):
        parse_int(text)


def test_fractions_fail_as_whole_numbers() -> None:
    with pytest.raises(CellError):
        parse_int(2.5)
    with pytest.raises(CellError):
        parse_int("2.5")


def test_bad_dates_and_numbers_say_what_was_expected() -> None:
    with pytest.raises(CellError, match="YYYY-MM-DD"):
        parse_cell(OFFER.column("waiting_as_of"), "22.11.2026")
    with pytest.raises(CellError, match="number"):
        parse_cell(UNIT.column("lat"), "nord")
    with pytest.raises(CellError, match="finite"):
        parse_cell(UNIT.column("lat"), "inf")


def test_choices_and_language_codes_are_checked() -> None:
    assert parse_cell(UNIT.column("confidence"), "high") == "high"
    with pytest.raises(CellError, match="high, medium"):
        parse_cell(UNIT.column("confidence"), "low")
    assert parse_cell(OFFER.column("languages"), "nb;en") == ["nb", "en"]
    with pytest.raises(CellError, match="ISO 639-1"):
        parse_cell(OFFER.column("languages"), "norsk")


def test_excel_numbers_in_text_columns_lose_no_digits() -> None:
    assert parse_cell(UNIT.column("postal_code"), 5021.0) == "5021"


@given(st.sampled_from(list(OFFER.columns) + list(UNIT.columns)), st.text())
def test_any_text_either_parses_or_raises_a_cell_error(column: Column, text: str) -> None:
    try:
        value = parse_cell(column, text)
    except CellError as error:
        assert str(error)
        return
    if column.type == "int":
        assert value is None or isinstance(value, int)
    elif column.type == "float":
        assert value is None or isinstance(value, float)
    elif column.type in ("codes", "list"):
        assert isinstance(value, list) and all(item == item.strip() and item for item in value)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["²", "٣", "1_0"]))
def test_only_ascii_digits_are_numbers(value: int, odd: str) -> None:
    assert parse_cell(OFFER.column("beds"), str(value)) == value
    with pytest.raises(CellError):
        parse_cell(OFFER.column("beds"), odd)


def test_opening_hours_cells_read_the_compact_text_and_write_it_back() -> None:
    from tsbkart.exchange.cells import CellError, format_cell, parse_cell
    from tsbkart.exchange.columns import load_columns

    column = load_columns()["unit"].column("opening_hours")
    value = parse_cell(column, "ma-fr 08:00-15:30; SA 10:00-14:00")
    assert value == [
        {
            "byday": ["MO", "TU", "WE", "TH", "FR"],
            "opens_at": "08:00",
            "closes_at": "15:30",
            "freq": "WEEKLY",
        },
        {"byday": ["SA"], "opens_at": "10:00", "closes_at": "14:00", "freq": "WEEKLY"},
    ]
    assert format_cell(column, value) == "MO-FR 08:00-15:30; SA 10:00-14:00"
    assert parse_cell(column, "") == []  # unknown, not closed
    with pytest.raises(CellError, match="is not opening hours like"):
        parse_cell(column, "weekdays 8 to 4")
