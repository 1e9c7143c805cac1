from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients import hooks
from clients.selectors import complaints_for_user, get_person_for_user
from clients.services import SearchLimitReached, person_search_recorded
from desks.eligibility import eligibility_for
from desks.forms import TransferForm
from desks.selectors import (
    assignment_for_user,
    current_ticket_for_desk,
    get_ticket_for_user,
    waiting_at_desk,
)
from pandu import roles
from pandu.audit import audit_record
from pandu.files import private_file_response
from pandu.http import error_messages, parse_id, redirect_next
from pandu.models import AuditEvent
from referrals import (
    case_selectors,
    case_services,
    citizen_status,
    forms,
    letters,
    selectors,
    services,
)
from referrals.models import Recommendation, Referral, ReferralEvent

PAGE_SIZE = 25


def _log(request, obj, summary: str, *, action: str = AuditEvent.Action.VIEW_PERSON) -> None:
    """Every view of a person's record, file or letter is in the audit log."""
    audit_record(user=request.user, action=action, obj=obj, summary=summary, request=request)


# --- referrals -----------------------------------------------------------------------------


@require_GET
@roles.role_required(*selectors.REFERRAL_ROLES)
def referral_list(request):
    """The desk officer's inbox (their provider's referrals) or the office's list for the others."""
    provider = selectors.officer_provider(request.user)
    is_inbox = provider is not None and not roles.has_role(
        request.user, *selectors.ALL_REFERRALS_ROLES
    )
    data = request.GET or (
        {"status": "open"} if is_inbox else None
    )  # an inbox opens on the work to do
    form = forms.ReferralFilterForm(data, provider=provider if is_inbox else None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.referral_list(
        request.user,
        status=filters.get("status") or "",
        service=filters.get("service"),
        kecamatan=filters.get("kecamatan"),
        provider=filters.get("provider"),
        query=filters.get("q") or "",
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/list.html",
        {
            "form": form,
            "page_obj": page,
            "is_inbox": is_inbox,
            "provider": provider,
            "no_assignment": provider is None
            and not roles.has_role(request.user, *selectors.ALL_REFERRALS_ROLES),
        },
    )


@require_GET
@roles.role_required(*selectors.REFERRAL_READ_ROLES)
def referral_detail(request, pk):
    referral = selectors.get_referral_for_user(request.user, pk)
    _log(request, referral, f"referral {referral.number}")
    if referral.news_at is not None:
        services.referrals_mark_read(user=request.user, referrals=[referral])
    context = {
        "referral": referral,
        "person": referral.case.person,
        "events": referral.events.select_related("actor"),
        "attachments": referral.attachments.all(),
        "actions": selectors.allowed_actions(request.user, referral),
        "transitions": services.TRANSITIONS,
        "transition_form": forms.TransitionForm(),
        "may_edit_documents": selectors.may_edit_documents(request.user, referral),
        "documents_form": forms.DocumentsForm(referral=referral),
        "attachment_form": forms.AttachmentForm(referral=referral),
        "waiting_position": selectors.waiting_position(referral),
        "quota": selectors.quota_summary(referral.service),
        "release_form": forms.ReleasePlaceForm() if selectors.may_release_place(request.user, referral) else None,
    }
    return render(request, "referrals/detail.html", context)


@require_POST
@roles.role_required(*selectors.REFERRAL_ROLES)
def referral_action(request, pk, action):
    referral = selectors.get_referral_for_user(request.user, pk)
    if action not in services.TRANSITIONS:
        raise Http404
    side = services.TRANSITIONS[action].side
    channel = ""
    if side == services.PROVIDER:
        allowed = selectors.may_act_for_provider(request.user, referral)
        if selectors.officer_provider(request.user) != referral.provider:
            channel = ReferralEvent.Channel.OFFICE  # the front desk types a paper answer in
    else:
        allowed = side == services.FRONT and selectors.may_act_for_front_desk(request.user)
    if not allowed:
        raise PermissionDenied
    form = forms.TransitionForm(request.POST)
    valid = form.is_valid()
    data = form.cleaned_data
    try:
        if action == "complete" and not valid:  # the outcome and what a grant was worth
            raise ValidationError([message for messages_ in form.errors.values() for message in messages_])
        referral = services.referral_transition(
            referral=referral,
            action=action,
            actor=request.user,
            note=data.get("note") or "",
            outcome=data.get("outcome") or "",
            outcome_detail=data.get("outcome_detail") or "",
            aid_value=data.get("aid_value"),
            aid_kind=data.get("aid_kind") or "",
            channel=channel,
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("Referral %(number)s: %(status)s.")
            % {"number": referral.number, "status": referral.get_status_display()},
        )
    return redirect_next(request, "referrals:detail", referral.pk)


@require_POST
@roles.role_required(*selectors.REFERRAL_ROLES)
def referral_documents(request, pk):
    referral = selectors.get_referral_for_user(request.user, pk)
    if not selectors.may_edit_documents(request.user, referral):
        raise PermissionDenied
    form = forms.DocumentsForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            services.referral_set_documents(
                referral=referral, documents=form.cleaned_data["documents"], actor=request.user
            )
            messages.success(request, _("The documents checklist is saved."))
        except ValidationError as error:
            error_messages(request, error)
    return redirect_next(request, "referrals:detail", referral.pk)


@require_POST
@roles.role_required(*selectors.REFERRAL_ROLES)
def attachment_upload(request, pk):
    referral = selectors.get_referral_for_user(request.user, pk)
    if not selectors.may_edit_documents(request.user, referral):
        raise PermissionDenied
    form = forms.AttachmentForm(request.POST, request.FILES, referral=referral)
    if form.is_valid():
        try:
            services.referral_attach(
                referral=referral,
                upload=form.cleaned_data["file"],
                actor=request.user,
                document=form.cleaned_data.get("document") or "",
            )
            messages.success(request, _("The document is attached."))
        except ValidationError as error:
            error_messages(request, error)
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect(reverse("referrals:detail", args=[referral.pk]))


@require_GET
@roles.role_required(*selectors.REFERRAL_READ_ROLES)
def attachment_file(request, pk, attachment_pk):
    referral = selectors.get_referral_for_user(request.user, pk)
    attachment = get_object_or_404(referral.attachments, pk=attachment_pk)
    _log(
        request,
        attachment,
        f"attachment of referral {referral.number}",
        action=AuditEvent.Action.VIEW_PHOTO,
    )
    return private_file_response(attachment.file, filename=attachment.original_name)


@require_GET
@roles.role_required(*selectors.REFERRAL_READ_ROLES)
def referral_letter(request, pk):
    referral = selectors.get_referral_for_user(request.user, pk)
    _log(
        request, referral, f"letter of referral {referral.number}", action=AuditEvent.Action.EXPORT
    )
    verify_url = request.build_absolute_uri(reverse("referrals:verify", args=[referral.token]))
    data = letters.referral_letter_pdf(referral, verify_url=verify_url)
    return letters.pdf_response(data, filename=letters.referral_letter_filename(referral))


@require_GET
def referral_verify(request, token):
    """Public: what the QR code on a letter opens. Only what proves the paper, no personal data."""
    referral = get_object_or_404(
        Referral.objects.select_related("service", "provider", "case__person"), token=token
    )
    return render(
        request,
        "referrals/verify.html",
        {"referral": referral, "initials": letters.initials(referral.case.person.full_name)},
    )


@require_GET
@roles.role_required(roles.FRONT_DESK, roles.DATA_OFFICER)
def outcomes(request):
    """The news of every front-desk and data officer: outcomes, rejections and returns they have not opened, whoever made the referral."""
    page = Paginator(selectors.unread_outcomes(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/outcomes.html", {"page_obj": page})


@require_POST
@roles.role_required(roles.FRONT_DESK, roles.DATA_OFFICER)
def outcomes_mark_read(request):
    count = services.referrals_mark_read(user=request.user, referrals=selectors.unread_outcomes(request.user))
    messages.success(request, _("%(n)s outcomes marked as read.") % {"n": count})
    return redirect("referrals:outcomes")


@require_GET
@roles.role_required(*roles.ALL_ROLES)
def outcomes_badge(request):
    """The navbar's count, polled by htmx."""
    return render(
        request, "referrals/_badge.html", {"count": selectors.unread_outcome_count(request.user)}
    )


@require_GET
@roles.role_required(*selectors.REFERRAL_ROLES)
def waiting_lists(request):
    rows = [
        {
            "service": service,
            "quota": selectors.quota_summary(service),
            "waiting": selectors.waiting_list(service),
        }
        for service in selectors.quota_services_for_user(request.user)
    ]
    unassigned = not roles.has_role(request.user, *selectors.ALL_REFERRALS_ROLES) and (
        selectors.officer_provider(request.user) is None
    )
    return render(request, "referrals/waiting_lists.html", {"rows": rows, "unassigned": unassigned})


# --- cases ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@roles.role_required(*selectors.CASE_OPEN_ROLES)
def case_start(request):
    """Find the person the case is for (the person page, when it exists, links straight to the
    form): the registry's own fuzzy search, by POST and recorded, as on the search page."""
    form = forms.PersonSearchForm(request.POST if request.method == "POST" else None)
    persons, status = [], 200
    if form.is_valid():
        try:
            persons = person_search_recorded(user=request.user, query=form.cleaned_data["q"], request=request)
        except SearchLimitReached as refusal:
            form.add_error(None, str(refusal))
            status = 429
    return render(request, "referrals/case_start.html", {"form": form, "persons": persons}, status=status)


@roles.role_required(*selectors.CASE_OPEN_ROLES)
def case_open(request, person_pk):
    person = get_person_for_user(request.user, person_pk)
    proposed = services.pathway_proposed(person.household)
    ticket_pk = parse_id(request.POST.get("ticket") or request.GET.get("ticket"))
    ticket = get_ticket_for_user(request.user, ticket_pk) if ticket_pk is not None else None
    form = forms.CaseOpenForm(request.POST or None, proposed=proposed, ticket=ticket)
    form.eligibility = eligibility_for(person, form.fields["services"].queryset)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                person=person,
                ticket=ticket,
                pathway=form.cleaned_data["pathway"],
                decided_by=request.user,
                needs=form.needs,
                services=list(form.cleaned_data["services"]),
                case_worker=form.cleaned_data["case_worker"],
                override_reason=form.cleaned_data["override_reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Case opened: %(needs)s needs recorded, %(n)s referrals sent.")
                % {"needs": case.needs.count(), "n": case.referrals.count()},
            )
            return redirect("referrals:case_detail", pk=case.pk)
    return render(
        request,
        "referrals/case_open.html",
        {
            "form": form,
            "person": person,
            "proposed": proposed,
            "full_nik": roles.sees_full_nik(request.user),
            "recommendation": services.latest_approved_recommendation(person),
        },
    )


@require_GET
@roles.role_required(*selectors.CASE_ROLES)
def case_detail(request, pk):
    case = selectors.get_case_for_user(request.user, pk)
    _log(request, case.person, f"case {case.pk}")
    referrals = list(
        selectors.with_news(selectors.with_overdue(case.referrals.all()), request.user)
        .select_related("service", "provider")
        .order_by("pk")
    )
    may_manage = selectors.cases_to_manage(request.user).filter(pk=case.pk).exists()
    may_refer = case.is_open and selectors.cases_for_new_needs(request.user).filter(pk=case.pk).exists()
    needs = case_selectors.needs_of(case)
    may_override = case.is_open and roles.has_role(request.user, roles.HEAD)
    for need in needs:
        need.refer_form = forms.AddNeedForm(case=case, need=need) if may_refer and need.state == "open" else None
        need.override_form = None
        if may_override and need.state == "open":
            need.override_form = forms.EligibilityOverrideForm(case=case, need=need)
            answers = eligibility_for(case.person, need.override_form.fields["service"].queryset)
            need.not_eligible = [answer for answer in answers.values() if not answer.eligible]
    return render(
        request,
        "referrals/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "referrals": referrals,
            "needs": needs,
            "follow_ups": case.follow_ups.select_related("planned_by", "done_by", "referral"),
            "events": case.events.select_related("actor"),
            "full_nik": roles.sees_full_nik(request.user)
            or "full_nik" in hooks.person_disclosures(request.user, case.person),
            "add_need_form": forms.AddNeedForm(case=case) if may_refer else None,
            "may_manage": may_manage and case.is_open,
            "may_reopen": may_manage and not case.is_open,
            "assign_form": forms.CaseAssignForm(initial={"case_worker": case.case_worker_id})
            if case.is_open and roles.has_role(request.user, *selectors.CASE_OPEN_ROLES)
            else None,
            "need_form": forms.NeedRecordForm(),
            "handle_form": forms.NeedHandleForm(),
            "follow_up_form": forms.FollowUpForm(),
            "follow_up_done_form": forms.FollowUpDoneForm(),
            "close_form": forms.CaseCloseForm(),
            "reopen_form": forms.CaseReopenForm(),
            "today": timezone.localdate(),
            "can_file_complaint": roles.has_role(request.user, *roles.REGISTER_ROLES),
            "complaints": complaints_for_user(request.user).filter(case=case),
        },
    )


@require_GET
@roles.role_required(*selectors.CASE_ROLES)
def case_list(request):
    """The office's cases (open, closed by reason, without a case worker, with an overdue
    follow-up); a case worker's caseload and the open cases waiting for a case worker."""
    is_case_worker = roles.has_role(request.user, roles.CASE_WORKER) and not roles.has_role(
        request.user, *selectors.ALL_REFERRALS_ROLES
    )
    form = forms.CaseFilterForm(request.GET or ({"status": "open"} if is_case_worker else None))
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = case_selectors.case_list(
        request.user, status=filters.get("status") or "", reason=filters.get("reason") or ""
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/case_list.html",
        {
            "form": form,
            "page_obj": page,
            "is_case_worker": is_case_worker,
            "to_take": case_selectors.cases_to_take_list(request.user),
            "today": timezone.localdate(),
        },
    )


@require_POST
@roles.role_required(roles.CASE_WORKER)
def case_take(request, pk):
    """A case worker takes an open case nobody has yet: it joins their caseload."""
    case = get_object_or_404(selectors.cases_to_take(request.user), pk=pk)
    try:
        case_services.case_take(case=case, case_worker=request.user)
    except ValidationError as error:
        error_messages(request, error)
        return redirect("referrals:case_list")
    messages.success(request, _("Case #%(pk)s is in your caseload.") % {"pk": case.pk})
    return redirect("referrals:case_detail", pk=case.pk)


@require_POST
@roles.role_required(*selectors.CASE_OPEN_ROLES)
def case_assign(request, pk):
    case = selectors.get_case_to_manage(request.user, pk)
    form = forms.CaseAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a case worker."))
        return redirect("referrals:case_detail", pk=case.pk)
    try:
        case = case_services.case_assign(case=case, case_worker=form.cleaned_data["case_worker"], actor=request.user)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The case is assigned to %(name)s.") % {"name": case.case_worker.get_full_name()
                                                                            or case.case_worker.get_username()})
    return redirect("referrals:case_detail", pk=case.pk)


def _case_step(request, pk, form_class, step, success: str, *, invalid: str):
    """A case-management step: the case (404 outside the user's cases), a valid form, one
    service call, a message, back to the case."""
    case = selectors.get_case_to_manage(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("referrals:case_detail", pk=case.pk)
    try:
        step(case, form.cleaned_data)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, success)
    return redirect("referrals:case_detail", pk=case.pk)


@require_POST
@roles.role_required(*selectors.CASE_MANAGE_ROLES)
def case_need_record(request, pk):
    """A complaint or need found later in the assessment; it shows as open until it is referred or handled."""
    return _case_step(
        request, pk, forms.NeedRecordForm,
        lambda case, data: case_services.case_need_record(case=case, actor=request.user, **data),
        _("The need is recorded: refer it or record how the office handled it."),
        invalid=_("Choose the domain and say what the citizen needs."),
    )


@require_POST
@roles.role_required(*selectors.CASE_MANAGE_ROLES)
def need_handle(request, pk, need_pk):
    case = selectors.get_case_to_manage(request.user, pk)
    need = get_object_or_404(case.needs, pk=need_pk)
    return _case_step(
        request, case.pk, forms.NeedHandleForm,
        lambda case, data: case_services.need_handle(need=need, note=data["note"], actor=request.user),
        _("The need is recorded as handled at the office."),
        invalid=_("Say what the office did about this need."),
    )


@require_POST
@roles.role_required(*selectors.CASE_MANAGE_ROLES)
def follow_up_plan(request, pk):
    return _case_step(
        request, pk, forms.FollowUpForm,
        lambda case, data: case_services.follow_up_add(case=case, actor=request.user, **data),
        _("The follow-up is planned."),
        invalid=_("Give the follow-up's date and purpose."),
    )


@require_POST
@roles.role_required(*selectors.CASE_MANAGE_ROLES)
def follow_up_done(request, pk, follow_up_pk):
    case = selectors.get_case_to_manage(request.user, pk)
    follow_up = get_object_or_404(case.follow_ups, pk=follow_up_pk)
    return _case_step(
        request, case.pk, forms.FollowUpDoneForm,
        lambda case, data: case_services.follow_up_complete(
            follow_up=follow_up, note=data["note"], done_on=data.get("done_on"), actor=request.user
        ),
        _("The follow-up is recorded as done."),
        invalid=_("Write what the follow-up found."),
    )


@require_POST
@roles.role_required(*selectors.CASE_MANAGE_ROLES)
def case_close(request, pk):
    return _case_step(
        request, pk, forms.CaseCloseForm,
        lambda case, data: case_services.case_close(case=case, actor=request.user, **data),
        _("The case is closed."),
        invalid=_("Choose the reason for closing and write a closing note."),
    )


@require_POST
@roles.role_required(*selectors.CASE_MANAGE_ROLES)
def case_reopen(request, pk):
    return _case_step(
        request, pk, forms.CaseReopenForm,
        lambda case, data: case_services.case_reopen(case=case, actor=request.user, reason=data["reason"]),
        _("The case is open again."),
        invalid=_("Write why the case is reopened."),
    )


# --- recommendations -------------------------------------------------------------------------


@require_GET
@roles.role_required(*selectors.RECOMMENDATION_ROLES)
def recommendation_list(request):
    queryset = selectors.recommendations_for_user(request.user).select_related(
        "person", "requested_by"
    )
    status = request.GET.get("status", "")
    status = status if status in Recommendation.Status.values else ""
    if status:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("status", "-created_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "referrals/recommendation_list.html", {"page_obj": page, "status": status}
    )


@roles.role_required(*selectors.RECOMMENDATION_REQUEST_ROLES)
def recommendation_request(request, person_pk):
    person = get_person_for_user(request.user, person_pk)
    form = forms.RecommendationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_request(
                person=person, requested_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The request is sent to the head for approval."))
            return redirect("referrals:recommendation_detail", pk=recommendation.pk)
    return render(
        request,
        "referrals/recommendation_request.html",
        {"form": form, "person": person, "full_nik": roles.sees_full_nik(request.user)},
    )


@require_GET
@roles.role_required(*selectors.RECOMMENDATION_READ_ROLES)
def recommendation_detail(request, pk):
    recommendation = selectors.get_recommendation_for_user(request.user, pk)
    _log(request, recommendation.person, f"recommendation {recommendation.pk}")
    return render(
        request,
        "referrals/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "person": recommendation.person,
            "may_decide": roles.has_role(request.user, roles.HEAD),
            "full_nik": roles.sees_full_nik(request.user),
            "decide_form": forms.RecommendationDecideForm(),
        },
    )


@require_POST
@roles.role_required(roles.HEAD)
def recommendation_decide(request, pk):
    recommendation = selectors.get_recommendation_for_user(request.user, pk)
    form = forms.RecommendationDecideForm(request.POST)
    if form.is_valid():
        try:
            recommendation = services.recommendation_decide(
                recommendation=recommendation,
                approve=form.cleaned_data["decision"] == "approve",
                decided_by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request,
                _("Decision recorded: %(status)s.")
                % {"status": recommendation.get_status_display()},
            )
    return redirect("referrals:recommendation_detail", pk=recommendation.pk)


@require_GET
@roles.role_required(*selectors.RECOMMENDATION_READ_ROLES)
def recommendation_letter(request, pk):
    recommendation = selectors.get_recommendation_for_user(request.user, pk)
    if recommendation.status != recommendation.Status.APPROVED:
        raise Http404
    _log(
        request,
        recommendation,
        f"recommendation letter {recommendation.number}",
        action=AuditEvent.Action.EXPORT,
    )
    data = letters.render_pdf(
        "referrals/recommendation_letter.html",
        {
            "recommendation": recommendation,
            "person": recommendation.person,
            "household": recommendation.person.household,
        },
    )
    return letters.pdf_response(data, filename=f"rekomendasi-{recommendation.pk}.pdf")


# --- desk workspace ------------------------------------------------------------------------


@require_GET
@roles.role_required(roles.DESK_OFFICER)
def workspace(request):
    """An SKPD desk in the office: the citizen being served, their referrals here, and the actions."""
    assignment = assignment_for_user(request.user)
    desk = assignment.desk if assignment is not None else None
    provider = selectors.officer_provider(request.user)
    ticket = current_ticket_for_desk(desk) if desk is not None else None
    person = ticket.person if ticket is not None else None
    referrals = (
        selectors.open_referrals_for_person_at(person, provider) if person and provider else []
    )
    for referral in referrals:
        referral.actions = selectors.allowed_actions(request.user, referral)
    case = selectors.serving_case(request.user, person, ticket.pk) if person is not None else None
    if person is not None:
        _log(request, person, f"desk workspace, ticket {ticket.number}")
    return render(
        request,
        "referrals/workspace.html",
        {
            "desk": desk,
            "provider": provider,
            "ticket": ticket,
            "person": person,
            "referrals": referrals,
            "waiting_total": waiting_at_desk(desk).count() if desk is not None else 0,
            "transfer_form": TransferForm(ticket=ticket) if ticket is not None else None,
            "full_nik": False,
            "case": case,
            "add_need_form": forms.AddNeedForm(case=case) if case is not None else None,
        },
    )


@require_POST
@roles.role_required(*selectors.CASE_OPEN_ROLES, roles.DESK_OFFICER, roles.CASE_WORKER)
def case_add_need(request, pk):
    """Refer a need: an open need of the assessment (``need``: a service of its domain), or a
    need found later, by the front desk or the case worker on the case, or by an agency's
    officer at their desk while serving the visit: one more referral, and its desk joins the
    visit's itinerary."""
    case = selectors.get_case_for_new_need(request.user, pk)
    need_pk = parse_id(request.POST.get("need"))
    need = get_object_or_404(case.needs, pk=need_pk) if need_pk is not None else None
    form = forms.AddNeedForm(request.POST, case=case, need=need)
    if not form.is_valid():
        messages.error(request, _("Choose the service the citizen needs."))
        return redirect_next(request, "referrals:case_detail", case.pk)
    try:
        referral = services.case_add_need(
            case=case, service=form.cleaned_data["service"], actor=request.user, need=need
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("Referral %(number)s to %(provider)s added to the case; its letter is on the case page.")
            % {"number": referral.number, "provider": referral.provider.name},
        )
    return redirect_next(request, "referrals:case_detail", case.pk)


@require_POST
@roles.role_required(roles.HEAD)
def need_override(request, pk, need_pk):
    """The head refers an open need to a service the person is not eligible for, with a written
    reason (kept on the referral and in the case's history)."""
    case = selectors.get_case_for_user(request.user, pk)
    need = get_object_or_404(case.needs, pk=need_pk)
    form = forms.EligibilityOverrideForm(request.POST, case=case, need=need)
    if not form.is_valid():
        messages.error(request, _("Choose the service and write why the person is referred anyway."))
        return redirect("referrals:case_detail", case.pk)
    try:
        referral = services.case_add_need(case=case, service=form.cleaned_data["service"], actor=request.user,
                                          need=need, override_reason=form.cleaned_data["reason"])
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("Referral %(number)s to %(provider)s sent with your reason.")
                         % {"number": referral.number, "provider": referral.provider.name})
    return redirect("referrals:case_detail", case.pk)


@require_POST
@roles.role_required(*selectors.REFERRAL_ROLES)
def release_place(request, pk):
    """The beneficiary died, moved out or the grant ended: the place goes to the next waiting."""
    referral = selectors.get_referral_for_user(request.user, pk)
    if not selectors.may_release_place(request.user, referral):
        raise PermissionDenied
    form = forms.ReleasePlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the place is freed."))
        return redirect("referrals:detail", referral.pk)
    try:
        services.referral_release_place(referral=referral, reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The place of %(number)s is free; the next on the waiting list is offered it.")
                         % {"number": referral.number})
    return redirect("referrals:detail", referral.pk)


# --- paper-only agencies: the reply slip (Balasan masuk) -----------------------------------------


@require_http_methods(["GET", "POST"])
@roles.role_required(*selectors.REPLY_SLIP_ROLES)
def reply_slips(request):
    """Type or scan a slip's return code → the referral and a one-step form for what the agency
    ticked → recorded as the agency's answer from the reply slip, with the officer who entered it;
    then ready for the next slip."""
    find_form = forms.ReturnCodeForm()
    slip_form, referral, closed = None, None, False
    if request.method == "POST" and "decision" in request.POST:
        slip_form = forms.ReplySlipForm(request.POST)
        referral = selectors.referral_by_return_code(request.user, request.POST.get("code", ""))
        if referral is None:
            find_form = forms.ReturnCodeForm({"code": request.POST.get("code", "")})
            find_form.is_valid()
            find_form.add_error(None, _("No referral has this return code. Check the code on the slip."))
            slip_form = None
        elif slip_form.is_valid():
            data = slip_form.cleaned_data
            try:
                referral = services.referral_record_reply_slip(
                    referral=referral,
                    decision=data["decision"],
                    actor=request.user,
                    detail=data.get("detail") or "",
                    aid_value=data.get("aid_value"),
                    aid_kind=data.get("aid_kind") or "",
                    slip_date=data.get("slip_date"),
                    signed_by=data.get("signed_by") or "",
                )
            except ValidationError as error:
                for message in error.messages:
                    slip_form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Reply slip of %(number)s recorded: %(status)s. Ready for the next slip.")
                    % {"number": referral.number, "status": referral.get_status_display()},
                )
                return redirect("referrals:reply_slips")
    elif request.method == "POST":
        find_form = forms.ReturnCodeForm(request.POST)
        if find_form.is_valid():
            referral = selectors.referral_by_return_code(request.user, find_form.cleaned_data["code"])
            if referral is None:
                find_form.add_error(
                    "code", _("No referral has the return code %(code)s. Check the code on the slip.")
                    % {"code": find_form.cleaned_data["code"]}
                )
            elif referral.status in Referral.CLOSED_STATUSES:
                closed = True
            else:
                slip_form = forms.ReplySlipForm(initial={"code": referral.return_code})
                find_form = forms.ReturnCodeForm()
    if referral is not None:
        _log(request, referral, f"reply slip of referral {referral.number}")
    return render(
        request,
        "referrals/reply_slips.html",
        {
            "find_form": find_form,
            "slip_form": slip_form,
            "referral": referral,
            "closed": closed,
            "recent": selectors.reply_slips_recorded_by(request.user),
        },
    )


# --- the citizens' status check (a kiosk, no login) ----------------------------------------------


@require_http_methods(["GET", "POST"])
def status_check(request):
    """Public: a ticket of today or a referral number, and the birth date → where it stands and
    what to do, with no personal data. POST only: no number or date in a URL or a server log."""
    form = forms.StatusCheckForm(request.POST if request.method == "POST" else None)
    answer, asked, refusal, status = None, False, "", 200
    if form.is_valid():
        try:
            answer = citizen_status.status_check_recorded(
                number=form.cleaned_data["number"], birth_date=form.cleaned_data["birth_date"], request=request
            )
            asked = True
        except citizen_status.StatusCheckLimitReached as limit:
            refusal, status = str(limit), 429
        form = forms.StatusCheckForm()  # the next citizen starts with an empty form
    response = render(
        request,
        "referrals/status_check.html",
        {"form": form, "answer": answer, "asked": asked, "refusal": refusal},
        status=status,
    )
    response["Cache-Control"] = "no-store, private"
    return response
