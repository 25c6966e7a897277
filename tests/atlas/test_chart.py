from tests.atlas.world import population, snapshot
from tsbkart.atlas.chart import PLOT_WIDTH, ranked_bars
from tsbkart.atlas.indicators import indicator_table


def test_bars_ranked_and_scaled_with_unknown_last() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    chart = ranked_bars(table)
    assert [b.code for b in chart.bars] == ["north", "south"]
    assert chart.bars[0].width > chart.bars[1].width == 0.0
    assert chart.ticks[-1][1] == PLOT_WIDTH and chart.ticks[-1][0] >= chart.bars[0].value
    assert chart.bars[0].y < chart.bars[1].y
