"""Read a registry file (CSV or XLSX) as numbered rows of the template's columns.

Streaming: a CSV is read row by row, an XLSX with openpyxl's read-only mode, so a file of
millions of rows never sits in memory. The line number is the row's number as a
spreadsheet shows it (the header is line 1). Content is only ever read as text.
"""

from __future__ import annotations

import codecs
import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clients.registry.rows import COLUMNS, REQUIRED_COLUMNS, collapse

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class RawCopySpec:
    """How PostgreSQL's COPY can read the CSV itself: template column name (or '') per file column."""

    columns: list[str]
    delimiter: str
    encoding: str


class RegistryFile:
    """``with RegistryFile(path) as f: for line, values in f.rows(): ...`` (values in ``columns`` order)."""

    def __init__(self, path: str | Path, *, columns: tuple[str, ...] = COLUMNS,
                 required: tuple[str, ...] = REQUIRED_COLUMNS):
        """``columns``/``required``: another template read the same way (the programme lists)."""
        self.path = Path(path)
        self.columns, self.required = columns, required
        self.is_xlsx = self.path.suffix.lower() in XLSX_SUFFIXES
        self._handle = None
        self._workbook = None

    def __enter__(self) -> RegistryFile:
        if self.is_xlsx:
            import openpyxl

            self._workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            sheet = self._workbook.worksheets[0]
            self._iter = (
                tuple(_cell_text(v) for v in row) for row in sheet.iter_rows(values_only=True)
            )
        else:
            encoding = _detect_encoding(self.path)
            self._handle = open(self.path, newline="", encoding=encoding)  # noqa: SIM115
            first = self._handle.readline()
            self._handle.seek(0)
            self._delimiter = ";" if first.count(";") > first.count(",") else ","
            self._encoding = encoding
            self._iter = csv.reader(self._handle, delimiter=self._delimiter)
        header = next(self._iter, None)
        if header is None:
            raise ValidationError(_("The file is empty."))
        names = [collapse(name).upper().replace(" ", "_") for name in header]
        missing = [column for column in self.required if column not in names]
        if missing:
            raise ValidationError(
                _("The file lacks the column(s) %(columns)s of the registry template.")
                % {"columns": ", ".join(missing)}
            )
        self._positions = [names.index(column) if column in names else None for column in self.columns]
        self._names = names
        return self

    def raw_copy_spec(self) -> RawCopySpec | None:
        """For a CSV whose header names each template column once: what COPY needs."""
        if self.is_xlsx or any(self._names.count(column) > 1 for column in self.columns):
            return None
        return RawCopySpec(
            columns=[name if name in self.columns else "" for name in self._names],
            delimiter=self._delimiter,
            encoding="UTF8" if self._encoding == "utf-8-sig" else "WIN1252",
        )

    def __exit__(self, *exc) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._workbook is not None:
            self._workbook.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        positions = self._positions
        for index, row in enumerate(self._iter, start=2):
            size = len(row)
            values = [row[p] if p is not None and p < size else "" for p in positions]
            if any(values):  # a blank row (or one with only other columns) is skipped, not rejected
                yield index, values


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8; else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"
