from pathlib import Path

import numpy as np
import pytest

from tsbkart.planning.areas import OSLO, bundled_history
from tsbkart.planning.population import ProjectionInputError, project_population
from tsbkart.planning.projection import level_values
from tsbkart.planning.ssb import SsbImportError, read_ssb_projection

TITLE = '"14288: Framskrevet folkemengde 1. januar, etter region, kjønn, alder, statistikkvariabel og år"\n\n'


def wide_file(tmp_path: Path, years: range, codes: dict[str, str], encoding: str = "utf-8") -> Path:
    """SSB's wide CSV download: one column per alternative and year (SYNTHETIC values: 10 per cell)."""
    columns = [
        f'"{alt} {y}"' for alt in ("Hovedalternativet (MMMM)", "Lav nasjonal vekst (LLML)") for y in years
    ]
    lines = ['"region";"kjønn";"alder";' + ";".join(columns)]
    for code, name in codes.items():
        for sex in ("Menn", "Kvinner"):
            for age in range(0, 106):
                label = f"{age} år" if age < 105 else "105 år eller eldre"
                values = ";".join(["10"] * len(years) + ["5"] * len(years))
                lines.append(f'"{code} {name}";"{sex}";"{label}";{values}')
    path = tmp_path / "14288.csv"
    path.write_bytes((TITLE + "\n".join(lines) + "\n").encode(encoding))
    return path


def test_reads_the_wide_download_with_its_title_and_folds_ages_over_90(tmp_path: Path) -> None:
    ssb = read_ssb_projection(wide_file(tmp_path, range(2024, 2031), {"3101": "Halden", "0301": "Oslo"}))
    assert ssb.label == "ssb-14288-MMMM"
    assert ssb.years == tuple(range(2024, 2031)) and ssb.codes == ("0301", "3101")
    assert ssb.values[0, 0, 0, 89] == 10.0
    assert ssb.values[0, 0, 0, 90] == 10.0 * 16  # 90..105 summed into 90+


def test_another_alternative_and_windows_1252(tmp_path: Path) -> None:
    path = wide_file(tmp_path, range(2024, 2026), {"3101": "Halden"}, encoding="cp1252")
    ssb = read_ssb_projection(path, alternative="LLML")
    assert ssb.alternative == "LLML" and ssb.values[1, 0, 1, 0] == 5.0


def test_reads_the_long_layout_with_year_and_value_columns(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "region,kjønn,alder,statistikkvariabel,år,value\n"
        "0 Hele landet,Menn,0 år,Hovedalternativet (MMMM),2030,28000\n"
        "0 Hele landet,Kvinner,0 år,Hovedalternativet (MMMM),2030,27000\n"
        "31 Østfold,Kvinner,0 år,Hovedalternativet (MMMM),2030,1500\n"
        "0 Hele landet,Kvinner,1 år,Hovedalternativet (MMMM),2030,..\n",
        encoding="utf-8",
    )
    ssb = read_ssb_projection(path)
    assert ssb.codes == ("0",) and ssb.values[0, 0, 1, 0] == 28000.0
    assert ssb.skipped_cells == 1 and ssb.ignored_regions == ("31 Østfold",)


@pytest.mark.parametrize(
    "body,line,field,words",
    [
        ("region;alder;x 2030\n3101 Halden;0 år;1\n", 1, "kjønn", "by sex"),
        ("region;kjønn;alder;MMMM 2030\n3101 Halden;Begge;0 år;1\n", 2, "kjønn", "Menn/Kvinner"),
        (
            "region;kjønn;alder;MMMM 2030\n3101 Halden;Menn;0 år;1\n3101 Halden;Menn;alle;1\n",
            3,
            "alder",
            "number",
        ),
        ("region;kjønn;alder;MMMM 2030\n3101 Halden;Menn;0 år;-4\n", 2, "_value", "not a count"),
        (
            "region;kjønn;alder;MMMM 2030\n3101 Halden;Menn;0 år;1\n3101 Halden;Menn;0 år;2\n",
            3,
            "alder",
            "twice",
        ),
    ],
)
def test_bad_files_name_file_line_and_field(
    tmp_path: Path, body: str, line: int, field: str, words: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SsbImportError) as caught:
        read_ssb_projection(path)
    assert caught.value.file == "bad.csv" and caught.value.line == line and caught.value.field == field
    assert words in str(caught.value) and "bad.csv" in str(caught.value)


def test_no_header_and_an_unknown_alternative_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(SsbImportError, match="no header row"):
        read_ssb_projection(path)
    with pytest.raises(SsbImportError, match="found: LLML, MMMM"):
        read_ssb_projection(wide_file(tmp_path, range(2024, 2026), {"3101": "Halden"}), alternative="HHMH")


def test_ssb_is_used_where_it_covers_an_area_and_every_output_says_so(tmp_path: Path) -> None:
    ssb = read_ssb_projection(wide_file(tmp_path, range(2024, 2041), {"3101": "Halden", OSLO: "Oslo"}))
    projection = project_population(2040, ssb=ssb)
    hierarchy, history = bundled_history()
    halden = hierarchy.units.index("3101")
    assert projection.sources[halden] == "ssb-14288-MMMM"
    assert projection.sources[hierarchy.units.index("1101")] == "hamilton-perry"
    np.testing.assert_array_equal(projection.year(2030)[halden], ssb.values[6, 1])
    np.testing.assert_array_equal(projection.year(2026)[halden], history.year(2026)[halden])  # observed
    bydeler = [i for i, code in enumerate(hierarchy.units) if code.startswith(OSLO)]
    np.testing.assert_allclose(projection.year(2035)[bydeler].sum(axis=0), ssb.values[11, 0])
    assert "ssb-14288-MMMM (17 of 372 areas)" in projection.label()
    frame = projection.frame("unit", "broad")
    assert set(frame.loc[(frame["code"] == "3101") & (frame["year"] > 2026), "projection"]) == {
        "ssb-14288-MMMM"
    }
    catchments = projection.frame("catchment", None)
    assert catchments["projection"].str.contains("hamilton-perry").any()


def test_a_national_ssb_file_controls_the_small_areas(tmp_path: Path) -> None:
    ssb = read_ssb_projection(wide_file(tmp_path, range(2026, 2032), {"0": "Hele landet"}))
    projection = project_population(2031, ssb=ssb)
    nation = level_values(projection.year(2031), projection.hierarchy, "nation")[0]
    np.testing.assert_allclose(nation, ssb.values[5, 0])
    assert projection.label() == "hamilton-perry controlled to ssb-14288-MMMM national"


def test_an_ssb_file_that_stops_too_early_is_refused(tmp_path: Path) -> None:
    ssb = read_ssb_projection(wide_file(tmp_path, range(2024, 2031), {"3101": "Halden"}))
    with pytest.raises(ProjectionInputError, match="covers 2024-2030; the projection needs 2031-2040"):
        project_population(2040, ssb=ssb)
