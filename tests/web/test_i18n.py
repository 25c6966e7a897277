from tsbkart.web.i18n import catalogue, negotiate


def test_bokmal_is_the_default_even_for_english_browsers() -> None:
    assert negotiate(None, None, "en-US,en;q=0.9") == "nb"


def test_query_wins_over_cookie_and_unknown_values_are_ignored() -> None:
    assert negotiate("en", "nb", None) == "en"
    assert negotiate(None, "en", None) == "en"
    assert negotiate("de", None, None) == "nb"


def test_catalogues_translate_and_fall_back_to_the_message_id() -> None:
    nb = catalogue("nb")
    assert nb.gettext("Map") != "Map"  # the bokmål catalogue translates the navigation
    assert nb.gettext("a message nobody translated") == "a message nobody translated"
