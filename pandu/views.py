from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pandu import roles
from pandu.selectors import home_context


@require_GET
@never_cache
def health(request):
    """200 when the database answers, 503 when it does not. For the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    """Each role's starting page: what is waiting for it and what to do next."""
    context = home_context(request.user)
    context["role_sections"] = [name for name in roles.ALL_ROLES if name in roles.user_roles(request.user)]
    return render(request, "pandu/home.html", context)
