"""Reading tabular uploads (CSV or XLSX) into a header row and numbered data rows.

Shared by the importers (roster, KPI). Text files may be UTF-8, UTF-8 with BOM, GBK or
GB18030: strict UTF-8 is tried first, then GB18030 (a superset of GBK). GB18030 decodes
almost any byte string, so a file in yet another encoding comes out as garbled headers;
the importer that checks the headers then says "check the file's encoding". UTF-16 (Excel's
"Unicode text") is refused with the same advice. Problem is the (row, column, value, reason)
every importer reports; excel_csv() writes a CSV that Excel opens with Chinese intact.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from .messages import N_

MAX_ROWS = 20000        # data rows, header excluded
MAX_COLUMNS = 100
MAX_FIELD_CHARS = 1000

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, or an encrypted workbook
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")
# Zero-width characters that spreadsheet exports leave around values; str.strip() keeps them.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_CHUNK = 1 << 20



class Row(NamedTuple):
    number: int  # 1-based row of the file; the header row is usually 1
    values: list[str]


@dataclass
class Problem:
    """One thing wrong with an uploaded file, where it is, and why."""
    row: int | None  # None: the file as a whole
    column: str | None
    value: str | None
    message: str  # a template, translated where shown
    args: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.message % self.args if self.args else self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def format(self, filename: str) -> str:
        """`FILE:ROW:COLUMN: value 'X': reason`, as the commands print it."""
        if self.row is None:
            return f"{filename}: {self.reason}"
        value = f"value '{self.value}': " if self.value is not None else ""
        return f"{filename}:{self.row}:{self.column or '-'}: {value}{self.reason}"


class Table(NamedTuple):
    headers: list[str]
    rows: list[Row]
    header_row: int
    encoding: str  # of a text file; "xlsx" for a workbook


class TabularError(ValueError):
    """The file cannot be read as a table; `message % args` says why (the file is named)."""

    def __init__(self, filename: str, message: str, row: int | None = None, **args):
        if row is not None:
            args["row"] = row
        self.filename, self.message, self.row, self.args_ = filename, message, row, args
        super().__init__(f"{filename}: {self.reason}")

    @property
    def reason(self) -> str:
        return self.message % self.args_ if self.args_ else self.message

    def problem(self) -> Problem:
        return Problem(self.row, None, None, self.message, self.args_)


def clean(value) -> str:
    """A cell as text without surrounding (also full-width) spaces or invisible marks."""
    if value is None:
        return ""
    return str(value).strip().strip(_INVISIBLE).strip()


def parse_date(value: str) -> dt.date | None:
    """A date written YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日 (an Excel date cell reads as
    YYYY-MM-DD), or None."""
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def decode_text(data: bytes, filename: str = "file") -> tuple[str, str]:
    """The text of an uploaded file and the encoding it was read with."""
    encoding = detect_encoding(io.BytesIO(data), filename)
    text = data.decode(encoding)
    _refuse_nul(text, filename)
    return text, encoding


def detect_encoding(stream: BinaryIO, filename: str = "file") -> str:
    """utf-8, utf-8-sig or gb18030, read in chunks so a big file is never held whole; the
    stream is left where it was found."""
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    if head.startswith(_UTF16_BOMS):
        raise TabularError(filename, N_("the file is UTF-16 text, which is not supported: "
                                        "check the file's encoding (save it as CSV UTF-8 or GBK)"))
    try:
        for decoder_name in ("utf-8", "gb18030"):
            decoder = codecs.getincrementaldecoder(decoder_name)()
            try:
                while chunk := stream.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                stream.seek(start)
                continue
            if decoder_name == "utf-8":
                return "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
            return decoder_name
    finally:
        stream.seek(start)
    raise TabularError(filename, N_("the file is neither UTF-8 nor GBK/GB18030 text: "
                                    "check the file's encoding"))


def _refuse_nul(text: str, filename: str) -> None:
    if "\x00" in text:
        # UTF-16 without a byte-order mark decodes "successfully" with NULs between letters.
        raise TabularError(filename, N_("the file contains NUL characters (UTF-16 text?): "
                                        "check the file's encoding (save it as CSV UTF-8 or GBK)"))


def _cell_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1001.0 from a numeric cell is the employee no. 1001
    return clean(value)


def _csv_rows(stream: BinaryIO, encoding: str, filename: str):
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first_line = text.readline()
    text.seek(0)
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    try:
        for values in reader:
            # A quoted value may span lines: count rows as records, as spreadsheets do.
            number += 1
            for value in values:
                _refuse_nul(value, filename)
            yield number, values
    except csv.Error as exc:
        raise TabularError(filename, N_("row %(row)d is not valid CSV (%(error)s)"),
                           row=number + 1, error=str(exc)) from None
    finally:
        text.detach()  # the caller owns the binary stream


def _xlsx_rows(stream: BinaryIO, filename: str, sizes: dict):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # style warnings say nothing useful about the data
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, XML, KeyError and its own errors on bad input
        raise TabularError(filename, N_("not a readable XLSX workbook (damaged, or another format "
                                        "renamed to .xlsx)")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TabularError(filename, N_("the workbook has no worksheet"))
        sizes["rows"] = sheet.max_row  # from the sheet's dimension record; may be None
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        except TabularError:
            raise
        except Exception:
            raise TabularError(filename, N_("the workbook is damaged and cannot be read")) from None
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> tuple[list[str], list[Row]]:
    """The header row and the non-empty data rows of a CSV or XLSX file, values cleaned."""
    table = read_table(data, filename, max_rows=max_rows)
    return table.headers, table.rows


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> Table:
    """A small CSV or XLSX file read whole into a Table (see open_table)."""
    if not data:
        raise TabularError(filename, N_("the file is empty"))
    with open_table(io.BytesIO(data), filename, max_rows=max_rows) as stream:
        return Table(stream.headers, list(stream.rows), stream.header_row, stream.encoding)


class TableStream:
    """A table read row by row: headers, header_row and encoding are known once open; `rows`
    yields the data rows; `progress()` says how far through the file reading has got (0..1)."""

    def __init__(self, stream: BinaryIO, filename: str, max_rows: int):
        self.filename, self.max_rows = filename, max_rows
        self._stream = stream
        self._sizes: dict = {}
        self._rows_read = 0
        name = filename.lower()
        start = stream.tell()
        head = stream.read(8)
        stream.seek(0, io.SEEK_END)
        self._size = stream.tell() - start
        stream.seek(start)
        self._start = start
        if not head:
            raise TabularError(filename, N_("the file is empty"))
        if head.startswith(_OLE_MAGIC):
            raise TabularError(filename, N_("an old .xls or a password-protected workbook is not supported: "
                                            "save it as .xlsx or CSV"))
        if head.startswith(_ZIP_MAGIC) or name.endswith(EXCEL_SUFFIXES):
            self.encoding, source = "xlsx", _xlsx_rows(stream, filename, self._sizes)
        elif name.endswith(TEXT_SUFFIXES):
            self.encoding = detect_encoding(stream, filename)
            source = _csv_rows(stream, self.encoding, filename)
        else:
            raise TabularError(filename, N_("unsupported file type: upload a .csv or .xlsx file"))
        self._source = self._cleaned(source)
        for number, values in self._source:
            self.headers, self.header_row = _trim_empty_tail(values), number
            break
        else:
            raise TabularError(filename, N_("the file has no rows"))
        self.rows = self._data_rows()

    def _cleaned(self, source):
        for number, raw in source:
            values = [clean(v) for v in raw]
            if not any(values):
                continue
            if len(values) > MAX_COLUMNS:
                values = _trim_empty_tail(values)
                if len(values) > MAX_COLUMNS:
                    raise TabularError(self.filename, N_("row %(row)d has more than %(max)d columns"),
                                       row=number, max=MAX_COLUMNS)
            for value in values:
                if len(value) > MAX_FIELD_CHARS:
                    raise TabularError(self.filename, N_("row %(row)d has a value longer than %(max)d characters"),
                                       row=number, max=MAX_FIELD_CHARS)
            yield number, values

    def _data_rows(self):
        width = len(self.headers)
        for number, values in self._source:
            if self._rows_read >= self.max_rows:
                raise TabularError(self.filename, N_("more than %(max)d data rows: split the file"), row=number,
                                   max=self.max_rows)
            self._rows_read += 1
            # Short rows are padded; values beyond the last column are kept for the importer to flag.
            values = _trim_empty_tail(values)
            yield Row(number, values + [""] * (width - len(values)))

    def progress(self) -> float:
        if self.encoding == "xlsx":
            total = self._sizes.get("rows")
            return min(1.0, self._rows_read / total) if total else 0.0
        try:
            position = self._stream.tell() - self._start
        except (OSError, ValueError):
            return 0.0
        return min(1.0, position / self._size) if self._size else 1.0

    def close(self) -> None:
        self._source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_table(stream: BinaryIO, filename: str, *, max_rows: int = MAX_ROWS) -> TableStream:
    """A CSV or XLSX file (a seekable binary stream) read row by row, never held whole: the header
    is the first non-empty row; a data row has at least as many values as the header (more only
    when it holds values beyond the last column). Use it as a context manager."""
    return TableStream(stream, filename, max_rows)


def _trim_empty_tail(values: list[str]) -> list[str]:
    end = len(values)
    while end and not values[end - 1]:
        end -= 1
    return values[:end]


def _inert(cell):
    """Text that Excel would run as a formula (=, +, -, @ first) is kept as text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell


def excel_csv(headers: list[str], rows) -> bytes:
    """A CSV that Excel opens correctly with Chinese text: UTF-8 with BOM, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_inert(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
