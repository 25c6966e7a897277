"""Import SSB's official population projection (StatBank table 14288 or a later edition) from SSB's CSV
download, and use it in place of the Hamilton-Perry projection where it covers an area.

Accepted layouts (docs/planning.md, "SSB projection file"): SSB's CSV download, semicolon- or
comma-separated, UTF-8 or Windows-1252, with or without the title line above the header. Stub columns
``region`` ("3101 Halden", "K-3101 Halden", "0 Hele landet"), ``kjønn`` ("Menn"/"Kvinner"), ``alder``
("0 år" ... "105 år eller eldre"; 90 and over are summed into 90+), then either one column per alternative
and year ("Hovedalternativet (MMMM) 2030"), or ``statistikkvariabel`` and one column per year, or ``år`` and
``value`` columns. ".." / "." / ":" are SSB's missing-value marks (the cell is skipped); "-" is zero.

Shape::

    ssb = read_ssb_projection(Path("14288.csv"))            # alternative MMMM unless told
    ssb.label          # "ssb-14288-MMMM"
    ssb.codes          # ("0301", "1101", ...) kommune codes, "0" = the nation
    ssb.values.shape   # (27 years, n areas, 2 sexes, 91 ages)
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tsbkart.planning.areas import OSLO, SEXES, TOP_AGE, Hierarchy
from tsbkart.planning.controls import rake

__all__ = ["NATION", "SsbImportError", "SsbProjection", "read_ssb_projection", "unit_values"]

NATION = "0"
MISSING = {"..", ".", ":", "...", ""}
ROLE_NAMES = {
    "region": {"region"},
    "sex": {"kjønn", "kjonn", "sex"},
    "age": {"alder", "age"},
    "variable": {"statistikkvariabel", "contents", "alternativ", "alternative"},
    "year": {"år", "ar", "tid", "year"},
    "value": {"value", "verdi", "personer"},
}
SEX_WORDS = {
    "menn": "male",
    "mann": "male",
    "males": "male",
    "male": "male",
    "1": "male",
    "kvinner": "female",
    "kvinne": "female",
    "females": "female",
    "female": "female",
    "2": "female",
}


class SsbImportError(ValueError):
    """Bad SSB file: names the file, the line (1-based, as in a text editor) and the field."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        where = ", ".join(
            p for p in (file, f"line {line}" if line else "", f"field {field!r}" if field else "") if p
        )
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.field = file, line, field


@dataclass(frozen=True)
class SsbProjection:
    table: str
    alternative: str
    years: tuple[int, ...]
    codes: tuple[str, ...]
    values: np.ndarray
    skipped_cells: int
    ignored_regions: tuple[str, ...]

    @property
    def label(self) -> str:
        table = f"-{self.table}" if self.table else ""
        return f"ssb{table}-{self.alternative}"

    def area(self, code: str) -> np.ndarray | None:
        """(years, 2, 91) for one code, or None."""
        return None if code not in self.codes else np.asarray(self.values[:, self.codes.index(code)])


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _norm(text: str) -> str:
    return text.strip().strip('"').strip().lower()


def _header(lines: list[str], name: str) -> tuple[int, str]:
    for i, line in enumerate(lines[:30]):
        for sep in (";", ",", "\t"):
            if "region" in {_norm(cell) for cell in line.split(sep)}:
                return i, sep
    raise SsbImportError(name, None, "region", "no header row with a 'region' column in the first 30 lines")


def _roles(columns: list[str], name: str, line: int) -> tuple[dict[str, str], list[str]]:
    roles: dict[str, str] = {}
    rest = []
    for column in columns:
        role = next((r for r, names in ROLE_NAMES.items() if _norm(column) in names), None)
        if role is None or role in roles:
            rest.append(column)
        else:
            roles[role] = column
    for needed, column, hint in (
        ("sex", "kjønn", "download the table by sex (kjønn)"),
        ("age", "alder", "download single years of age (alder)"),
    ):
        if needed not in roles:
            raise SsbImportError(name, line, column, f"column missing: {hint}")
    if "value" in roles:
        rest = [roles["value"]]
    if not rest:
        raise SsbImportError(name, line, None, "no value columns after region, kjønn and alder")
    return roles, rest


def _first_bad(frame: pd.DataFrame, bad: pd.Series, name: str, field: str, message: str) -> None:
    if bool(bad.any()):
        row = frame.loc[bad[bad].index[0]]
        raise SsbImportError(name, int(row["_line"]), field, message.format(value=row[field]))


def _cells(frame: pd.DataFrame, roles: dict[str, str], value_columns: list[str]) -> pd.DataFrame:
    stub = [c for r, c in roles.items() if r != "value"]
    long = frame.melt(
        id_vars=[*stub, "_line"], value_vars=value_columns, var_name="_column", value_name="_value"
    )
    column_year = long["_column"].str.extract(r"((?:19|20)\d\d)\s*$", expand=False)
    long["_year"] = long[roles["year"]] if "year" in roles else column_year
    label = (
        long[roles["variable"]]
        if "variable" in roles
        else long["_column"].str.replace(r"\s*(?:19|20)\d\d\s*$", "", regex=True)
    )
    code = label.str.extract(r"\(([A-Z0-9]{3,5})\)", expand=False)
    long["_alternative"] = code.fillna(label.str.strip())
    return long


def _choose_alternative(long: pd.DataFrame, wanted: str | None, name: str) -> tuple[str, pd.DataFrame]:
    found = sorted(a for a in long["_alternative"].unique() if a)
    if wanted is None:
        wanted = found[0] if len(found) == 1 else ("MMMM" if "MMMM" in found else None)
    if wanted is None or wanted not in found:
        raise SsbImportError(
            name,
            None,
            "statistikkvariabel",
            f"alternative {wanted!r} not in the file; found: {', '.join(found)}",
        )
    return wanted, long[long["_alternative"] == wanted]


def _parse_columns(long: pd.DataFrame, roles: dict[str, str], name: str) -> pd.DataFrame:
    region = long[roles["region"]].str.strip()
    kommune = region.str.extract(r"^(?:K-)?(\d{4})\b", expand=False)
    nation = region.str.match(r"^(?:0\b|hele landet)", case=False)
    long = long.assign(_code=kommune.where(~nation, NATION))
    sex = long[roles["sex"]].map(lambda s: SEX_WORDS.get(_norm(str(s))))
    _first_bad(
        long, sex.isna(), name, roles["sex"], "sex {value!r} is not Menn/Kvinner (the file must be by sex)"
    )
    age = pd.to_numeric(long[roles["age"]].str.extract(r"(\d+)", expand=False), errors="coerce")
    _first_bad(long, age.isna(), name, roles["age"], "age {value!r} has no number of years")
    year = pd.to_numeric(long["_year"], errors="coerce")
    _first_bad(long, year.isna(), name, roles.get("year", "_column"), "no year in {value!r}")
    text = long["_value"].astype(str).str.strip().str.replace("\u00a0", "").str.replace(" ", "")
    missing = text.isin(MISSING)
    number = pd.to_numeric(text.where(text != "-", "0").str.replace(",", "."), errors="coerce")
    _first_bad(
        long, ~missing & (number.isna() | (number < 0)), name, "_value", "value {value!r} is not a count"
    )
    return long.assign(
        _sex=sex, _age=np.minimum(age, TOP_AGE), _year_n=year, _number=number, _missing=missing
    )


def _table_number(lines: list[str]) -> str:
    match = re.match(r"^\W*(\d{5})\b", lines[0]) if lines else None
    return match.group(1) if match else ""


def read_ssb_projection(
    path: Path, alternative: str | None = None, table: str | None = None
) -> SsbProjection:
    """Read one alternative (default: the only one, else MMMM) of an SSB projection CSV download.

    Raises ``SsbImportError`` (file, line, field) on anything it cannot read; regions that are neither a
    municipality nor the nation (counties, economic regions) are ignored and listed in ``ignored_regions``.
    """
    name = path.name
    try:
        lines = _decode(path.read_bytes()).splitlines()
    except OSError as problem:
        raise SsbImportError(name, None, None, f"cannot read the file ({problem.strerror})") from problem
    header, sep = _header(lines, name)
    frame = pd.read_csv(io.StringIO("\n".join(lines[header:])), sep=sep, dtype=str, keep_default_na=False)
    frame["_line"] = np.arange(len(frame)) + header + 2
    roles, value_columns = _roles([c for c in frame.columns if c != "_line"], name, header + 1)
    long = _cells(frame, roles, value_columns)
    chosen, long = _choose_alternative(long, alternative, name)
    long = _parse_columns(long, roles, name)
    ignored = tuple(sorted(set(long.loc[long["_code"].isna(), roles["region"]])))
    cells = long[long["_code"].notna() & ~long["_missing"]]
    key = [roles["region"], "_sex", roles["age"], "_year_n"]
    _first_bad(
        cells,
        cells.duplicated(key),
        name,
        roles["age"],
        "the same region, sex, age and year twice ({value!r})",
    )
    years = tuple(sorted(int(y) for y in cells["_year_n"].unique()))
    codes = tuple(sorted(str(c) for c in cells["_code"].unique()))
    values = np.zeros((len(years), len(codes), len(SEXES), TOP_AGE + 1))
    index = (
        pd.Categorical(cells["_year_n"].astype(int), categories=years).codes,
        pd.Categorical(cells["_code"], categories=codes).codes,
        pd.Categorical(cells["_sex"], categories=SEXES).codes,
        cells["_age"].to_numpy(dtype=np.intp),
    )
    np.add.at(values, index, cells["_number"].to_numpy(dtype=float))
    return SsbProjection(
        table=table or _table_number(lines),
        alternative=chosen,
        years=years,
        codes=codes,
        values=values,
        skipped_cells=int(long["_missing"].sum()),
        ignored_regions=ignored,
    )


def unit_values(
    ssb: SsbProjection, hierarchy: Hierarchy, year: int, fallback: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Small-area values for ``year``: SSB's where it has the municipality, Oslo's bydeler split by
    ``fallback`` (the Hamilton-Perry values, (units, 2, 91)) and controlled to SSB's Oslo; elsewhere
    ``fallback``. Returns (values, mask of the small areas that use SSB)."""
    slot = ssb.years.index(year)
    units = pd.Series(hierarchy.units)
    municipality = units.where(units.str.len() == 4, OSLO).to_numpy()
    found = pd.Index(ssb.codes).get_indexer(pd.Index(municipality))
    uses = found >= 0
    values = fallback.copy()
    direct = uses & (municipality != OSLO)
    values[direct] = ssb.values[slot, found[direct]]
    oslo = uses & (municipality == OSLO)
    if oslo.any():
        parent = ssb.values[slot, ssb.codes.index(OSLO)][None]
        values[oslo] = rake(fallback[oslo], parent, np.zeros(int(oslo.sum()), dtype=np.intp))
    return values, uses
