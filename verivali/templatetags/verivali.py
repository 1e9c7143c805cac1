from django import template

from verivali import selectors

register = template.Library()

STATUS_COLOURS = {
    "unassigned": "light text-dark border",
    "assigned": "secondary",
    "draft": "info text-dark",
    "submitted": "primary",
    "returned": "warning text-dark",
    "validated": "success",
    "approved": "dark",
    "active": "primary",
}
CLASS_COLOURS = {
    "very_poor": "danger",
    "poor": "warning text-dark",
    "near_poor": "info text-dark",
    "not_poor": "success",
}


@register.filter
def status_colour(value: str) -> str:
    return STATUS_COLOURS.get(value, "secondary")


@register.filter
def class_colour(value: str) -> str:
    return CLASS_COLOURS.get(value, "secondary")


@register.simple_tag
def verivali_home_counts(user) -> dict:
    return selectors.home_counts(user)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


OUTCOME_COLOURS = {
    "found": "success",
    "not_found": "danger",
    "moved": "warning text-dark",
    "split": "info text-dark",
    "duplicate": "secondary",
}


@register.filter
def outcome_colour(value: str) -> str:
    return OUTCOME_COLOURS.get(value, "secondary")
