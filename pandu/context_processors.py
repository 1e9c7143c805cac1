from django.conf import settings

from pandu import roles
from pandu.navigation import nav_for


def office(request):
    user = getattr(request, "user", None)
    my_roles = roles.user_roles(user) if user is not None else frozenset()
    return {
        "OFFICE_NAME": settings.OFFICE_NAME,
        "nav_items": nav_for(user) if my_roles else [],
        "my_roles": my_roles,
        "my_role_labels": [roles.ROLE_LABELS[name] for name in roles.ALL_ROLES if name in my_roles],
    }
