"""CSV bytes to text: UTF-8 (BOM or not), certain Windows-1252, --encoding; never mojibake, never a crash."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.exchange.encoding import Undecodable, certainly_cp1252, decode, known_encoding
from tsbkart.exchange.tabular import read_file

HEADER = "id;name;organisation_id;source\n"


def _rows(count: int) -> str:
    return "".join(f"u{i};Døgnenhet {i} på Ås;org;kilde\n" for i in range(count))


def test_one_bad_byte_in_a_utf8_file_is_reported_where_it_is_and_nothing_is_rewritten(tmp_path: Path) -> None:
    # Today's importer read this whole file as cp1252 and imported 60 names as "DÃ¸gnenhet ... pÃ¥ Ã…s".
    data = (HEADER + _rows(60)).encode("utf-8").replace(b"u41;D\xc3\xb8gn", b"u41;D\xf8gn", 1)
    path = tmp_path / "enheter.csv"
    path.write_bytes(data)

    rows, problems = read_file(path)

    assert rows == []
    assert [(p.row, p.field) for p in problems] == [(43, "name")]
    assert "0xF8" in problems[0].message and "line 43, character 6" in problems[0].message
    assert "--encoding" in problems[0].message


def test_bytes_no_encoding_can_read_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    # 0x81 is unassigned in Windows-1252: today's fallback raised UnicodeDecodeError.
    path = tmp_path / "enheter.csv"
    path.write_bytes(HEADER.encode() + b"u1;Enhet \x81;org;kilde\n")
    rows, problems = read_file(path)
    assert rows == [] and [(p.row, p.field) for p in problems] == [(2, "name")]
    assert "0x81" in problems[0].message


def test_utf8_with_and_without_bom_read_the_same(tmp_path: Path) -> None:
    text = HEADER + _rows(3)
    plain, bom = tmp_path / "enheter.csv", tmp_path / "units.csv"
    plain.write_bytes(text.encode("utf-8"))
    bom.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert [r.values for r in read_file(plain)[0]] == [r.values for r in read_file(bom)[0]]
    assert read_file(bom)[0][0].values["name"] == "Døgnenhet 0 på Ås"


def test_a_utf16_file_with_its_byte_order_mark_is_certain(tmp_path: Path) -> None:
    path = tmp_path / "enheter.csv"
    path.write_bytes((HEADER + _rows(2)).replace(";", "\t").encode("utf-16"))
    rows, problems = read_file(path)
    assert not problems and rows[1].values["name"] == "Døgnenhet 1 på Ås"


def test_encoding_when_asked_and_its_errors_located(tmp_path: Path) -> None:
    path = tmp_path / "enheter.csv"
    # Mixed: a UTF-8 sequence and a Latin-1 byte; refused by default, read as asked with --encoding.
    path.write_bytes(HEADER.encode() + "u1;Ås – Ã;org;kilde\n".encode("cp1252") + "u2;Ø;org;kilde\n".encode())
    assert [(p.row, p.field) for p in read_file(path)[1]] == [(2, "name")]  # the first bad byte: Å
    rows, problems = read_file(path, encoding="cp1252")
    assert not problems and rows[0].values["name"] == "Ås – Ã" and rows[1].values["name"] == "Ã˜"
    path.write_bytes(HEADER.encode() + b"u1;x\x81;org;kilde\n")
    problem = read_file(path, encoding="windows-1252")[1][0]
    assert (problem.row, problem.field) == (2, "name") and "cp1252: check --encoding" in problem.message


@pytest.mark.parametrize(
    ("data", "certain"),
    [
        ("Rusbehandling Østfold, Ålesund – «døgn»".encode("cp1252"), True),
        ("Østfold".encode() + "ø".encode("cp1252"), False),  # holds a valid UTF-8 sequence: mixed
        (b"\x81", False),  # unassigned
        (b"x\x86y", False),  # a dagger: not something a Norwegian unit list holds
        (codecs.BOM_UTF8 + b"\xf8", False),
    ],
)
def test_certain_cp1252(data: bytes, certain: bool) -> None:
    assert certainly_cp1252(data) is certain


def test_known_encodings() -> None:
    assert known_encoding("Windows-1252") == "cp1252" and known_encoding("latin-1") == "iso8859-1"
    assert known_encoding("no-such-codec") is None and known_encoding("rot13") is None


@given(st.binary(max_size=200))
def test_decode_returns_text_or_says_which_byte(data: bytes) -> None:
    try:
        text, used = decode(data)
    except Undecodable as bad:
        assert 0 <= bad.offset < len(data) and data[bad.offset] == bad.byte
    else:
        encoded = text.encode(used)
        expected = {"utf-8": data.removeprefix(codecs.BOM_UTF8), "cp1252": data}.get(used, encoded)
        assert used in ("utf-8", "cp1252", "utf-16") and encoded == expected
