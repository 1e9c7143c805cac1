"""Working days (hari kerja), as Indonesian service standards count them: not Saturdays or
Sundays, not national holidays, not joint leave days (cuti bersama) unless the office works on
them, and not the office's own closure days; an office may also open on a day that is off.

National holidays and joint leave days come from the ``holidays`` package (its Indonesian
calendar, categories ``public`` and ``government``; joint leave days are listed for the years
the government has decreed them). The office's own days are ``OfficeCalendarDay`` rows the
administrator enters, joint leave days of a year the package does not list yet among them.

Due dates are computed once, when a referral is sent or a complaint received, and stored:
entering a closure day later moves no date already given to a citizen.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays
from django.utils.dates import WEEKDAYS

from pandu.identity import office_identity
from pandu.models import OfficeCalendarDay

WEEKEND = (5, 6)  # Saturday, Sunday


@lru_cache(maxsize=32)
def _national(year: int, joint_leave: bool) -> dict[datetime.date, str]:
    categories = ("public", "government") if joint_leave else ("public",)
    return dict(holidays.Indonesia(years=year, categories=categories, language="id"))


class Calendar:
    """The office's calendar over a stretch of days, read once (its own days in one query)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.joint_leave = office_identity().observes_joint_leave
        self.own = {
            row.day: row
            for row in OfficeCalendarDay.objects.filter(day__range=(start, end))
        }

    def day_off(self, day: datetime.date) -> str | None:
        """Why the office is closed that day, or None on a working day."""
        own = self.own.get(day)
        if own is not None:
            return None if own.kind == OfficeCalendarDay.Kind.OPEN else own.note or own.get_kind_display()
        national = _national(day.year, self.joint_leave).get(day)
        if national:
            return national
        if day.weekday() in WEEKEND:
            return str(WEEKDAYS[day.weekday()])
        return None


def working_days_after(start: datetime.date, days: int) -> datetime.date:
    """The day ``days`` working days after ``start`` (``start`` itself not counted): a referral
    sent on Friday with one working day is due on Monday, or later if Monday is a holiday. With
    0 days, ``start`` itself."""
    if days <= 0:
        return start
    span = days * 2 + 30  # weekends, holidays and Lebaran's week fit; longer runs read on
    day, left = start, days
    while True:
        calendar = Calendar(day + datetime.timedelta(days=1), day + datetime.timedelta(days=span))
        for _offset in range(span):
            day += datetime.timedelta(days=1)
            if calendar.day_off(day) is None:
                left -= 1
                if left == 0:
                    return day


def national_days(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """The national holidays (and joint leave days, if the office observes them) between two
    days, with their names; estimated Islamic dates say so ("perkiraan")."""
    joint_leave = office_identity().observes_joint_leave
    days: dict[datetime.date, str] = {}
    for year in range(start.year, end.year + 1):
        days.update(_national(year, joint_leave))
    return sorted((day, name) for day, name in days.items() if start <= day <= end)
