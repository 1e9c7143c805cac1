"""``{% family_programmes person household as programmes %}``: what the family receives today,
for the person and household pages and the person card of the referral pages."""

from django import template

from clients.programmes import family_programmes as _family_programmes

register = template.Library()


@register.simple_tag
def family_programmes(person=None, household=None):
    person, household = person or None, household or None  # an unset template variable is ""
    return list(_family_programmes(household=household or getattr(person, "household", None), person=person))


@register.simple_tag
def family_programme_codes(person=None):
    """Each programme the family receives today once (the person card's badges)."""
    return sorted({item.programme.code for item in family_programmes(person)})
