"""The office's pages composed from every app: each role's home."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pandu import roles
from pandu.office.selectors import home_context


@login_required
def home(request):
    """Each role's starting page: what is waiting for it and what to do next."""
    context = home_context(request.user)
    context["role_sections"] = [name for name in roles.ALL_ROLES if name in roles.user_roles(request.user)]
    return render(request, "pandu/home.html", context)
