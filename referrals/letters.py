"""Printable letters (referral, recommendation) as PDF, rendered offline by ``pandu.pdf``.

Letters are official documents: always in Indonesian, with the office's letterhead.
"""

from __future__ import annotations

import segno
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from pandu.identity import office_identity
from pandu.pdf import render_pdf as render_html_to_pdf


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def initials(full_name: str) -> str:
    return ".".join(part[0].upper() for part in full_name.split() if part[:1].isalpha()) + "."


def render_pdf(template: str, context: dict) -> bytes:
    """Render a letter template in Indonesian (letters are official documents), on the office's
    letterhead (``pandu.identity``: its name, logo, head), to PDF bytes."""
    office = office_identity()
    with translation.override("id"):
        html = render_to_string(template, {**context, "office": office, "logo": office.logo_data_uri()})
    return render_html_to_pdf(html)


def pdf_response(data: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def referral_letter_pdf(referral, *, verify_url: str) -> bytes:
    """The referral letter (the office's page and the agencies' API print the same one)."""
    person = referral.case.person
    return render_pdf(
        "referrals/letter.html",
        {
            "referral": referral,
            "case": referral.case,
            "person": person,
            "household": person.household,
            "qr": qr_data_uri(verify_url),
            "verify_url": verify_url,
            "return_qr": qr_data_uri(referral.return_code),
        },
    )


def referral_letter_filename(referral) -> str:
    return f"rujukan-{referral.year}-{referral.sequence:04d}.pdf"
