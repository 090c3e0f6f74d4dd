"""Reading uploads: encodings, CSV and XLSX, cleaning, limits, unreadable files."""
import datetime as dt
import io

import openpyxl
import pytest

from lms.services import tabular
from lms.services.tabular import TabularError, decode_text, read_rows, read_table

TEXT = "工号,姓名\nA100,陈晓\n"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_decode_text_detects_each_encoding(encoding, expected):
    text, found = decode_text(TEXT.encode(encoding))
    assert text == TEXT and found == expected


def test_gb18030_only_characters_decode():
    text = "工号,姓名\nA1,㐀䶵\n"  # CJK extension A: in GB18030, not in GBK
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize("data", [TEXT.encode("utf-16"), TEXT.encode("utf-16-le"), b"\xff\xff\xff"])
def test_utf16_and_undecodable_bytes_name_the_encoding(data):
    with pytest.raises(TabularError) as caught:
        decode_text(data, "roster.csv")
    assert "check the file's encoding" in str(caught.value) and str(caught.value).startswith("roster.csv:")


def test_csv_rows_keep_file_row_numbers_and_are_cleaned():
    data = ("\ufeffemployee_no, name \n"
            "\u3000A100\u3000,陈晓\n"
            ",\n"
            "\n"
            '"A101","刘\n洋"\n'
            "A102\n").encode("utf-8")
    headers, rows = read_rows(data, "r.csv")
    assert headers == ["employee_no", "name"]
    assert rows == [(2, ["A100", "陈晓"]), (5, ["A101", "刘\n洋"]), (6, ["A102", ""])]


def test_extra_values_are_kept_for_the_importer_and_trailing_empties_dropped():
    headers, rows = read_rows(b"a,b,,\n1,2,,\n1,2,3\n", "r.csv")
    assert headers == ["a", "b"] and rows[0].values == ["1", "2"] and rows[1].values == ["1", "2", "3"]


def test_tab_separated_text():
    headers, rows = read_rows("工号\t姓名\nA1\t张伟, 小\n".encode("gbk"), "r.txt")
    assert headers == ["工号", "姓名"] and rows[0].values == ["A1", "张伟, 小"]


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_become_text():
    data = _xlsx([["工号", "入职日期", "score"], [1001, dt.datetime(2025, 3, 3), 1.5], [],
                  [" A2 ", dt.date(2024, 1, 2), None]])
    table = read_table(data, "r.xlsx")
    assert table.encoding == "xlsx" and table.header_row == 1
    assert table.rows == [(2, ["1001", "2025-03-03", "1.5"]), (4, ["A2", "2024-01-02", ""])]


def test_xlsx_is_recognised_by_content_even_when_named_csv():
    headers, rows = read_rows(_xlsx([["a"], ["b"]]), "export.csv")
    assert headers == ["a"] and rows[0].values == ["b"]


@pytest.mark.parametrize("data, filename, words", [
    (b"", "r.csv", "empty"),
    (b"\n\n", "r.csv", "no rows"),
    (b"%PDF-1.4", "r.pdf", "unsupported file type"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "r.xls", ".xls"),
    (b"PK\x03\x04 not really a zip", "r.xlsx", "not a readable XLSX"),
    (b"garbage", "r.xlsx", "not a readable XLSX"),
])
def test_unreadable_files_are_named_with_a_reason(data, filename, words):
    with pytest.raises(TabularError) as caught:
        read_rows(data, filename)
    assert str(caught.value).startswith(f"{filename}: ") and words in str(caught.value)


def test_limits(monkeypatch):
    with pytest.raises(TabularError, match="more than 3 data rows"):
        read_rows(b"a\n1\n2\n3\n4\n", "r.csv", max_rows=3)
    assert len(read_rows(b"a\n1\n2\n3\n", "r.csv", max_rows=3)[1]) == 3
    with pytest.raises(TabularError, match="row 2 has a value longer than"):
        read_rows(b"a\n" + b"x" * (tabular.MAX_FIELD_CHARS + 1), "r.csv")
    monkeypatch.setattr(tabular, "MAX_COLUMNS", 3)
    with pytest.raises(TabularError, match="row 1 has more than 3 columns"):
        read_rows(b"a,b,c,d\n", "r.csv")
