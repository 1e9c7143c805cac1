from django.utils.functional import SimpleLazyObject, lazy

from pandu import roles
from pandu.identity import office_identity
from pandu.navigation import nav_for


def office(request):
    user = getattr(request, "user", None)
    my_roles = roles.user_roles(user) if user is not None else frozenset()
    identity = SimpleLazyObject(office_identity)  # read once, on the first page that shows it
    return {
        "office": identity,
        "OFFICE_NAME": lazy(lambda: identity.name, str)(),
        "nav_items": nav_for(user) if my_roles else [],
        "my_roles": my_roles,
        "my_role_labels": [roles.ROLE_LABELS[name] for name in roles.ALL_ROLES if name in my_roles],
    }
