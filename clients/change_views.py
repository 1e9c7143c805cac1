"""Household changes at the desk: move a person to another KK, split a household, record a
death or a birth. Thin: the register roles, the object for this user, a form, one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from clients import change_forms, changes, selectors
from pandu import roles
from pandu.roles import role_required


def _change_page(request, form, save, *, title: str, intro: str, confirm: str, submit: str, back: str,
                 person=None, household=None):
    """On a valid POST call ``save(data)`` (returns the success message and where to go), else
    show the form; a refused change keeps what was typed and says why."""
    if request.method == "POST" and form.is_valid():
        try:
            message, url = save(form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(url)
    return render(request, "clients/household_change.html", {
        "form": form, "title": title, "intro": intro, "confirm": confirm, "submit": submit, "back": back,
        "person": person, "household": household,
    })


@role_required(*roles.REGISTER_ROLES)
def person_move(request, pk):
    person = selectors.get_person_for_user(request.user, pk)
    form = change_forms.PersonMoveForm(request.POST or None)

    def save(data):
        changes.person_move(person=person, to_household=form.household, relationship=data["relationship"],
                            on=data["on"], note=data["note"], changed_by=request.user, request=request)
        return (_("%(name)s moved to KK %(kk)s.") % {"name": person.full_name, "kk": data["kk_number"]},
                reverse("clients:person_detail", args=[person.pk]))

    return _change_page(
        request, form, save, person=person, household=person.household,
        title=_("Move %(name)s to another KK") % {"name": person.full_name},
        intro=_("The person joins the household of the KK number below. Their visits, cases and referrals stay "
                "with them; the national registry is asked to correct the family card."),
        confirm=_("Move this person to the other household?"), submit=_("Move the person"),
        back=reverse("clients:person_detail", args=[person.pk]),
    )


@role_required(*roles.REGISTER_ROLES)
def person_death(request, pk):
    person = selectors.get_person_for_user(request.user, pk)
    form = change_forms.PersonDeathForm(request.POST or None)

    def save(data):
        changes.person_record_death(person=person, died_on=data["died_on"], note=data["note"],
                                    changed_by=request.user, request=request)
        return (_("The death of %(name)s is recorded; open referrals were closed.") % {"name": person.full_name},
                reverse("clients:person_detail", args=[person.pk]))

    return _change_page(
        request, form, save, person=person, household=person.household,
        title=_("Record the death of %(name)s") % {"name": person.full_name},
        intro=_("The record stays, marked deceased. Every open referral of the person is cancelled, every quota "
                "place they hold is freed for the next on the waiting list, and the national registry is asked "
                "to deactivate the record. This cannot be undone here."),
        confirm=_("Record this death? Open referrals are cancelled and quota places freed."),
        submit=_("Record the death"), back=reverse("clients:person_detail", args=[person.pk]),
    )


@role_required(*roles.REGISTER_ROLES)
def household_split(request, pk):
    household = selectors.get_household_for_user(request.user, pk)
    form = change_forms.HouseholdSplitForm(request.POST or None, household=household)

    def save(data):
        new = changes.household_split(
            household=household, members=list(data["members"]), head=data["head"], kk_number=data["kk_number"],
            address=data["address"], rt=data["rt"], rw=data["rw"], village=data["village"], on=data["on"],
            note=data["note"], changed_by=request.user, request=request,
        )
        return (_("New household %(kk)s registered with %(n)s members.") % {"kk": new.kk_number,
                                                                           "n": len(data["members"])},
                reverse("clients:household_detail", args=[new.pk]))

    return _change_page(
        request, form, save, household=household,
        title=_("Split household %(kk)s") % {"kk": household.kk_number or _("without KK")},
        intro=_("The members you tick leave into a new household with its own KK number; the one you choose "
                "heads it. At least one member stays. The national registry is asked to add the new family card."),
        confirm=_("Split the household? The ticked members move to the new KK."),
        submit=_("Split the household"), back=reverse("clients:household_detail", args=[household.pk]),
    )


@role_required(*roles.REGISTER_ROLES)
def household_birth(request, pk):
    household = selectors.get_household_for_user(request.user, pk)
    form = change_forms.BirthForm(request.POST or None)

    def save(data):
        baby = changes.person_record_birth(
            household=household, full_name=data["full_name"], sex=data["sex"], birth_date=data["birth_date"],
            birth_place=data["birth_place"], nik=data["nik"], note=data["note"], changed_by=request.user,
            request=request,
        )
        return (_("The birth of %(name)s is recorded.") % {"name": baby.full_name},
                reverse("clients:person_detail", args=[baby.pk]))

    return _change_page(
        request, form, save, household=household,
        title=_("Record a birth in household %(kk)s") % {"kk": household.kk_number or _("without KK")},
        intro=_("The newborn joins the household as a child. Without a NIK yet, the record says so; add the NIK "
                "when Disdukcapil issues it. The national registry is asked to add the new member."),
        confirm="", submit=_("Record the birth"), back=reverse("clients:household_detail", args=[household.pk]),
    )
