"""PDF rendering with WeasyPrint that never reaches the network or the disk: a document
may embed only data: URLs (QR codes, logos); its CSS is inline in the template."""

from __future__ import annotations


def _url_fetcher(url: str, *args, **kwargs):
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url)
    raise ValueError(f"PDF resources are limited to data: URLs, not {url!r}")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="data:", url_fetcher=_url_fetcher).write_pdf()
