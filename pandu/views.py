from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pandu import replica
from pandu.identity import office_identity


@require_GET
@never_cache
def health(request):
    """200 when the database answers, 503 when it does not. For the load balancer. With a replica
    configured, its state too: a replica that lags or is down leaves the server serving (its
    reports read from the primary), "degraded" says so."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    if not replica.configured():
        return JsonResponse({"status": "ok", "database": "ok"})
    state = replica.replica_state(fresh=True)
    return JsonResponse({"status": "ok" if state.usable else "degraded", "database": "ok",
                         "replica": state.as_dict()})


@require_GET
def office_logo(request):
    """The letterhead logo, for the login page: public (the regency's emblem), a PNG Pandu
    re-encoded itself (pandu.office.admin), never sniffed as anything else. Its URL carries the
    version, so browsers keep it a day."""
    logo = office_identity().logo
    if not logo:
        raise Http404
    try:
        handle = logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
