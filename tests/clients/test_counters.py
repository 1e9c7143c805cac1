"""The registry and PMKS counters stay exact through every kind of change, in the same transaction."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from clients.models import (
    Household,
    Person,
    PMKSCategory,
    PMKSCount,
    PMKSHousehold,
    RegistryCount,
    RegistryStatus,
)
from clients.selectors import pmks_household_counts
from clients.services import household_set_registry_status
from pandu.counters import differences, recount
from tests import factories


def cell(village, status=RegistryStatus.NOT_LISTED, source=""):
    row = RegistryCount.objects.filter(village=village, registry_status=status, registry_source=source).first()
    return (row.households, row.persons) if row else (0, 0)


def pmks(category, village):
    row = PMKSCount.objects.filter(category=category, village=village).first()
    return row.persons if row else 0


def kk(category, household=None):
    """Households counted in the category (Table 1's rows in KK), or this household's living members in it."""
    if household is not None:
        row = PMKSHousehold.objects.filter(category=category, household=household).first()
        return row.members if row else 0
    return pmks_household_counts([category.code]).get(category.code, 0)


@pytest.mark.django_db
def test_counters_follow_households_persons_and_categories(reference_data):
    here, there = factories.village("64.03.05.1004"), factories.village("64.03.06.2001")
    beggar, elderly = PMKSCategory.objects.order_by("code")[:2]

    household = factories.HouseholdFactory(village=here)
    alone = factories.PersonFactory(household=None, no_nik_reason="Belum punya KTP", nik=None)
    members = [factories.PersonFactory(household=household) for _ in range(3)]
    assert cell(here) == (1, 3)
    assert cell(None, "", "") == (0, 1)

    members[0].pmks_categories.add(beggar, elderly)
    members[1].pmks_categories.add(beggar)
    alone.pmks_categories.add(beggar)
    assert (pmks(beggar, here), pmks(elderly, here), pmks(beggar, None)) == (2, 1, 1)
    # in households: one household with two beggars, one with an elderly person; "alone" has none
    assert (kk(beggar), kk(beggar, household), kk(elderly)) == (1, 2, 1)
    assert differences() == []

    # listed by the ministry: the household and its three members move cell together
    household = household_set_registry_status(
        household=household, status=RegistryStatus.LISTED, source="DTKS", year=2023
    )
    assert cell(here) == (0, 0)
    assert cell(here, RegistryStatus.LISTED, "DTKS") == (1, 3)

    # the household moves village: its members' categories go with it
    household.village = there
    household.save()
    assert cell(there, RegistryStatus.LISTED, "DTKS") == (1, 3)
    assert (pmks(beggar, here), pmks(beggar, there)) == (0, 2)

    # a person dies: still in the registry, no longer in the PMKS table
    members[1].life_status = Person.LifeStatus.DECEASED
    members[1].save()
    assert pmks(beggar, there) == 1
    assert (kk(beggar), kk(beggar, household)) == (1, 1)  # the household still has a living one
    members[1].pmks_categories.remove(beggar)  # a dead person's link going changes nothing
    assert pmks(beggar, there) == 1

    # a person moves to a new household; another leaves any household
    other = factories.HouseholdFactory(village=here)
    members[0].household = other
    members[0].save()
    assert cell(there, RegistryStatus.LISTED, "DTKS") == (1, 2)
    assert cell(here) == (1, 1)
    assert (pmks(beggar, here), pmks(elderly, here), pmks(beggar, there)) == (1, 1, 0)
    assert (kk(beggar), kk(beggar, household), kk(beggar, other), kk(elderly, other)) == (1, 0, 1, 1)
    members[2].household = None
    members[2].save()
    assert cell(None, "", "") == (0, 2)

    # categories cleared, a person deleted, then an empty household deleted
    members[0].pmks_categories.clear()
    alone.delete()
    assert (pmks(beggar, here), pmks(beggar, None)) == (0, 0)
    assert (kk(beggar), kk(elderly)) == (0, 0)
    assert cell(None, "", "") == (0, 1)
    members[1].household = other
    members[1].save()
    Household.objects.filter(pk=household.pk).delete()
    assert cell(there, RegistryStatus.LISTED, "DTKS") == (0, 0)
    assert cell(here) == (1, 2)
    assert differences() == []


@pytest.mark.django_db
def test_bulk_statements_move_the_counters_at_once(reference_data):
    here, there = factories.village("64.03.05.1004"), factories.village("64.03.06.2001")
    households = [factories.HouseholdFactory(village=here) for _ in range(4)]
    for household in households:
        factories.PersonFactory.create_batch(2, household=household)
    Household.objects.filter(pk__in=[h.pk for h in households[:3]]).update(
        village=there, registry_status=RegistryStatus.IN_VERIFICATION
    )
    assert cell(there, RegistryStatus.IN_VERIFICATION) == (3, 6)
    assert cell(here) == (1, 2)
    Person.objects.filter(household=households[3]).update(household=households[0])
    assert cell(there, RegistryStatus.IN_VERIFICATION) == (3, 8)
    assert cell(here) == (1, 0)
    assert differences() == []


@pytest.mark.django_db
def test_check_reports_a_wrong_counter_and_recount_repairs_it(reference_data):
    village = factories.village()
    factories.PersonFactory(household=factories.HouseholdFactory(village=village))
    with connection.cursor() as cursor:  # what a partial restore could leave
        cursor.execute("UPDATE clients_registrycount SET persons = persons + 5")
    assert len(differences()) == 1
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("recount", "--check", stdout=out, stderr=out)
    assert "persons 6 (counted 1)" in out.getvalue()
    recount()
    assert differences() == []
    out = io.StringIO()
    call_command("recount", stdout=out)
    assert "exact" in out.getvalue()


@pytest.mark.django_db
def test_emptying_tables_with_truncate_leaves_the_counters_exact(reference_data):
    village = factories.village()
    person = factories.PersonFactory(household=factories.HouseholdFactory(village=village))
    person.pmks_categories.add(PMKSCategory.objects.first())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own deferred checks first
        cursor.execute("TRUNCATE clients_person_pmks_categories")
        assert differences() == []
        cursor.execute("TRUNCATE clients_person, clients_household CASCADE")
    assert differences() == []
    assert not RegistryCount.objects.exclude(households=0, persons=0).exists()
