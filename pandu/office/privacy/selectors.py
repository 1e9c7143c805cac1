"""Reads of the data subject request: may this person be anonymised now, and their corrections."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from clients.models import Complaint, Person, RegistryStatus
from clients.proposals import proposals_not_exported
from desks.models import Ticket
from pandu import roles
from pandu.models import AuditEvent
from referrals.models import Recommendation, Referral
from verivali.models import Batch

DATA_REQUEST_ROLES = (roles.HEAD, roles.ADMIN)


def _listed(items) -> str:
    return ", ".join(str(item) for item in items)


def anonymisation_refusals(person: Person) -> list[str]:
    """Why the office may not anonymise this person now; empty when it may.

    The law allows erasure except where the data is still needed for the state's own tasks
    (UU 27/2022 art. 15: public interest in state administration): a service in progress, a
    decision pending, a verivali batch that ends in a decree, a proposal the national registry
    has not received yet, and the poor-household registry that a household's assistance rests
    on. Each reason says what must happen first.
    """

    if person.is_anonymised:
        return [_("This person was already anonymised on %(date)s.")
                % {"date": date_format(localtime(person.anonymised_at), "j F Y")}]
    reasons = []
    referrals = Referral.objects.filter(
        case__person=person, status__in=(*Referral.OPEN_STATUSES, Referral.Status.WAITING)
    ).order_by("pk").values_list("number", flat=True)
    if referrals:
        reasons.append(_("Referral %(numbers)s is not finished: the provider still needs to know who the person "
                         "is. Wait for the outcome, or cancel it.") % {"numbers": _listed(referrals)})
    if Recommendation.objects.filter(person=person, status=Recommendation.Status.REQUESTED).exists():
        reasons.append(_("A recommendation request for this person is waiting for the head's decision: decide "
                         "it first."))
    tickets = Ticket.objects.filter(person=person, status__in=Ticket.OPEN_STATUSES).values_list("number", flat=True)
    if tickets:
        reasons.append(_("The person's visit %(numbers)s is still in the queue: finish it first.")
                       % {"numbers": _listed(tickets)})
    complaints = Complaint.objects.filter(person=person).exclude(status__in=Complaint.CLOSED_STATUSES)
    if complaints.exists():
        reasons.append(_("Complaint %(numbers)s about the person is still open: resolve or reject it first.")
                       % {"numbers": _listed(complaints.order_by("pk").values_list("number", flat=True))})
    proposals = proposals_not_exported(person)
    if proposals:
        reasons.append(_("The proposal to the national registry %(proposals)s has not been exported yet: the "
                         "ministry needs the person's NIK and name to act on it. The data desk exports the "
                         "month's proposals first.") % {"proposals": _listed(proposals)})
    household = person.household
    if household is None:
        return reasons
    batches = Batch.objects.filter(assessments__household=household).exclude(status=Batch.Status.APPROVED)
    if batches.exists():
        reasons.append(_("The household is in verivali batch %(batches)s, which is not approved yet: the survey "
                         "leads to a Bupati decree. Anonymise after the decree.")
                       % {"batches": _listed(batches.distinct().order_by("pk").values_list("code", flat=True))})
    registry = (RegistryStatus.LISTED, RegistryStatus.IN_VERIFICATION)
    if household.registry_status in registry and person.life_status == Person.LifeStatus.ACTIVE:
        reasons.append(_("The person lives in a household that is “%(status)s” in the poor-household database, on "
                         "which the household's assistance rests. The data desk first records that the person "
                         "moved away or died, or the household leaves the registry.")
                       % {"status": household.get_registry_status_display()})
    return reasons


def person_corrections(person: Person, *, limit: int = 10) -> list[AuditEvent]:
    """The latest corrections made at the person's request (their audit events), each with
    ``field_labels``: the corrected fields as the form names them."""
    labels = {field.name: field.verbose_name for field in Person._meta.get_fields() if hasattr(field, "verbose_name")}
    events = list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CORRECT, object_type=Person._meta.label_lower, object_id=str(person.pk)
        ).order_by("-at", "-pk")[:limit]
    )
    for event in events:
        event.field_labels = [str(labels.get(name, name)) for name in event.detail.get("fields", [])]
    return events
