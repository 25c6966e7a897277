from tsbkart.planning.stated import stated_beds
from tsbkart.reference.geography import load_geography
from tsbkart.reference.seed import load_seed
from tsbkart.registry.snapshot import RegistrySnapshot


def test_stated_beds_say_for_how_many_inpatient_units_they_are_stated() -> None:
    geo = load_geography()
    seed = load_seed(geo)
    snapshot = RegistrySnapshot.build(
        geo, organisations=seed.organisations, units=seed.units, offers=seed.offers, teams=seed.teams
    )
    catchments = stated_beds(snapshot, "catchment")
    assert len(catchments) == 21
    assert (catchments["units_stated"] <= catchments["units_inpatient"]).all()
    row = catchments.iloc[0]
    assert row["stated_for"] == f"stated for {row['units_stated']} of {row['units_inpatient']} units"
    regions = stated_beds(snapshot, "region")
    assert regions["stated_beds"].sum() == catchments["stated_beds"].sum()
    assert stated_beds(snapshot, "unit").empty
