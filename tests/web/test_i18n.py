import pytest

from tsbkart.web.i18n import catalogue, negotiate


def test_bokmal_is_the_default_and_the_configured_default_holds() -> None:
    assert negotiate(None, None) == "nb"
    assert negotiate(None, None, default="en") == "en"
    assert negotiate(None, None, default="de") == "nb"


def test_query_wins_over_cookie_and_unknown_values_are_ignored() -> None:
    assert negotiate("en", "nb") == "en"
    assert negotiate(None, "en") == "en"
    assert negotiate("de", None) == "nb"
    assert negotiate("de", "xx", default="en") == "en"


def test_catalogues_translate_and_fall_back_to_the_message_id() -> None:
    nb = catalogue("nb")
    assert nb.gettext("Map") != "Map"  # the bokmål catalogue translates the navigation
    assert nb.gettext("a message nobody translated") == "a message nobody translated"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_audit_action_has_a_label_on_the_administrators_log_page(language: str) -> None:
    from tsbkart.stewardship.audit import ACTIONS

    gettext = catalogue(language).gettext
    assert [a for a in ACTIONS if gettext(f"audit:{a}") == f"audit:{a}"] == []
