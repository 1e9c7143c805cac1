"""Printable letters (referral, recommendation) as PDF with WeasyPrint, fully offline.

WeasyPrint may fetch only ``data:`` URLs: anything else (http, file, a typo in a template)
is refused, so a letter never waits on a network the office does not have.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, URLFetcher


def offline_url_fetcher() -> URLFetcher:
    """A fetcher that only opens ``data:`` URLs: no http, no file, no redirect."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def initials(full_name: str) -> str:
    return ".".join(part[0].upper() for part in full_name.split() if part[:1].isalpha()) + "."


def render_pdf(template: str, context: dict) -> bytes:
    """Render a letter template in Indonesian (letters are official documents) to PDF bytes."""
    with translation.override("id"):
        html = render_to_string(
            template,
            {
                **context,
                "OFFICE_NAME": settings.OFFICE_NAME,
                "OFFICE_ADDRESS": settings.OFFICE_ADDRESS,
            },
        )
    return HTML(string=html, url_fetcher=offline_url_fetcher(), base_url=None).write_pdf()


def pdf_response(data: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response
