"""Demo accounts, one per role, for `make run` and the browser tests. Never for production."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clients.models import Programme
from desks.models import Desk, DeskAssignment, EligibilityRule, Provider, Service
from desks.services import desk_assignment_save
from pandu import roles as r
from pandu.accounts import (
    NO_ACCESS,
    account_access,
    account_access_record,
    account_require_password_change,
    role_permissions_grant,
)
from pandu.second_factor import second_factor_exempt_set

DEMO_PASSWORD = "Pandu-demo-2026"

# username, full name, roles, provider code of the desk assignment, desk code
DEMO_USERS = [
    ("loket", "Rina Marlina", [r.FRONT_DESK], None, "REG"),
    ("data", "Yusuf Hidayat", [r.DATA_OFFICER], None, "DATA"),
    ("dinkes", "dr. Ayu Lestari", [r.DESK_OFFICER], "DINKES", "DINKES"),
    ("disdik", "Bambang Sutrisno", [r.DESK_OFFICER], "DISDIK", "DISDIK"),
    ("dinsos", "Hasanah", [r.DESK_OFFICER], "DINSOS", "DINSOS"),
    ("baznas", "Ustadz Fauzan", [r.DESK_OFFICER], "BAZNAS", None),
    ("peksos", "Nurul Hidayah", [r.CASE_WORKER], None, None),
    ("surveyor", "Andi Pratama", [r.SURVEYOR], None, None),
    ("surveyor2", "Maria Goreti", [r.SURVEYOR], None, None),
    ("validator", "Sri Wahyuni", [r.VALIDATOR], None, None),
    ("kepala", "Drs. H. Muhammad Saleh", [r.HEAD], None, None),
    ("admin", "Administrator TI", [r.ADMIN], None, None),
]


def seed_users(
    *, today: datetime.date, force_password_change: bool = True, second_factor_exempt: bool = False
) -> dict[str, object]:
    """The demo accounts, their roles and desk assignments; their access goes to the audit log
    like any other change of access. The administrator is staff with its role's permissions
    (ROLE_PERMISSIONS), not a superuser.

    The accounts of the roles with a second factor (head, administrator, data officer) set up an
    authenticator app at their first login, unless ``second_factor_exempt`` (training rooms,
    browser tests) marks them exempt; without it, an exemption given earlier is withdrawn."""
    User = get_user_model()
    role_permissions_grant(via="seed_demo")
    users = {}
    for username, full_name, role_names, provider_code, desk_code in DEMO_USERS:
        first, _, last = full_name.rpartition(" ")
        user = User.objects.filter(username=username).first()
        before = account_access(user) if user is not None else dict(NO_ACCESS)
        if user is None:
            user = User(username=username, first_name=first or last, last_name=last if first else "")
            user.set_password(DEMO_PASSWORD)
            user.save()
            if force_password_change:
                account_require_password_change(user=user)
        user.is_staff, user.is_superuser = r.ADMIN in role_names, False
        user.save(update_fields=["is_staff", "is_superuser"])
        user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in role_names))
        account_access_record(user=user, before=before, changed_by=None, via="seed_demo")
        if set(role_names) & r.SECOND_FACTOR_ROLES:
            second_factor_exempt_set(user=user, exempt=second_factor_exempt, via="seed_demo")
        if (provider_code or desk_code) and not user.desk_assignments.exists():
            desk_assignment_save(
                assignment=DeskAssignment(
                    user=user,
                    provider=Provider.objects.filter(code=provider_code).first() if provider_code else None,
                    desk=Desk.objects.filter(code=desk_code).first() if desk_code else None,
                    starts_on=today.replace(month=1, day=1),
                ),
                changed_by=None,
            )
        users[username] = user
    return users


def logins_text(*, second_factor_exempt: bool = False) -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    second_factor = []
    for username, full_name, role_names, _provider, _desk in DEMO_USERS:
        labels = ", ".join(str(r.ROLE_LABELS[name]) for name in role_names)
        lines.append(f"  {username:<10} {labels:<18} {full_name}")
        if set(role_names) & r.SECOND_FACTOR_ROLES:
            second_factor.append(username)
    if second_factor_exempt:
        lines.append(f"  {', '.join(second_factor)}: no second factor (exempt demo accounts, --keep-demo-passwords)")
    else:
        lines.append(f"  {', '.join(second_factor)}: set up an authenticator app (TOTP) at the first login")
    return "\n".join(lines)


def seed_eligibility_rules() -> None:
    """The demo's eligibility rules, after the demo cases (a rule speaks to cases opened from
    now on): ASLUT for the elderly of poor households not already receiving it; RTLH for poor
    households whose house was not already rebuilt. A grant of these services records the family
    in the programme of the same name."""
    rules = {
        "DINSOS-ASLUT": ({"welfare_at_most": EligibilityRule.WelfareAtMost.POOR, "decile_at_most": 4, "min_age": 60},
                         "ASLUT"),
        "DINSOS-RTLH": ({"welfare_at_most": EligibilityRule.WelfareAtMost.POOR, "decile_at_most": 4}, "RTLH"),
    }
    for code, (conditions, programme_code) in rules.items():
        service = Service.objects.filter(code=code).first()
        programme = Programme.objects.filter(code=programme_code).first()
        if service is None or programme is None:
            continue
        service.participation_programme = programme
        service.save(update_fields=["participation_programme", "updated_at"])
        rule, _created = EligibilityRule.objects.update_or_create(service=service, defaults=conditions)
        rule.not_in_programmes.set([programme])
