"""Demo accounts, one per role, for `make run` and the browser tests. Never for production."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from desks.models import Desk, DeskAssignment, Provider
from pandu import roles as r
from pandu.accounts import account_require_password_change

DEMO_PASSWORD = "Pandu-demo-2026"

# username, full name, roles, provider code of the desk assignment, desk code
DEMO_USERS = [
    ("loket", "Rina Marlina", [r.FRONT_DESK], None, "REG"),
    ("data", "Yusuf Hidayat", [r.DATA_OFFICER], None, "DATA"),
    ("dinkes", "dr. Ayu Lestari", [r.DESK_OFFICER], "DINKES", "DINKES"),
    ("disdik", "Bambang Sutrisno", [r.DESK_OFFICER], "DISDIK", "DISDIK"),
    ("dinsos", "Hasanah", [r.DESK_OFFICER], "DINSOS", "DINSOS"),
    ("baznas", "Ustadz Fauzan", [r.DESK_OFFICER], "BAZNAS", None),
    ("surveyor", "Andi Pratama", [r.SURVEYOR], None, None),
    ("surveyor2", "Maria Goreti", [r.SURVEYOR], None, None),
    ("validator", "Sri Wahyuni", [r.VALIDATOR], None, None),
    ("kepala", "Drs. H. Muhammad Saleh", [r.HEAD], None, None),
    ("admin", "Administrator TI", [r.ADMIN], None, None),
]


def seed_users(*, today: datetime.date, force_password_change: bool = True) -> dict[str, object]:
    User = get_user_model()
    users = {}
    for username, full_name, role_names, provider_code, desk_code in DEMO_USERS:
        first, _, last = full_name.rpartition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first or last, "last_name": last if first else "", "is_staff": r.ADMIN in role_names,
                      "is_superuser": r.ADMIN in role_names},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            if force_password_change:
                account_require_password_change(user=user)
        user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in role_names))
        if (provider_code or desk_code) and not user.desk_assignments.exists():
            DeskAssignment.objects.create(
                user=user,
                provider=Provider.objects.filter(code=provider_code).first() if provider_code else None,
                desk=Desk.objects.filter(code=desk_code).first() if desk_code else None,
                starts_on=today.replace(month=1, day=1),
            )
        users[username] = user
    return users


def logins_text() -> str:
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, full_name, role_names, _provider, _desk in DEMO_USERS:
        labels = ", ".join(str(r.ROLE_LABELS[name]) for name in role_names)
        lines.append(f"  {username:<10} {labels:<18} {full_name}")
    return "\n".join(lines)
