"""Spreadsheet exports shared by the apps: formulas escaped, every export logged."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_formula(value):
    """A cell that a spreadsheet would run as a formula is written as text (leading apostrophe)."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_response(stem: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # Excel opens UTF-8 correctly with a BOM
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow([escape_formula(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    response["Cache-Control"] = "no-store, private"
    return response


def xlsx_response(stem: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "",
                  subtitle_lines: Sequence[str] = ()) -> FileResponse:
    """A workbook written in openpyxl's write-only mode to a temporary file: rows are not kept
    in memory, so large lists export too."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or stem)[:31])
    for line in subtitle_lines:
        sheet.append([escape_formula(line)])
    if subtitle_lines:
        sheet.append([])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=escape_formula(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([escape_formula(value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return download_response(
        handle, stem=stem, extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def download_response(handle: IO[bytes], *, stem: str, extension: str, content_type: str) -> FileResponse:
    """Stream a file made for this request (rewound; the response closes it) as a dated download
    that no browser or proxy keeps."""
    response = FileResponse(
        handle, as_attachment=True, filename=_filename(stem, extension), content_type=content_type
    )
    response["Cache-Control"] = "no-store, private"
    return response
