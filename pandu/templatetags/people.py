"""How a user is named on a page: full name, else username; nothing for no user. And the
regency a NIK or KK number comes from, when it is not the office's (``other_regency``).

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


@register.filter
def other_regency(number, office) -> str:
    """The regency ("64.02") a NIK or KK number was issued in when it is not the office's, else
    "": residents of other regencies are served and marked, never refused."""
    digits = getattr(office, "regency_digits", "")
    if not number or not digits or len(str(number)) < 4 or str(number)[:4] == digits:
        return ""
    return f"{str(number)[:2]}.{str(number)[2:4]}"
