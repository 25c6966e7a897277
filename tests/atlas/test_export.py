import csv
import io
import json

from openpyxl import load_workbook

from tests.atlas.world import population, snapshot
from tsbkart.atlas.export import to_csv, to_json, to_xlsx
from tsbkart.atlas.indicators import indicator_table


def test_csv_json_xlsx_agree_and_unknown_is_empty_or_null() -> None:
    table = indicator_table(snapshot(), "beds_per_10k", population())
    csv_text = to_csv(table)
    assert csv_text.splitlines()[0].startswith("code,name,region_code,value")
    data = json.loads(to_json(table))
    assert data["indicator"]["id"] == "beds_per_10k"
    north = next(a for a in data["areas"] if a["code"] == "north")
    assert north["value"] == table.rows.set_index("code").loc["north", "value"]
    assert all(a["ci_low"] is None for a in data["areas"])  # unknown -> null, not 0
    book = load_workbook(io.BytesIO(to_xlsx(table)))
    assert book.sheetnames == ["data", "about"]
    assert book["data"].max_row == 1 + len(table.rows)
    assert book["data"]["E2"].value is None  # ci_low empty


def test_caveat_travels_with_the_helseatlas_csv() -> None:
    table = indicator_table(snapshot(), "helseatlas_pasientrate_u18", population())
    assert "NOT verified" in to_csv(table).splitlines()[1]
    assert "NOT verified" in json.loads(to_json(table))["indicator"]["caveat"]["en"]


def test_area_names_that_look_like_formulas_are_guarded() -> None:
    """Before #9 ``to_csv`` (pandas) and ``to_xlsx`` (openpyxl) wrote such a cell as a live formula."""
    table = indicator_table(snapshot(), "beds_per_10k", population())
    hostile = '=HYPERLINK("https://example.invalid","x")'
    table.rows.loc[table.rows.index[0], "name"] = hostile
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[1][1] == "'" + hostile
    sheet = load_workbook(io.BytesIO(to_xlsx(table)))["data"]
    assert sheet["B2"].value == hostile and sheet["B2"].data_type == "s"
