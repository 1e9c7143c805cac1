"""Small text tests shared by the apps."""


def is_digits(text: str) -> bool:
    """Only ASCII digits: ``str.isdigit()`` also accepts "²" and "٣", which are no NIK digit."""
    return text.isascii() and text.isdigit()
