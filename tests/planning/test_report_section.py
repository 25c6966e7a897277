"""The planning section of the catchment report: the projection's and the capacity page's own numbers."""

from __future__ import annotations

from tsbkart.planning.population import project_population
from tsbkart.planning.report_section import REPORT_YEARS, planning_section
from tsbkart.planning.views import capacity_view, default_usage, population_view
from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot


def test_the_section_shows_the_projection_and_capacity_of_the_area_with_what_they_rest_on() -> None:
    projection = project_population(2040)
    usage = default_usage()
    frame = capacity_view(
        "catchment", "illustrative", None, None, "one-at-a-time", usage, projection=projection
    )
    section = planning_section(RegistrySnapshot.build(load_geography()), "unn", projection, frame, usage)
    assert section is not None and section.projection == projection.label() == "hamilton-perry"
    assert section.usage.is_national_example and "national rates" in section.usage.describe("en")
    people = population_view("catchment", "broad", REPORT_YEARS, code="unn", projection=projection)
    total = dict(section.population)["total"]
    assert total == {y: int(people[people["year"] == y]["population"].sum()) for y in REPORT_YEARS}
    beds = next(line for line in section.capacity if line.output == "beds")
    expected = frame[(frame["code"] == "unn") & (frame["output"] == "beds") & (frame["year"] == 2040)].iloc[0]
    assert beds.values[2040] == expected["value"] and (beds.low, beds.high) == (
        expected["low"],
        expected["high"],
    )
    assert beds.low is not None and beds.high is not None and beds.low <= beds.values[2040] <= beds.high
    assert section.units_inpatient == 0 and section.stated_beds == 0  # an empty registry: nothing stated


def test_an_unknown_area_has_no_section() -> None:
    assert planning_section(RegistrySnapshot.build(load_geography()), "nope") is None
