"""PDF rendering with WeasyPrint that never reaches the network or the disk: a document
may embed only data: URLs (QR codes, logos); its CSS is inline in the template."""

from __future__ import annotations


def offline_url_fetcher():
    """A fetcher that opens only ``data:`` URLs: no http(s), no file, no redirect."""
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="data:", url_fetcher=offline_url_fetcher()).write_pdf()
