import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tsbkart.planning.areas import TOP_AGE, aggregate
from tsbkart.planning.controls import rake
from tsbkart.planning.hamilton_perry import cohort_change_ratios, project_step, women
from tsbkart.planning.projection import hamilton_perry_projection, level_values
from tsbkart.planning.settings import ProjectionSettings

from .world import growing, hierarchy, stable

BIRTHS = np.array([[50.0, 52.0], [10.0, 11.0], [200.0, 210.0], [3.0, 2.0], [80.0, 84.0], [1.0, 1.0]])


@pytest.mark.parametrize("step,window", [(5, 1), (5, 2), (1, 5)])
def test_a_stable_population_is_reproduced_by_plain_hamilton_perry(step: int, window: int) -> None:
    history = stable(range(2010, 2027), BIRTHS)
    projection = hamilton_perry_projection(
        history, hierarchy(), 2026, 2040, ProjectionSettings(step, window, 0.0)
    )
    for year in projection.years:
        np.testing.assert_allclose(projection.year(year), history.year(2026), rtol=1e-9)


@pytest.mark.parametrize("step,window,prior", [(5, 1, 50.0), (1, 5, 20.0)])
def test_shrinkage_keeps_a_stable_population_whose_areas_share_their_ratios(
    step: int, window: int, prior: float
) -> None:
    history = stable(range(2010, 2027), BIRTHS[:, [0]] * np.array([[1.0, 1.05]]))
    projection = hamilton_perry_projection(
        history, hierarchy(), 2026, 2040, ProjectionSettings(step, window, prior)
    )
    for year in projection.years:
        np.testing.assert_allclose(projection.year(year), history.year(2026), rtol=1e-9)


def test_cohort_change_ratio_moves_a_cohort_by_the_step() -> None:
    history = np.zeros((6, 1, 2, TOP_AGE + 1))  # years 0..5
    history[0, 0, 1, 30] = 100.0  # men aged 30 in year 0
    history[5, 0, 1, 35] = 90.0  # men aged 35 five years later
    ratios = cohort_change_ratios(history, step=5)
    assert ratios.ccr[0, 1, 35] == pytest.approx(0.9)
    launch = np.zeros((1, 2, TOP_AGE + 1))
    launch[0, 1, 30] = 200.0
    assert project_step(launch, ratios)[0, 1, 35] == pytest.approx(180.0)


def test_the_open_top_group_takes_everyone_who_ages_into_it() -> None:
    history = np.zeros((6, 1, 2, TOP_AGE + 1))  # years 0..5
    history[0, 0, 0, 85:] = 10.0  # 85-89 and 90+: 60 women aged 85+
    history[5, 0, 0, TOP_AGE] = 30.0  # 30 women aged 90+ five years later
    ratios = cohort_change_ratios(history, step=5)
    assert ratios.ccr[0, 0, TOP_AGE] == pytest.approx(0.5)
    launch = np.zeros((1, 2, TOP_AGE + 1))
    launch[0, 0, 85:] = [4.0, 4.0, 4.0, 4.0, 4.0, 20.0]
    assert project_step(launch, ratios)[0, 0, TOP_AGE] == pytest.approx(20.0)  # 0.5 x (20 + 20)


def test_child_woman_ratios_give_the_youngest_ages_from_projected_women() -> None:
    history = np.zeros((6, 1, 2, TOP_AGE + 1))  # years 0..5
    history[:, 0, 0, 10:50] = 10.0  # women 15-49: 350 in both years
    history[5, 0, 0, 0:5] = 7.0  # 7 girls per age 0-4 at launch: CWR 0.02
    history[5, 0, 1, 0:5] = 3.5
    ratios = cohort_change_ratios(history, step=5)
    assert ratios.cwr[0, 0] == pytest.approx([0.02] * 5)
    launch = history[5]
    out = project_step(launch, ratios)
    assert women(out)[0] == pytest.approx(350.0)
    assert out[0, 0, 0:5] == pytest.approx([7.0] * 5)
    assert out[0, 1, 0:5] == pytest.approx([3.5] * 5)


def test_a_small_area_ratio_is_shrunk_towards_its_parent() -> None:
    history = np.zeros((6, 1, 2, TOP_AGE + 1))  # years 0..5
    history[0, 0, 1, 30], history[5, 0, 1, 35] = 2.0, 4.0  # ratio 2.0 on two persons
    parent = cohort_change_ratios(np.ones((6, 1, 2, TOP_AGE + 1)), step=5)  # ratio 1.0
    shrunk = cohort_change_ratios(history, 5, parent=parent, parent_index=np.array([0]), prior=2.0)
    assert shrunk.ccr[0, 1, 35] == pytest.approx((4.0 + 2.0) / (2.0 + 2.0))
    plain = cohort_change_ratios(history, 5, parent=parent, parent_index=np.array([0]), prior=0.0)
    assert plain.ccr[0, 1, 35] == pytest.approx(2.0)
    assert plain.ccr[0, 1, 40] == pytest.approx(1.0)  # no denominator: the parent's ratio


def test_every_level_adds_up_by_age_and_sex_and_follows_the_national_projection() -> None:
    geo, history = hierarchy(), growing(range(2010, 2027))
    projection = hamilton_perry_projection(history, geo, 2026, 2036, ProjectionSettings(5, 1, 20.0))
    nation_only = hamilton_perry_projection(
        type(history)(history.years, ("n",), level_values(history.values, geo, "nation")),
        type(geo)(("n",), ("N",), ("c",), ("C",), ("r",), ("R",), np.array([0]), np.array([0])),
        2026,
        2036,
        ProjectionSettings(5, 1, 20.0),
    )
    for year in (2031, 2036):
        units = projection.year(year)
        catchments = level_values(units, geo, "catchment")
        regions = level_values(units, geo, "region")
        np.testing.assert_allclose(aggregate(catchments, geo.catchment_parent, 2), regions)
        np.testing.assert_allclose(regions.sum(axis=0), level_values(units, geo, "nation")[0])
        np.testing.assert_allclose(units.sum(axis=0), nation_only.year(year)[0], rtol=1e-9)


def test_a_projection_uses_no_year_after_its_launch() -> None:
    history = growing(range(2010, 2027))
    changed = type(history)(history.years, history.codes, history.values.copy())
    changed.values[-1] *= 3.0  # 2026 is after the launch year 2021
    a = hamilton_perry_projection(history, hierarchy(), 2021, 2026)
    b = hamilton_perry_projection(changed, hierarchy(), 2021, 2026)
    np.testing.assert_array_equal(a.values, b.values)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, (6, 2, 4), elements=st.floats(0, 1e4)),
    arrays(np.float64, (3, 2, 4), elements=st.floats(0, 1e4)),
)
def test_raking_makes_children_add_up_to_their_parent(child: np.ndarray, parent: np.ndarray) -> None:
    index = np.array([0, 0, 1, 1, 2, 2])
    raked = rake(child, parent, index)
    np.testing.assert_allclose(aggregate(raked, index, 3), parent, rtol=1e-9, atol=1e-6)
    assert (raked >= 0).all()
