"""Due dates count working days (pandu/workdays.py): not weekends, not Indonesia's national
holidays, not joint leave days (cuti bersama) unless the office works on them, not the office's
own closed days; and a due date once given stays."""

import datetime

import pytest
from django.utils import timezone

from clients.services import complaint_due_on
from desks.models import Service
from pandu.models import OfficeCalendarDay, OfficeIdentity
from pandu.workdays import national_days, working_days_after
from referrals import services
from referrals.case_records import aid_follow_up_plan
from tests import factories

D = datetime.date


@pytest.fixture
def listed_person(reference_data):
    return factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        (D(2026, 11, 6), 1, D(2026, 11, 9), "Friday + 1: Monday, over the weekend"),
        (D(2026, 11, 2), 5, D(2026, 11, 9), "Monday + 5: the next Monday"),
        (D(2026, 8, 14), 1, D(2026, 8, 18), "Friday + 1: Tuesday, 17 August (Independence Day) is off"),
        (D(2026, 12, 23), 1, D(2026, 12, 28), "Wednesday + 1: Monday, past joint leave 24 and Christmas 25"),
        (D(2026, 3, 13), 3, D(2026, 3, 25), "the Friday before Lebaran + 3: 18-24 March are Nyepi, Idul Fitri "
                                             "and their joint leave"),
        (D(2026, 11, 6), 0, D(2026, 11, 6), "no days: the same day"),
    ],
)
def test_working_days_skip_weekends_national_holidays_and_joint_leave(start, days, due, why):
    assert working_days_after(start, days) == due, why


@pytest.mark.django_db
def test_an_office_that_works_on_joint_leave_days_counts_them():
    OfficeIdentity.objects.update_or_create(pk=1, defaults={"observes_joint_leave": False})
    assert working_days_after(D(2026, 12, 23), 1) == D(2026, 12, 24)
    assert D(2026, 12, 24) not in {day for day, _name in national_days(D(2026, 12, 1), D(2026, 12, 31))}
    assert D(2026, 12, 25) in {day for day, _name in national_days(D(2026, 12, 1), D(2026, 12, 31))}


@pytest.mark.django_db
def test_the_offices_own_closed_days_joint_leave_and_open_days_count():
    OfficeCalendarDay.objects.create(day=D(2026, 11, 9), kind="closed", note="Hari jadi Kabupaten")
    assert working_days_after(D(2026, 11, 6), 1) == D(2026, 11, 10)
    OfficeCalendarDay.objects.create(day=D(2028, 1, 3), kind="joint_leave", note="Cuti bersama 2028")
    assert working_days_after(D(2027, 12, 31), 1) == D(2028, 1, 4)  # 1-2 January a weekend, 3 the office's joint leave
    OfficeCalendarDay.objects.create(day=D(2026, 11, 7), kind="open", note="Pelayanan Sabtu")
    assert working_days_after(D(2026, 11, 6), 1) == D(2026, 11, 7)


@pytest.mark.django_db
def test_a_referral_is_due_its_slas_working_days_after_it_is_sent(front_desk, listed_person):
    berobat = Service.objects.get(code="DINKES-BEROBAT")  # 3 working days
    case = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk, services=[berobat],
                              at=_at(D(2026, 8, 13)))  # Thursday before Independence Day
    assert case.referrals.get().due_on == D(2026, 8, 19)  # Fri 14, (Sat, Sun, Mon 17 off) Tue 18, Wed 19


@pytest.mark.django_db
def test_a_complaint_and_an_aid_follow_up_count_working_days(front_desk, listed_person, settings):
    assert complaint_due_on(kind="service_complaint", received_on=D(2026, 12, 4)) == D(2026, 12, 28)  # 14 days
    settings.FOLLOW_UP_AFTER_GRANT_DAYS = 2
    case = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk,
                              services=[Service.objects.get(code="DINKES-BEROBAT")])
    follow_up = aid_follow_up_plan(referral=case.referrals.get(), at=_at(D(2026, 12, 23)))
    assert follow_up.due_on == D(2026, 12, 29)


@pytest.mark.django_db
def test_a_closed_day_entered_later_moves_no_due_date_already_given(front_desk, listed_person):
    berobat = Service.objects.get(code="DINKES-BEROBAT")
    before = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk, services=[berobat],
                                at=_at(D(2026, 11, 2))).referrals.get()
    assert before.due_on == D(2026, 11, 5)
    OfficeCalendarDay.objects.create(day=D(2026, 11, 4), kind="closed", note="Banjir")
    after = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk, services=[berobat],
                               at=_at(D(2026, 11, 2))).referrals.get()
    before.refresh_from_db()
    assert (before.due_on, after.due_on) == (D(2026, 11, 5), D(2026, 11, 6))
