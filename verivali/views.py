"""Verivali pages: thin views that check the role and the object, then call one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pandu import roles
from pandu.audit import audit_record
from pandu.files import private_file_response
from pandu.http import error_messages, parse_id
from pandu.models import AuditEvent
from pandu.roles import role_required
from verivali import selectors, services
from verivali.forms import (
    AddHouseholdForm,
    ApproveForm,
    AssignForm,
    BatchForm,
    FieldHouseholdForm,
    FieldMemberFormSet,
    ReturnForm,
    SurveyForm,
    WhatIfForm,
)
from verivali.models import Assessment, Batch, ClassBand
from verivali.prefill import prefilled_answers

OFFICE = (roles.VALIDATOR, roles.HEAD, roles.ADMIN)
SEES_ASSESSMENTS = (*selectors.READ_ROLES, roles.SURVEYOR)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


# --- batches ------------------------------------------------------------------------------


@role_required(*OFFICE)
def batch_list(request):
    batches = selectors.batches_with_progress(request.user).prefetch_related("kecamatan")
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "verivali/batch_list.html",
        {
            "page_obj": page,
            "review": selectors.review_queue()[:50],
            "can_create": roles.has_role(request.user, roles.VALIDATOR),
        },
    )


@role_required(roles.VALIDATOR)
def batch_create(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                created_by=request.user, **{k: form.cleaned_data[k] for k in BatchForm.Meta.fields}
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request, _("Batch created. Now add households and assign them to surveyors.")
            )
            return redirect("verivali:batch_detail", pk=batch.pk)
    return render(request, "verivali/batch_form.html", {"form": form})


@role_required(*OFFICE)
def batch_detail(request, pk):
    batch = selectors.get_batch_for_user(request.user, pk)
    status = request.GET.get("status", "")
    status = status if status in Assessment.Status.values else ""
    villages = selectors.batch_villages(batch)
    village_id = parse_id(request.GET.get("village"))
    assessments = selectors.batch_assessments(batch, status=status, village_id=village_id)
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    surveyors = selectors.surveyors()
    return render(
        request,
        "verivali/batch_detail.html",
        {
            "batch": batch,
            "progress": selectors.batch_progress(batch),
            "outcome_counts": selectors.batch_outcome_counts(batch),
            "page_obj": page,
            "status": status,
            "village_id": village_id,
            "statuses": Assessment.Status.choices,
            "villages": villages,
            "surveyors": surveyors,
            "is_validator": roles.has_role(request.user, roles.VALIDATOR),
            "is_head": roles.has_role(request.user, roles.HEAD),
            "open": batch.status != Batch.Status.APPROVED,
        },
    )


@require_POST
@role_required(roles.VALIDATOR)
def batch_add(request, pk):
    batch = selectors.get_batch_for_user(request.user, pk)
    source = request.POST.get("source", "")
    try:
        if source in (Assessment.Source.COMPLAINT, Assessment.Source.REGISTRY):
            count = services.batch_add_from(batch=batch, source=source)
            messages.success(request, _("%(n)s households added.") % {"n": count})
        else:
            form = AddHouseholdForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return redirect("verivali:batch_detail", pk=batch.pk)
            services.batch_add_household(batch=batch, household=form.household)
            messages.success(
                request, _("Household %(kk)s added.") % {"kk": form.household.kk_number}
            )
    except ValidationError as error:
        error_messages(request, error)
    return redirect("verivali:batch_detail", pk=batch.pk)


@require_POST
@role_required(roles.VALIDATOR)
def batch_assign(request, pk):
    batch = selectors.get_batch_for_user(request.user, pk)
    form = AssignForm(
        request.POST, surveyors=selectors.surveyors(), villages=selectors.batch_villages(batch)
    )
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("verivali:batch_detail", pk=batch.pk)
    one = form.cleaned_data.get("assessment")
    try:
        count = services.assignments_assign(
            batch=batch,
            surveyor=form.cleaned_data["surveyor"],
            village=None if one else form.cleaned_data.get("village"),
            assessment_ids=[one] if one else None,
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(n)s households assigned to %(name)s.")
            % {"n": count, "name": form.cleaned_data["surveyor"].get_full_name()},
        )
    return redirect("verivali:batch_detail", pk=batch.pk)


@require_POST
@role_required(roles.HEAD)
def batch_approve(request, pk):
    batch = selectors.get_batch_for_user(request.user, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.batch_approve(batch=batch, head=request.user, **form.cleaned_data)
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request,
                _("Batch approved. The registry status of its validated households changed."),
            )
    else:
        _form_errors(request, form)
    return redirect("verivali:batch_detail", pk=batch.pk)


# --- the surveyor -------------------------------------------------------------------------


@role_required(roles.SURVEYOR)
def my_assignments(request):
    show_all = request.GET.get("all") == "1"
    groups = selectors.my_assignments(request.user, include_done=show_all)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.VIEW_HOUSEHOLD,
        summary="verivali: my assignments",
        detail={"assessments": [a.pk for g in groups for a in g.assignments][:200]},
        request=request,
    )
    return render(
        request,
        "verivali/my_assignments.html",
        {
            "groups": groups,
            "show_all": show_all,
            "batches": selectors.batches_of_surveyor(request.user),
        },
    )


@role_required(roles.SURVEYOR)
def field_household(request, pk):
    """A surveyor proposes a household found in the field, then surveys it like any other."""
    batch = selectors.get_batch_for_surveyor(request.user, pk)
    villages = selectors.batch_villages(batch)
    form = FieldHouseholdForm(request.POST or None, villages=villages)
    members = FieldMemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        try:
            assessment = services.field_household_propose(
                batch=batch,
                surveyor=request.user,
                members=members.members(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request, _("New household registered in verification. Now survey it.")
            )
            return redirect("verivali:survey", pk=assessment.pk)
    return render(
        request,
        "verivali/field_household.html",
        {"batch": batch, "form": form, "members": members},
    )


@role_required(roles.SURVEYOR)
def survey(request, pk):
    assessment = selectors.get_assignment_for_user(request.user, pk)
    if not assessment.is_open_for_surveyor:
        return redirect("verivali:assessment_detail", pk=assessment.pk)
    version = assessment.version or selectors.current_version()
    indicators, _bands = selectors.version_parts(version)
    members = selectors.household_members(assessment.household)
    findings = dict(
        assessment.member_checks.filter(person__isnull=False).values_list("person_id", "finding")
    )
    facts = selectors.member_facts(assessment, members)
    saved = selectors.assessment_answers(assessment)
    prefilled = prefilled_answers(indicators, facts.values())
    form = SurveyForm(
        request.POST or None,
        request.FILES or None,
        indicators=indicators,
        members=members,
        answers={**prefilled, **saved},
        findings=findings,
        assessment=assessment,
        facts=facts,
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.survey_save_draft(
                assessment=assessment,
                surveyor=request.user,
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
                latitude=form.cleaned_data.get("latitude"),
                longitude=form.cleaned_data.get("longitude"),
                accuracy=form.cleaned_data.get("accuracy"),
                photos=form.photos(),
                member_findings=form.member_findings(),
                newborn=form.newborn(),
                outcome=form.outcome_report(),
                member_details=form.member_details(),
            )
        except ValidationError as error:
            error_messages(request, error)
            return redirect("verivali:survey", pk=assessment.pk)
        if "submit_survey" not in request.POST:
            messages.success(request, _("Draft saved. You can continue it later."))
            return redirect("verivali:survey", pk=assessment.pk)
        try:
            assessment = services.survey_submit(assessment=assessment, surveyor=request.user)
        except ValidationError as error:
            messages.warning(request, _("Your answers are saved as a draft."))
            error_messages(request, error)
            return redirect("verivali:survey", pk=assessment.pk)
        messages.success(request, _("Survey submitted to the validator."))
        if assessment.score is None and assessment.outcome in Assessment.SCORED_OPTIONALLY:
            messages.info(
                request,
                _("Sent without a score: not every question is answered. Answer all 16 only when you "
                  "surveyed the household."),
            )
        return redirect("verivali:assessment_detail", pk=assessment.pk)
    if request.method == "GET":
        form.initial["notes"] = assessment.notes
        form.initial["latitude"] = assessment.latitude
        form.initial["longitude"] = assessment.longitude
        audit_record(
            user=request.user,
            action=AuditEvent.Action.VIEW_HOUSEHOLD,
            obj=assessment.household,
            summary=f"verivali survey {assessment.pk}",
            request=request,
        )
    return render(
        request,
        "verivali/survey_form.html",
        {
            "assessment": assessment,
            "form": form,
            "photos": {p.kind: p for p in assessment.photos.all()},
            "newborns": assessment.member_checks.filter(finding="born", person__isnull=True),
            # the question numbers the surveyor sees, of the answers the registry gave
            "prefilled": [i.position for i in indicators if i.code in prefilled and i.code not in saved],
        },
    )


# --- assessments --------------------------------------------------------------------------


@role_required(*SEES_ASSESSMENTS)
def assessment_detail(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    household = assessment.household
    audit_record(
        user=request.user,
        action=AuditEvent.Action.VIEW_HOUSEHOLD,
        obj=household,
        summary=f"verivali assessment {assessment.pk}",
        request=request,
    )
    return render(
        request,
        "verivali/assessment_detail.html",
        {
            "assessment": assessment,
            "result": selectors.assessment_result(assessment),
            "photos": list(assessment.photos.all()),
            "members": selectors.household_members(household),
            "member_checks": list(assessment.member_checks.select_related("person", "to_household")),
            "outcome": selectors.assessment_outcome(assessment),
            "opens_households": roles.has_role(request.user, *selectors.READ_ROLES),
            "household": household,
            "household_assessments": selectors.household_assessments(household),
            "return_form": ReturnForm(),
            "can_review": roles.has_role(request.user, roles.VALIDATOR)
            and assessment.status == Assessment.Status.SUBMITTED,
            "is_surveyor": assessment.surveyor_id == request.user.pk,
        },
    )


@require_POST
@role_required(roles.VALIDATOR)
def assessment_validate(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    try:
        services.assessment_validate(assessment=assessment, validator=request.user)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Survey validated."))
    return redirect("verivali:assessment_detail", pk=assessment.pk)


@require_POST
@role_required(roles.VALIDATOR)
def assessment_return(request, pk):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write what the surveyor must check or fix."))
        services.assessment_return(
            assessment=assessment, validator=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Survey returned to the surveyor with your note."))
    return redirect("verivali:assessment_detail", pk=assessment.pk)


@role_required(*SEES_ASSESSMENTS)
def photo(request, pk, size="full"):
    item = selectors.get_photo_for_user(request.user, pk)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.VIEW_PHOTO,
        obj=item,
        summary=f"verivali photo {item.kind} of assessment {item.assessment_id}",
        request=request,
    )
    return private_file_response(item.thumbnail if size == "thumb" else item.image)


# --- what-if ------------------------------------------------------------------------------


@role_required(*OFFICE)
def whatif(request):
    form = WhatIfForm(request.GET or None)
    result = selectors.whatif(form.cleaned_data["version"]) if form.is_valid() else None
    return render(
        request,
        "verivali/whatif.html",
        {
            "form": form,
            "result": result,
            "matrix": result.rows() if result else [],
            "classes": ClassBand.WelfareClass.choices,
        },
    )
