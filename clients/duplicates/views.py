"""The data officer's duplicate review: the queue, a pair side by side, merge / not the same
person / later, the merges of the last 30 days and their undo. Thin: role and object checks,
a form, one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clients.duplicates import merging
from clients.duplicates.forms import CandidateFilterForm, MergeForm
from clients.duplicates.scoring import reason_labels
from clients.models import DuplicateCandidate, PersonMerge
from clients.tasks import duplicates_check_job
from pandu import jobs, roles
from pandu.audit import audit_record
from pandu.models import AuditEvent

REVIEW_ROLES = (roles.DATA_OFFICER,)
WAITING = (DuplicateCandidate.State.OPEN, DuplicateCandidate.State.LATER)


def get_candidate_for_user(user, pk) -> DuplicateCandidate:
    """A pair waiting for a decision; the review is the data officer's."""
    if not roles.has_role(user, *REVIEW_ROLES):
        raise Http404
    return get_object_or_404(
        DuplicateCandidate.objects.filter(state__in=WAITING).select_related(
            "person_a__household__village", "person_b__household__village"),
        pk=pk,
    )


def get_merge_for_user(user, pk) -> PersonMerge:
    if not roles.has_role(user, *REVIEW_ROLES):
        raise Http404
    return get_object_or_404(PersonMerge.objects.select_related("survivor", "merged_by"), pk=pk)


@require_GET
@roles.role_required(*REVIEW_ROLES)
def candidate_list(request):
    form = CandidateFilterForm(request.GET or None)
    candidates = DuplicateCandidate.objects.filter(state=DuplicateCandidate.State.OPEN)
    if form.is_valid():
        if form.cleaned_data["later"]:
            candidates = DuplicateCandidate.objects.filter(state=DuplicateCandidate.State.LATER)
        if form.cleaned_data["level"]:
            candidates = candidates.filter(level=form.cleaned_data["level"])
    candidates = candidates.select_related("person_a__household__village", "person_b__household__village")
    page = Paginator(candidates.order_by("-score", "pk"), 25).get_page(request.GET.get("page"))
    for candidate in page:
        candidate.reason_texts = reason_labels(candidate.reasons)
    return render(request, "clients/duplicates/list.html", {
        "form": form, "page_obj": page,
        "later_count": DuplicateCandidate.objects.filter(state=DuplicateCandidate.State.LATER).count(),
    })


@require_POST
@roles.role_required(*REVIEW_ROLES)
def check_now(request):
    jobs.enqueue(duplicates_check_job)
    messages.info(request, _("The duplicate check was started. New pairs appear here when it ends."))
    return redirect("duplicates:list")


@roles.role_required(*REVIEW_ROLES)
def candidate_detail(request, pk):
    """The two records side by side; POST merges them with the values chosen."""
    candidate = get_candidate_for_user(request.user, pk)
    form = MergeForm(request.POST or None, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        try:
            merge = merging.persons_merge(candidate=candidate, survivor=form.survivor(), choices=form.choices(),
                                          user=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Merged. %(days)d days to undo it from the list of merges.")
                             % {"days": PersonMerge.UNDO_DAYS})
            return redirect("clients:person_detail", pk=merge.survivor_id)
    for person in (candidate.person_a, candidate.person_b):
        audit_record(user=request.user, action=AuditEvent.Action.VIEW_PERSON, obj=person, request=request,
                     summary="duplicate review")
    related = [
        {"label": model._meta.verbose_name_plural,
         "a": model.objects.filter(**{field: candidate.person_a}).count(),
         "b": model.objects.filter(**{field: candidate.person_b}).count()}
        for model, field in merging.moved_relations()
    ]
    return render(request, "clients/duplicates/detail.html", {
        "candidate": candidate, "form": form, "reason_texts": reason_labels(candidate.reasons),
        "related": [row for row in related if row["a"] or row["b"]],
    })


@require_POST
@roles.role_required(*REVIEW_ROLES)
def candidate_decide(request, pk):
    candidate = get_candidate_for_user(request.user, pk)
    try:
        merging.candidate_decide(candidate=candidate, state=request.POST.get("state", ""), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("duplicates:detail", pk=candidate.pk)
    if candidate.state == DuplicateCandidate.State.NOT_SAME:
        messages.success(request, _("Recorded: not the same person. This pair will not be proposed again."))
    else:
        messages.info(request, _("Put off for later."))
    return redirect("duplicates:list")


@require_GET
@roles.role_required(*REVIEW_ROLES)
def merge_list(request):
    merges = PersonMerge.objects.select_related("survivor", "merged_by", "undone_by")
    page = Paginator(merges, 25).get_page(request.GET.get("page"))
    for merge in page:
        merge.merged_name = merge.merged_record[0]["fields"]["full_name"]
    return render(request, "clients/duplicates/merges.html", {"page_obj": page, "undo_days": PersonMerge.UNDO_DAYS})


@require_POST
@roles.role_required(*REVIEW_ROLES)
def merge_undo(request, pk):
    merge = get_merge_for_user(request.user, pk)
    try:
        restored = merging.merge_undo(merge=merge, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("duplicates:merges")
    messages.success(request, _("Merge undone: %(name)s has their own record again.") % {"name": restored.full_name})
    return redirect("clients:person_detail", pk=restored.pk)
