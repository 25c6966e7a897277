"""The service's calendar: "today" is the date in Norway (Europe/Oslo), wherever the server's clock is set.

Every reader that needs the current date (freshness badges, guideline deadlines, the geography valid today,
the latest ``as_of`` a client may ask for) calls :func:`today`, so a page, the API and the CLI never disagree
around midnight::

    today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # date(2027, 1, 1): already New Year in Oslo
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NORWAY = ZoneInfo("Europe/Oslo")


def today(now: datetime | None = None) -> date:
    """The date in Norway at ``now`` (an aware datetime; default: the current time)."""
    return (now or datetime.now(UTC)).astimezone(NORWAY).date()
