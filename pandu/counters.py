"""The exact counters behind the dashboard and the home pages.

Each counter table is kept by database triggers in the same transaction as every change to
the rows it counts, so reading it is reading the data:

- clients_registrycount (migration clients 0009_counters): households and persons per village,
  registry status and source;
- clients_pmkscount (same migration): living persons per PMKS category and village;
- clients_pmkshousehold (migration clients 0023_pmks_households): living members per PMKS
  category and household (Table 1's rows in households, KK);
- referrals_referralmonth (migration referrals 0003_referral_months): referrals per month made,
  provider, service, kecamatan, state, outcome granted and completion within SLA;
- referrals_referralservicemonth and referrals_referralkecamatanmonth (migration referrals
  0013_dashboard_counters): the same without the kecamatan, and with the kecamatan alone (and
  those two per day made: referrals_referralserviceday, referrals_referralkecamatanday);
- referrals_referralcompleteddays and referrals_referralanswerdays (same migration): completed referrals per month made, service and whole days to completion,
  and answered ones per month made, provider, channel and days: the medians add up these cells;
  referrals_referralaidmonth (same migration): grants and rupiah per month completed, provider,
  service, kecamatan and how the aid was given; referrals_caseopenedday and
  referrals_caseclosedday (same migration): cases per day opened and pathway, per day
  closed and why;
- referrals_servedpersonday, referrals_servedday and referrals_servedagain (migration referrals
  0014_served_persons): each day a person was served (a ticket or a case opened) with the day
  they were served before it, person-days per day, and per day and previous day: the distinct
  persons served in a period are its person-days less those whose previous day is in it too;
- referrals_referralopendue (migration referrals 0015_open_referrals_by_due_date): open referrals
  per provider and due date, for the home pages' overdue.

Each has a view counting the same from the rows. `differences` compares the two and
`recount` rebuilds a table from its view (after restoring part of a dump, or any doubt):
`manage.py recount [--check]`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Counter:
    name: str
    table: str
    view: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    counted_tables: tuple[str, ...]


COUNTERS = (
    Counter("registry", "clients_registrycount", "pandu_registry_recount",
            ("village_id", "registry_status", "registry_source"), ("households", "persons"),
            ("clients_household", "clients_person")),
    Counter("pmks", "clients_pmkscount", "pandu_pmks_recount", ("category_id", "village_id"), ("persons",),
            ("clients_household", "clients_person", "clients_person_pmks_categories")),
    Counter("pmks households", "clients_pmkshousehold", "pandu_pmks_household_recount", ("category_id", "household_id"),
            ("members",), ("clients_person", "clients_person_pmks_categories")),
    Counter("referrals", "referrals_referralmonth", "pandu_referral_recount",
            ("month", "provider_id", "service_id", "kecamatan_id", "status", "granted", "within_sla"),
            ("referrals",), ("referrals_referral",)),
    Counter("referrals per service", "referrals_referralservicemonth", "pandu_referral_service_recount",
            ("month", "provider_id", "service_id", "status", "granted", "within_sla"), ("referrals",),
            ("referrals_referral",)),
    Counter("referrals per kecamatan", "referrals_referralkecamatanmonth", "pandu_referral_kecamatan_recount",
            ("month", "kecamatan_id", "status", "granted", "within_sla"), ("referrals",), ("referrals_referral",)),
    Counter("referrals per service and day", "referrals_referralserviceday", "pandu_referral_service_day_recount",
            ("day", "provider_id", "service_id", "status", "granted", "within_sla"), ("referrals",),
            ("referrals_referral",)),
    Counter("referrals per kecamatan and day", "referrals_referralkecamatanday",
            "pandu_referral_kecamatan_day_recount", ("day", "kecamatan_id", "status", "granted", "within_sla"),
            ("referrals",), ("referrals_referral",)),
    Counter("completed days", "referrals_referralcompleteddays", "pandu_referral_completed_days_recount",
            ("month", "provider_id", "service_id", "days"), ("referrals",), ("referrals_referral",)),
    Counter("answer days", "referrals_referralanswerdays", "pandu_referral_answer_days_recount",
            ("month", "provider_id", "channel", "days"), ("referrals",), ("referrals_referral",)),
    Counter("aid", "referrals_referralaidmonth", "pandu_referral_aid_recount",
            ("month", "provider_id", "service_id", "kecamatan_id", "aid_kind"), ("grants", "rupiah"),
            ("referrals_referral",)),
    Counter("cases opened", "referrals_caseopenedday", "pandu_case_opened_recount", ("day", "pathway"),
            ("cases",), ("referrals_case",)),
    Counter("cases closed", "referrals_caseclosedday", "pandu_case_closed_recount", ("day", "closure_reason"),
            ("cases",), ("referrals_case",)),
    Counter("open referrals by due date", "referrals_referralopendue", "pandu_referral_open_due_recount",
            ("provider_id", "due_on"), ("referrals",), ("referrals_referral",)),
    Counter("days served per person", "referrals_servedpersonday", "pandu_served_person_day_recount",
            ("person_id", "day", "previous_day"), ("services",), ("desks_ticket", "referrals_case")),
    Counter("persons served per day", "referrals_servedday", "pandu_served_day_recount", ("day",), ("persons",),
            ("desks_ticket", "referrals_case")),
    Counter("persons served again", "referrals_servedagain", "pandu_served_again_recount", ("day", "previous_day"),
            ("persons",), ("desks_ticket", "referrals_case")),
)


def differences() -> list[str]:
    """Cells where a counter and a full count disagree (empty when the counters are exact)."""
    found = []
    with connection.cursor() as cursor:
        for counter in COUNTERS:
            keys, values = counter.keys, counter.values
            # NULL (no village, no kecamatan) is a cell like the others; as text it joins by equality
            same_cell = " AND ".join(f"coalesce(a.{key}::text, '') = coalesce(e.{key}::text, '')" for key in keys)
            nonzero = " OR ".join(f"{value} <> 0" for value in values)
            differ = " OR ".join(f"a.{value} IS DISTINCT FROM e.{value}" for value in values)
            cursor.execute(
                f"SELECT {', '.join(f'coalesce(a.{key}, e.{key})' for key in keys)},"
                f" {', '.join(f'a.{v}, e.{v}' for v in values)}"
                f" FROM (SELECT * FROM {counter.table} WHERE {nonzero}) a FULL JOIN {counter.view} e ON {same_cell}"
                f" WHERE {differ}"
            )
            for row in cursor.fetchall():
                cell = dict(zip(keys, row[: len(keys)], strict=True))
                pairs = row[len(keys):]
                counts = ", ".join(
                    f"{value} {pairs[2 * i] or 0} (counted {pairs[2 * i + 1] or 0})" for i, value in enumerate(values)
                )
                found.append(f"{counter.name} {cell}: {counts}")
    return found


def recount() -> None:
    """Rebuild every counter from its rows, with writes to those rows held back meanwhile."""
    with transaction.atomic(), connection.cursor() as cursor:
        counted = sorted({table for counter in COUNTERS for table in counter.counted_tables})
        cursor.execute(f"LOCK TABLE {', '.join(counted)} IN SHARE MODE")
        for counter in COUNTERS:
            columns = ", ".join(counter.keys + counter.values)
            cursor.execute(f"DELETE FROM {counter.table}")
            cursor.execute(f"INSERT INTO {counter.table} ({columns}) SELECT {columns} FROM {counter.view}")
