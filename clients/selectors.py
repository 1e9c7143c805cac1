"""Reads of the clients app."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Household, Person
from pandu import roles
from referrals.selectors import person_filter_for_officer
from verivali.selectors import person_filter_for_surveyor

# Roles that work with any person's record in the office.
OFFICE_WIDE_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.VALIDATOR, roles.HEAD, roles.ADMIN)


def persons_for_user(user) -> QuerySet[Person]:
    """The persons a user may open. Office-wide roles see all; others see none here.

    Desk officers (persons referred to their provider or queued at their desk) and
    surveyors (members of households assigned to them) are added by their apps' rules
    in ``_extra_person_filters``.
    """
    if roles.has_role(user, *OFFICE_WIDE_ROLES):
        return Person.objects.all()
    queryset = Person.objects.none()
    for extra in _extra_person_filters(user):
        queryset = queryset | Person.objects.filter(extra)
    return queryset.distinct()


def _extra_person_filters(user) -> list:
    """Q objects from other apps' rules (desk officers, surveyors) for this user."""
    return [q for q in (person_filter_for_surveyor(user), person_filter_for_officer(user)) if q is not None]


def get_person_for_user(user, pk) -> Person:
    return get_object_or_404(
        persons_for_user(user).select_related("household", "household__village__parent"), pk=pk
    )


def households_for_user(user) -> QuerySet[Household]:
    if roles.has_role(user, *OFFICE_WIDE_ROLES):
        return Household.objects.all()
    return Household.objects.filter(members__in=persons_for_user(user)).distinct()


def get_household_for_user(user, pk) -> Household:
    return get_object_or_404(households_for_user(user).select_related("village__parent"), pk=pk)
