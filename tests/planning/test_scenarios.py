from pathlib import Path

import numpy as np
import pytest

from tsbkart.planning.scenarios import ScenarioError, load_scenarios

GOOD = """
phase_in: {full_effect_year: 2030}
factors:
  shift:
    title: {nb: Skift, en: Shift}
    description: {nb: Skift, en: Shift}
    source: a test
    effects:
      bed_days: {value: 0.8, range: [0.5, 1.0]}
scenarios:
  base: {title: {nb: B, en: B}, description: {nb: B, en: B}, factors: []}
  shifted: {title: {nb: S, en: S}, description: {nb: S, en: S}, factors: [shift]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_factor_phases_in_linearly_to_its_full_effect_year(tmp_path: Path) -> None:
    book = load_scenarios(write(tmp_path, GOOD))
    m = book.multipliers("shifted", (2026, 2028, 2030, 2035), launch=2026)
    np.testing.assert_allclose(m["bed_days"], [1.0, 0.9, 0.8, 0.8])
    np.testing.assert_allclose(m["patients"], 1.0)
    low = book.multipliers("shifted", (2030,), 2026, bounds={"shift": "low"})
    assert low["bed_days"][0] == pytest.approx(0.5)
    assert book.multipliers("base", (2030,), 2026)["bed_days"][0] == 1.0


@pytest.mark.parametrize(
    "change,message",
    [
        (("source: a test", "source: ''"), "needs a source"),
        (("range: [0.5, 1.0]", "range: [0.9, 1.0]"), "low <= value <= high"),
        (("bed_days:", "beds_days:"), "effects must name measures"),
        (("factors: [shift]", "factors: [nothing]"), "unknown factor"),
        (("title: {nb: Skift, en: Shift}", "title: {nb: Skift}"), "needs 'nb' and 'en'"),
    ],
)
def test_a_bad_scenario_file_is_explained(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as caught:
        load_scenarios(write(tmp_path, GOOD.replace(*change)))
    assert "mine.yaml" in str(caught.value)


def test_every_bundled_factor_has_a_source_and_a_range_around_its_value() -> None:
    book = load_scenarios()
    assert set(book.factors) == {"need_gap", "dogn_to_outpatient", "outreach_digital", "length_of_stay"}
    assert book.scenario("demography").factors == ()
    for factor in book.factors.values():
        assert "ASSUMPTION" in factor.source
        for effect in factor.effects.values():
            assert effect.low <= effect.value <= effect.high


def test_setting_a_value_outside_its_range_or_an_unknown_effect_is_refused() -> None:
    book = load_scenarios()
    with pytest.raises(ScenarioError, match="outside its range"):
        book.with_value("need_gap", "patients", 2.0)
    with pytest.raises(ScenarioError, match="no effect"):
        book.with_value("need_gap", "beds", 1.0)
    with pytest.raises(ScenarioError, match="unknown scenario"):
        book.scenario("nope")
