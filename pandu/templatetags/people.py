"""How a user is named on a page: full name, else username; nothing for no user.

A built-in filter (settings.TEMPLATES): ``{{ event.actor|user_name|default:_("System") }}``.
Written as ``user.get_full_name|default:user.username`` a template fails when the user is
missing (a system event, a deleted account): a filter's argument is not forgiven like a
variable is, and the page answered with a server error.
"""

from django import template

register = template.Library()


@register.filter
def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
