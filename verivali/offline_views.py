"""The surveyors' offline app (``verivali.offline``, docs/verivali.md "Working offline"): its two
pages (shells the service worker keeps, filled by the phone from IndexedDB), the download, the
two send endpoints, the service worker and the web app manifest."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clients.images import process_image
from pandu import roles
from pandu.audit import audit_record
from pandu.models import AuditEvent
from pandu.roles import role_required
from verivali import offline, selectors

# What the service worker keeps so that the two pages open without a connection.
SHELL_PAGES = ("verivali:offline", "verivali:offline_survey")
SHELL_ASSETS = (
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "django_htmx/htmx-2.min.js",
    "pandu/pandu.css",
    "pandu/pandu.js",
    "dexie/dexie.min.js",
    "verivali/offline-store.js",
    "verivali/offline-app.js",
    "verivali/icon-192.png",
    "verivali/icon-512.png",
)

# The pages' words, for offline-app.js (the pages are kept by the service worker in the
# language they were last opened in).
STRINGS = {
    "network_online": gettext_lazy("Connected to the office."),
    "network_offline": gettext_lazy("No connection: your work is kept on this phone and sent later."),
    "downloading": gettext_lazy("Downloading…"),
    "downloaded": gettext_lazy("{n} households downloaded."),
    "downloaded_at": gettext_lazy("Last download: {time}"),
    "nothing": gettext_lazy("Nothing is on this phone yet. With a connection, press “Download my assignments”."),
    "sending": gettext_lazy("Sending…"),
    "send_result": gettext_lazy("Sent: {sent}. Conflicts: {conflict}. Not accepted: {refused}."),
    "nothing_to_send": gettext_lazy("Nothing waits to be sent."),
    "login": gettext_lazy("Your session has ended: log in to send. Nothing on this phone is lost."),
    "login_link": gettext_lazy("Log in"),
    "network_error": gettext_lazy("No connection to the office: the work stays on this phone."),
    "server_error": gettext_lazy(
        "The office's server did not answer properly: the work stays on this phone. Try again later."),
    "state_downloaded": gettext_lazy("Not changed on this phone"),
    "state_phone": gettext_lazy("On this phone only"),
    "state_sent": gettext_lazy("Sent"),
    "state_conflict": gettext_lazy("Conflict"),
    "finished": gettext_lazy("Finished"),
    "refused": gettext_lazy("Not accepted by the office:"),
    "gone": gettext_lazy("This household is no longer assigned to you."),
    "open": gettext_lazy("Open the survey"),
    "forgotten": gettext_lazy("Sent to the office ({status}). Its data is no longer on this phone."),
    "remove": gettext_lazy("Delete from this phone"),
    "remove_confirm": gettext_lazy("Delete this household and its unsent survey and photos from this phone?"),
    "members_none": gettext_lazy("No member is recorded for this household."),
    "newborn": gettext_lazy("newborn"),
    "newborn_remove": gettext_lazy("Remove"),
    "newborn_missing": gettext_lazy("Write the newborn's name and choose the sex."),
    "photo_on_server": gettext_lazy("A photo is already at the office; a new one replaces it."),
    "photo_on_phone": gettext_lazy("Photo kept on this phone, not sent yet."),
    "location_waiting": gettext_lazy("Asking the phone for the location…"),
    "location_found": gettext_lazy("Location recorded"),
    "location_denied": gettext_lazy("Location not available (not allowed or no signal). You can still save."),
    "location_none": gettext_lazy("No location yet."),
    "saved": gettext_lazy("Saved on this phone."),
    "incomplete": gettext_lazy("Answer every question before finishing. Still open: {codes}"),
    "no_photo": gettext_lazy("Take at least one photo (house front, inside, or the family) before finishing."),
    "finished_saved": gettext_lazy("Finished and saved on this phone: it goes to the validator with the next send."),
    "not_found": gettext_lazy("This household is not on this phone. Download your assignments first."),
    "returned": gettext_lazy("Returned by the validator:"),
    "conflict_title": gettext_lazy(
        "The office's copy of this household changed after you downloaded it (now: {status}). "
        "Nothing was overwritten: choose which copy to keep."),
    "conflict_question": gettext_lazy("Question"),
    "conflict_mine": gettext_lazy("On this phone"),
    "conflict_server": gettext_lazy("At the office"),
    "conflict_notes": gettext_lazy("Notes"),
    "keep_mine": gettext_lazy("Keep mine and send again"),
    "take_servers": gettext_lazy("Take the office's copy"),
    "take_confirm": gettext_lazy(
        "The answers on this phone for this household are replaced by the office's copy, and its "
        "unsent photos are deleted. Continue?"),
    "closed_at_office": gettext_lazy(
        "The office's copy is {status}: it can no longer be changed from the phone; take the office's copy."),
    # a household found in the field, registered on the phone
    "field_new": gettext_lazy("New household found in the field"),
    "field_missing": gettext_lazy(
        "Choose the village, write the address and at least the head of the household (each member "
        "with name, relationship and sex; exactly one head)."),
    "kk_number": gettext_lazy("KK number (if the family has one)"),
    "address": gettext_lazy("Address"),
    "rt": gettext_lazy("RT"),
    "rw": gettext_lazy("RW"),
    "full_name": gettext_lazy("Full name"),
    "nik": gettext_lazy("NIK (if known)"),
    "relationship": gettext_lazy("Relationship"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Date of birth"),
    # the outcome and the members' details, with the online survey form's words
    "outcome": gettext_lazy("What did you find?"),
    "outcome_note": gettext_lazy("What you found (required when not found)"),
    "outcome_missing": gettext_lazy(
        "What did you find: fill in what the chosen outcome needs (not found: what you found; moved: the "
        "village and address, or the place outside Berau; split: a new household's KK number and head; "
        "duplicate: the other KK number)."),
    "moved_village": gettext_lazy("Moved to the village (in Berau)"),
    "moved_address": gettext_lazy("New address"),
    "moved_outside": gettext_lazy("Or: moved outside Berau, to"),
    "duplicate_kk": gettext_lazy("KK number of the household it duplicates"),
    "split_help": gettext_lazy(
        "For each new household: its KK number and head; then, for each member, the new household they "
        "leave into. At least one member stays."),
    "split_kk": gettext_lazy("KK number of new household %(n)s"),
    "split_head": gettext_lazy("Its head"),
    "split_address": gettext_lazy("Its address (empty: the same)"),
    "split_stays": gettext_lazy("stays"),
    "split_new": gettext_lazy("new household %(n)s"),
    "split_to": gettext_lazy("%(name)s: stays or leaves"),
    "member_kk": gettext_lazy("KK number of the new household"),
    "member_relationship": gettext_lazy("Relationship to its head"),
    "member_on": gettext_lazy("Date of the death or move, if known"),
    "facts": gettext_lazy("Check what the registry knows"),
    "head_education": gettext_lazy("Education of the head"),
    "head_occupation": gettext_lazy("Occupation of the head"),
    "illness": gettext_lazy("Chronic illness"),
    "disability": gettext_lazy("Disability"),
    "prefilled": gettext_lazy(
        "Questions %(numbers)s are answered from the registry. Check them with the family; change what is not so."),
}


def _scope() -> str:
    """/verivali/: the service worker controls the surveyor's pages under it."""
    return reverse("verivali:offline").rsplit("offline/", 1)[0]


def _refusal(error: ValidationError) -> JsonResponse:
    return JsonResponse({"error": " ".join(error.messages)}, status=400)


def _json_object(request) -> dict | None:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _answer_phone(receive) -> JsonResponse:
    """The phone's send stored (200 with the answer), in conflict (409 with the server's copy) or
    refused (400 with the reason)."""
    try:
        return JsonResponse(receive())
    except offline.SurveyConflict as conflict:
        return JsonResponse({"conflict": True, "server": conflict.server}, status=409)
    except ValidationError as error:
        return _refusal(error)


@role_required(roles.SURVEYOR)
def offline_list(request):
    """What is on this phone (from IndexedDB): download, send, per household its state."""
    return render(request, "verivali/offline_list.html", {"strings": STRINGS})


@role_required(roles.SURVEYOR)
def offline_survey(request):
    """One downloaded household's survey, on the phone; ``?a=<assessment>`` names it."""
    return render(request, "verivali/offline_survey.html", {"strings": STRINGS})


@require_GET
@role_required(roles.SURVEYOR)
def offline_download(request):
    data = offline.offline_assignments(request.user)
    audit_record(
        user=request.user,
        action=AuditEvent.Action.EXPORT,
        summary="verivali: assignments downloaded for offline use",
        detail={"assessments": [a["id"] for a in data["assignments"]][:500]},
        request=request,
    )
    return JsonResponse(data)


@require_POST
@role_required(roles.SURVEYOR)
def offline_send(request, pk):
    """One survey from the phone, as JSON (``verivali.offline.survey_receive``)."""
    assessment = selectors.get_assignment_for_user(request.user, pk)
    data = _json_object(request)
    if data is None:
        return _refusal(ValidationError(_("The survey sent by the phone is not complete.")))
    return _answer_phone(
        lambda: offline.survey_receive(assessment=assessment, surveyor=request.user, data=data)
    )


@require_POST
@role_required(roles.SURVEYOR)
def offline_field_household(request, pk):
    """A household found in the field, with its members and survey, from the phone, as JSON
    (``verivali.offline.field_household_receive``)."""
    batch = selectors.get_batch_for_surveyor(request.user, pk)
    data = _json_object(request)
    if data is None:
        return _refusal(ValidationError(_("The household sent by the phone is not complete.")))
    return _answer_phone(
        lambda: offline.field_household_receive(batch=batch, surveyor=request.user, data=data)
    )


@require_POST
@role_required(roles.SURVEYOR)
def offline_photo(request, pk):
    """One survey photo from the phone (multipart: uuid, kind, base_version, image)."""
    assessment = selectors.get_assignment_for_user(request.user, pk)
    upload = request.FILES.get("image")
    if upload is None:
        return _refusal(ValidationError(_("No photo was sent.")))
    return _answer_phone(lambda: offline.photo_receive(
        assessment=assessment,
        surveyor=request.user,
        uuid=request.POST.get("uuid"),
        kind=request.POST.get("kind", ""),
        base_version=request.POST.get("base_version"),
        processed=process_image(upload),
    ))


@require_GET
def service_worker(request):
    """The service worker, served under /verivali/ so that its scope covers the surveyor's
    pages. Public: it holds addresses of pages and static files, no data. Its text changes with
    the files it keeps, so browsers install the new one."""
    pages = [reverse(name) for name in SHELL_PAGES]
    assets = [static(path) for path in SHELL_ASSETS]
    version = hashlib.sha256(json.dumps([pages, assets]).encode()).hexdigest()[:12]
    body = render_to_string(
        "verivali/sw.js",
        {
            "version": version,
            "pages": json.dumps(pages),
            "assets": json.dumps(assets),
            "fallback": json.dumps(pages[0]),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = _scope()
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The web app manifest: installs the offline surveys as an app (Android Chrome first)."""
    start = reverse("verivali:offline")
    data = {
        "name": _("Pandu verivali surveys"),
        "short_name": _("Verivali"),
        "description": _("Household surveys that work without a connection."),
        "lang": request.LANGUAGE_CODE,
        "start_url": start,
        "scope": _scope(),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": static(f"verivali/icon-{size}.png"), "sizes": f"{size}x{size}",
             "type": "image/png", "purpose": "any maskable"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
