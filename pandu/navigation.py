"""The navigation bar: each entry names the roles that may use it.

The menu only mirrors the permission checks in the views; it never replaces them.
An app adds its pages here when they exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pandu import roles as r


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV: list[NavItem] = [
    NavItem(_("Home"), "home", frozenset(r.ALL_ROLES)),
    NavItem(_("Dashboard"), "dashboard", frozenset({r.HEAD, r.ADMIN, r.DESK_OFFICER})),
    NavItem(_("Monthly reports"), "reports:list", frozenset({r.HEAD, r.ADMIN})),
    NavItem(_("Queue"), "desks:index", frozenset({r.FRONT_DESK, r.DATA_OFFICER, r.DESK_OFFICER, r.ADMIN})),
    NavItem(_("Desk workspace"), "referrals:workspace", frozenset({r.DESK_OFFICER})),
    NavItem(_("Open a case"), "referrals:case_start", frozenset({r.FRONT_DESK, r.DATA_OFFICER})),
    NavItem(_("Cases"), "referrals:case_list",
            frozenset({r.CASE_WORKER, r.FRONT_DESK, r.DATA_OFFICER, r.HEAD, r.ADMIN})),
    NavItem(
        _("Referrals"), "referrals:list", frozenset({r.FRONT_DESK, r.DATA_OFFICER, r.DESK_OFFICER, r.HEAD, r.ADMIN})
    ),
    NavItem(_("Incoming reply slips"), "referrals:reply_slips", frozenset({r.FRONT_DESK, r.DATA_OFFICER})),
    NavItem(
        _("Recommendations"), "referrals:recommendation_list", frozenset({r.FRONT_DESK, r.DATA_OFFICER, r.HEAD, r.ADMIN})
    ),
    NavItem(_("Audit log"), "audit:log", frozenset({r.HEAD, r.ADMIN})),
    NavItem(_("My assignments"), "verivali:mine", frozenset({r.SURVEYOR})),
    NavItem(_("Offline surveys"), "verivali:offline", frozenset({r.SURVEYOR})),
    NavItem(_("Verivali"), "verivali:batch_list", frozenset({r.VALIDATOR, r.HEAD})),
    NavItem(_("Scorecard what-if"), "verivali:whatif", frozenset({r.HEAD})),
    NavItem(_("Registry imports"), "registry:import_list", frozenset({r.DATA_OFFICER, r.ADMIN})),
    NavItem(_("Registry exports"), "registry:export", frozenset({r.DATA_OFFICER, r.ADMIN})),
    NavItem(_("Programme lists"), "registry:programme_lists", frozenset({r.DATA_OFFICER, r.ADMIN})),
    NavItem(_("National registry proposals"), "registry:proposals", frozenset({r.DATA_OFFICER, r.ADMIN})),
    NavItem(_("Find a person"), "clients:search", frozenset({r.FRONT_DESK, r.DATA_OFFICER, r.VALIDATOR, r.HEAD, r.ADMIN})),
    NavItem(_("Register a household"), "clients:household_create", frozenset({r.FRONT_DESK, r.DATA_OFFICER})),
    NavItem(_("Complaints"), "clients:complaint_list",
            frozenset({r.FRONT_DESK, r.DATA_OFFICER, r.VALIDATOR, r.HEAD, r.ADMIN})),
    NavItem(_("Administration"), "admin:index", frozenset({r.ADMIN})),
]


def nav_for(user) -> list[NavItem]:
    mine = r.user_roles(user)
    return [item for item in NAV if item.roles & mine]
