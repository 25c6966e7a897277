from datetime import date

from starlette.datastructures import URL

from tsbkart.web.templating import fmt_date, fmt_number, lang_url, render


def test_numbers_and_dates_in_each_language() -> None:
    assert fmt_number(12345.678, "nb", 1) == "12\u00a0345,7"
    assert fmt_number(12345.678, "en", 1) == "12,345.7"
    assert fmt_number(3, "nb") == "3"
    assert fmt_number(None, "nb") == "ukjent" and fmt_number(None, "en") == "unknown"
    assert fmt_date(date(2026, 12, 1), "nb") == "01.12.2026"
    assert fmt_date(date(2026, 12, 1), "en") == "1 Dec 2026"


def test_language_switch_keeps_the_query() -> None:
    assert lang_url(URL("/?service_type=akutt&lang=nb&q="), "en") == "/?service_type=akutt&q=&lang=en"
    assert lang_url(None, "en") == "?lang=en"


def test_render_needs_no_request() -> None:
    html = render("error.html", {"title": "T", "messages": ["M"]}, language="en")
    assert '<html lang="en">' in html and "<p>M</p>" in html


def test_opening_hours_are_shown_with_the_languages_day_names() -> None:
    from tsbkart.domain.schedules import parse_schedules
    from tsbkart.web.templating import opening_hours_text

    hours = parse_schedules("MO-FR 08:00-15:30; SA,SU 10:00-14:00")
    assert opening_hours_text(hours, "nb") == "man.–fre. 08:00–15:30; lør., søn. 10:00–14:00"
    assert opening_hours_text(hours, "en") == "Mon–Fri 08:00–15:30; Sat, Sun 10:00–14:00"
