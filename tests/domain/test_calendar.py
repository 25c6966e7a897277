from datetime import UTC, date, datetime, timedelta, timezone

from tsbkart.domain.calendar import today


def test_today_is_the_date_in_norway_not_utc_or_the_server_zone() -> None:
    assert today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)  # CET, UTC+1
    assert today(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)  # CEST, UTC+2
    assert today(datetime(2026, 6, 30, 21, 30, tzinfo=UTC)) == date(2026, 6, 30)
    assert today(datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-10)))) == date(2026, 3, 1)
