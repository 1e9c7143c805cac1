"""What a registry import found: counts, rejected rows and their error report. Shared by
both paths (``importer`` row by row, ``fast`` in bulk)."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass, field

from clients.registry.rows import COLUMNS, reason_text
from pandu.exports import escape_formula


@dataclass
class Rejected:
    line: int
    codes: list[str]
    values: list[str]


@dataclass
class ImportResult:
    households_created: int = 0
    households_updated: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    rows: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    registry_changes: int = 0
    saved: bool = False
    read_mode: str = "rows"  # "copy" when PostgreSQL parsed the CSV itself
    big: bool = False  # a big import: the registry's tables were locked for it (fast.py)

    @property
    def rejected_count(self) -> int:
        return len(self.rejected)

    def summary_line(self) -> str:
        return (
            f"households created={self.households_created} updated={self.households_updated}; "
            f"persons created={self.persons_created} updated={self.persons_updated}; "
            f"rejected={self.rejected_count}"
        )

    def reasons(self, rejected: Rejected, *, today: datetime.date) -> list[str]:
        raw = dict(zip(COLUMNS, rejected.values, strict=True))
        return [reason_text(code, raw, today=today) for code in rejected.codes]

    def write_errors(self, handle, *, today: datetime.date) -> None:
        """The error report: line, every reason, and the row as it was (formulas escaped)."""
        writer = csv.writer(handle)
        writer.writerow(["LINE", "REASONS", *COLUMNS])
        for item in self.rejected:
            writer.writerow(
                [
                    item.line,
                    " | ".join(self.reasons(item, today=today)),
                    *map(escape_formula, item.values),
                ]
            )
