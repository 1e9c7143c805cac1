"""Head's dashboard < 150 ms over 1,000,000 persons and 500,000 referrals.

Reuses the search benchmark's 1,000,000 generated persons, adds PMKS categories, structured
disabilities (2 % of the persons), 500,000 referrals over the last 12 months (every state, all
providers and services; grants in rupiah, in kind and unstated; the closing event of each answered
one by one of the four channels) and their 250,000 cases (every pathway) with set-wise SQL, then
times `pandu.office.dashboard.dashboard_data` for the whole district (the last 12 months) and for
one kecamatan, against the same figures computed the naive way in the same process (one COUNT
query per provider, service and state), the baseline; and the whole page as the head opens it
(figures and rendering).
"""

from __future__ import annotations

import time

from bench.common import Line, median, target_line

REFERRALS = 500_000


def _ensure_referrals(count: int) -> float:
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    # All or nothing: a failed run leaves no cases without referrals behind for the next --keep.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM referrals_referral")
        if cursor.fetchone()[0] >= count:
            return 0.0
        started = time.perf_counter()
        user, _ = User.objects.get_or_create(username="bench-front-desk")
        cursor.execute(
            """
            INSERT INTO referrals_case (person_id, registry_status, proposed_pathway, pathway, pathway_decided_by_id,
                                        pathway_override_reason, note, created_by_id, created_at, updated_at,
                                        status, closure_reason, closure_note)
            SELECT p.id, 'listed', 'listed', (ARRAY['listed', 'listed', 'in_verification'])[1 + p.id %% 3],
                   %s, CASE WHEN p.id %% 3 = 2 THEN 'bench' ELSE '' END, '', %s, c.at, c.at, 'open', '', ''
            FROM clients_person p, LATERAL (SELECT now() - (random() * interval '365 days') + p.id * interval '0') c(at)
            WHERE p.id %% 4 = 0 LIMIT %s
            """,
            [user.pk, user.pk, count // 2],
        )
        cursor.execute(
            """
            WITH s AS (SELECT row_number() OVER (ORDER BY id) AS n, id, provider_id, sla_days FROM desks_service),
                 c AS (SELECT row_number() OVER (ORDER BY id) AS n, id FROM referrals_case),
                 nc AS (SELECT count(*) AS n FROM c), ns AS (SELECT count(*) AS n FROM s),
                 g AS (SELECT g, now() - (random() * interval '365 days') AS created,
                              (ARRAY['sent','received','accepted','completed','completed','completed','rejected',
                                     'returned','cancelled','waiting'])[1 + (g %% 10)] AS status
                       FROM generate_series(1, %s) AS g)
            INSERT INTO referrals_referral (case_id, service_id, provider_id, year, sequence, number, token, status,
                sent_at, due_on, waitlisted_at, required_documents, documents_checked, outcome, outcome_detail,
                aid_kind, aid_value, answer_channel, closed_at, created_by_id, created_at, updated_at,
                place_release_reason, return_code, eligibility_override_reason, eligibility_reasons)
            SELECT c.id, s.id, s.provider_id, 1900, g.g, 'BENCH-' || g.g, md5('bench' || g.g), g.status,
                   CASE WHEN g.status <> 'waiting' THEN g.created END,
                   (g.created + s.sla_days * interval '1 day')::date,
                   CASE WHEN g.status = 'waiting' THEN g.created END,
                   '{}', '{}',
                   CASE WHEN g.status = 'completed' THEN (CASE WHEN g.g %% 3 = 0 THEN 'not_granted' ELSE 'granted' END)
                        ELSE '' END, '',
                   CASE WHEN g.status = 'completed' AND g.g %% 3 <> 0
                        THEN (ARRAY['money', 'money', 'in_kind', ''])[1 + g.g %% 4] ELSE '' END,
                   CASE WHEN g.status = 'completed' AND g.g %% 3 <> 0 AND g.g %% 4 IN (0, 1)
                        THEN 250000 * (1 + g.g %% 20) END,
                   CASE WHEN g.status IN ('completed', 'rejected')
                        THEN (ARRAY['app', 'office', 'api', 'reply_slip'])[1 + g.g %% 4] ELSE '' END,
                   CASE WHEN g.status IN ('completed', 'rejected', 'cancelled')
                        THEN g.created + (random() * 30) * interval '1 day' END,
                   %s, g.created, g.created, '', lpad(to_hex(g.g), 8, '0'), '', ''
            FROM g, nc, ns
            JOIN s ON true
            JOIN c ON true
            WHERE s.n = 1 + (g.g %% ns.n) AND c.n = 1 + (g.g %% nc.n)
            """,
            [count, user.pk],
        )
        cursor.execute(
            """
            INSERT INTO referrals_referralevent (referral_id, at, action, channel, from_status, to_status, note)
            SELECT id, closed_at, 'complete', answer_channel, 'accepted',
                   status, ''
            FROM referrals_referral WHERE status IN ('completed', 'rejected') AND number LIKE 'BENCH-%'
            """
        )
        cursor.execute(
            """
            UPDATE clients_person SET
              disability_kinds = (CASE (id / 50) % 7 WHEN 0 THEN '{physical}' WHEN 1 THEN '{sight}'
                                  WHEN 2 THEN '{hearing,speech}' WHEN 3 THEN '{mental}' WHEN 4 THEN '{intellectual}'
                                  WHEN 5 THEN '{multiple}' ELSE '{physical,mental}' END)::varchar(12)[],
              disability_severity = CASE WHEN id % 350 = 0 THEN 'severe' ELSE '' END
            WHERE id % 50 = 0
            """
        )
        cursor.execute(
            """
            INSERT INTO clients_person_pmks_categories (person_id, pmkscategory_id)
            SELECT p.id, (SELECT id FROM clients_pmkscategory ORDER BY id OFFSET (p.id % 26) LIMIT 1)
            FROM clients_person p WHERE p.id % 7 = 0
            ON CONFLICT DO NOTHING
            """
        )
    # As autovacuum leaves them on a working server: statistics, and the visibility map that
    # lets the covering indexes answer without reading the rows.
    with connection.cursor() as cursor:
        for table in ("referrals_referral", "referrals_referralevent", "referrals_case", "clients_person",
                      "clients_person_pmks_categories", "clients_pmkshousehold", "referrals_referralmonth",
                      "referrals_referralservicemonth", "referrals_referralkecamatanmonth",
                      "referrals_referralcompleteddays", "referrals_referralanswerdays", "referrals_referralaidmonth",
                      "referrals_caseopenedday", "referrals_caseclosedday"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def _naive(flt) -> int:
    """The baseline: the referral table's figures with one COUNT query per provider × state and
    per service × state, as an ORM page written without aggregation would do."""
    from desks.models import Provider, Service
    from referrals.models import Referral

    queries = 0
    base = Referral.objects.filter(created_at__date__range=(flt.date_from, flt.date_to))
    for provider in Provider.objects.all():
        for status in Referral.Status.values:
            base.filter(provider=provider, status=status).count()
            queries += 1
    for service in Service.objects.all():
        for status in Referral.Status.values:
            base.filter(service=service, status=status).count()
            queries += 1
    return queries


def _page_ms(flt) -> float:
    """The page as the head opens it (GET /dashboard/ with the period; the figures, the charts and
    the rendering), median of 5, through Django's test client in this process."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    from pandu.models import AccountSecurity

    head, _ = User.objects.get_or_create(username="bench-head")
    head.groups.add(Group.objects.get_or_create(name="head")[0])
    # signed in with the second factor already: the page, not the login, is measured
    AccountSecurity.objects.update_or_create(user=head, defaults={"second_factor_exempt": True,
                                                                   "must_change_password": False})
    client = Client(HTTP_HOST="localhost")
    client.force_login(head)
    params = {"date_from": flt.date_from.isoformat(), "date_to": flt.date_to.isoformat()}
    page = reverse("dashboard")
    if client.get(page, params).status_code != 200:
        raise RuntimeError("the dashboard page did not answer 200 to the head")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(page, params)
        timings.append((time.perf_counter() - started) * 1000)
    return median(timings)


def run(scale: float) -> list[Line]:
    from bench.bench_search import _ensure_persons
    from clients.models import Region
    from pandu.office.dashboard import DashboardFilter, dashboard_data

    persons, person_seconds = _ensure_persons(int(1_000_000 * scale))
    referral_seconds = _ensure_referrals(int(REFERRALS * scale))
    lines = [Line(f"data: {persons:,} persons (generated in {person_seconds:.0f} s), "
                  f"{int(REFERRALS * scale):,} referrals (generated in {referral_seconds:.0f} s)", True)]
    flt = DashboardFilter.default()
    flt.date_from = flt.date_to.replace(year=flt.date_to.year - 1)  # the last 12 months: every referral
    dashboard_data(flt)  # warm the cache as a head opening the page twice would
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        dashboard_data(flt)
        timings.append((time.perf_counter() - started) * 1000)
    baseline = []
    for _ in range(2):
        started = time.perf_counter()
        _naive(flt)
        baseline.append((time.perf_counter() - started) * 1000)
    lines.append(target_line("dashboard, whole district, 12 months (median of 5)", median(timings), "ms", 150,
                             lower_is_better=True, baseline=median(baseline),
                             baseline_name="referral table by one COUNT per provider/service × state"))
    lines.append(target_line("dashboard page as the head opens it (GET, figures and rendering), whole district, "
                             "12 months (median of 5)", _page_ms(flt), "ms", 150, lower_is_better=True))
    flt.kecamatan = Region.objects.get(code="64.03.05")
    kecamatan = []
    for _ in range(5):
        started = time.perf_counter()
        dashboard_data(flt)
        kecamatan.append((time.perf_counter() - started) * 1000)
    lines.append(target_line("dashboard, one kecamatan, 12 months (median of 5)", median(kecamatan), "ms", 150,
                             lower_is_better=True))
    return lines
