"""How the monthly report writes a figure: thousands separated as the language writes them,
rupiah with "Rp", a median with one decimal, a share with "%", and "–" where there is none
(a median of no completed referral, a month before the archive began)."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def figure(value, kind: str = "") -> str:
    if value is None:
        return "–"
    if kind == "median_days":
        return floatformat(value, 1)
    if kind == "rupiah":
        return f"Rp {intcomma(value)}"
    if kind == "sla_pct":
        return f"{intcomma(value)} %"
    return intcomma(value)
