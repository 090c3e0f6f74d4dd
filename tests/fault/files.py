"""Hypothesis strategies for uploaded tables: a header and rows of text, written as CSV/TSV in
some encoding or as an XLSX workbook, then perhaps damaged (cut short, bytes spliced in) or
replaced by random bytes. Cells are mostly plausible for their column, sometimes junk."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io

from hypothesis import strategies as st

ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "latin-1")
JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e400", "-1", "-0", "1.5", "9" * 40, "NULL", "一百",
                     "=1+1", '"', "a,b", "x\ny", "\ufeff", "\x00", "２０２６－１１－０１", "12%", "300%", "99:99",
                     "1:60:00", "00:00:60", "2026-02-30", "0000-01-01", "9999-12-31"]),
    st.integers(min_value=1001, max_value=1500).map(lambda n: "长" * n),  # longer than a field may be
    st.integers().map(str),
    st.floats().map(str),
)


def some_date(first: dt.date, last: dt.date):
    return st.dates(first, last).flatmap(lambda d: st.sampled_from(
        [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"]))


def counts(low: int, high: int):
    return st.integers(low, high).flatmap(lambda n: st.sampled_from([str(n), f"{n:,}", f"{n}.0"]))


def complete_header(required: tuple, optional: tuple):
    """Every required column and some optional ones, in any order."""
    extras = st.lists(st.sampled_from(optional), unique=True) if optional else st.just([])
    return extras.flatmap(lambda extra: st.permutations(list(required) + extra))


def header(required: tuple, optional: tuple, junk: tuple):
    """A complete header (the usual case), or any run of known and unknown names: columns
    missing, repeated, unknown."""
    complete = complete_header(required, optional)
    names = list(required) + list(optional) + list(junk)
    anything = st.lists(st.one_of(st.sampled_from(names), st.text(max_size=8)), max_size=12)
    return st.one_of(complete, complete, complete, anything)


WRONG_NUMBERS = st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "1e30", "9" * 40, "-1", "1.5",
                                 "12%", "abc", "", "1,2,3", "0x10", "1_000", "１e９", "99:99:99", "-00:01"])


@st.composite
def table(draw, headers, cell_for, wrong_for, max_rows: int = 6):
    """(header, rows) with cells drawn for their column: all plausible (so the import gets to
    write), one of the wrong type per row, or a mess of junk with rows short or too long."""
    head = draw(headers)
    mess = draw(st.sampled_from(["tidy", "tidy", "wrong", "wrong", "junk"]))
    rows = []
    for _ in range(draw(st.integers(0 if mess == "junk" else 1, max_rows))):
        row = [draw(cell_for(name) if mess != "junk" else st.one_of(cell_for(name), wrong_for(name), JUNK))
               for name in head]
        if mess == "wrong" and head:
            at = draw(st.integers(0, len(head) - 1))
            row[at] = draw(wrong_for(head[at]))
        if mess == "junk":
            cut = draw(st.integers(-2, 2))
            row = row[:len(row) + cut] if cut < 0 else row + [draw(JUNK) for _ in range(cut)]
        rows.append(row)
    return head, rows


def _csv(head, rows, delimiter: str, newline: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows([head, *rows])
    return out.getvalue()


@functools.lru_cache(maxsize=1024)  # a workbook carries its save time: the same table, the same bytes
def _xlsx(head: tuple, rows: tuple, typed: bool) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        if typed and text.isascii() and text.isdigit() and len(text) < 10:
            return int(text)  # a numeric cell, as the platform's export has
        return text

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [head, *rows]:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def plain_csv(draw, tables, stem: str):
    """(bytes, filename) of a table as a whole UTF-8 CSV file: the cells are what is under test."""
    head, rows = draw(tables)
    return _csv(head, rows, ",", "\n").encode(), f"{stem}.csv"


@st.composite
def upload(draw, tables, stem: str):
    """(bytes, filename) of a table as it might arrive: any encoding or a workbook, whole or damaged."""
    head, rows = draw(tables)
    form = draw(st.sampled_from(["csv", "csv", "tsv", "xlsx"]))
    if form == "xlsx":
        data = _xlsx(tuple(head), tuple(map(tuple, rows)), draw(st.booleans()))
        filename = draw(st.sampled_from([f"{stem}.xlsx", f"{stem}.XLSX", f"{stem}.csv"]))
    else:
        text = _csv(head, rows, "\t" if form == "tsv" else ",", draw(st.sampled_from(["\r\n", "\n"])))
        data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
        filename = draw(st.sampled_from([f"{stem}.csv", f"{stem}.CSV", f"{stem}.txt", f"{stem}.tsv"]))
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "splice", "random"]))
    if damage == "cut":  # anywhere: mid-row, mid multi-byte character, mid zip entry
        data = data[:draw(st.integers(0, len(data)))]
    elif damage == "splice":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at + draw(st.integers(0, 16)):]
    elif damage == "random":
        prefix = draw(st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xd0\xcf\x11\xe0"]))
        data = prefix + draw(st.binary(max_size=200))
        filename = draw(st.sampled_from([filename, f"{stem}.bin", stem]))
    return data, filename
