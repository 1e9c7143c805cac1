"""Walk the pages a signed-in user reaches, as a person clicking would: GET every link.

Starting from the home page, every same-origin ``<a href>`` of every HTML page is followed
with Django's test client (no POST, no form submitted). What the walk records per URL is
the status code; a server error, and a link shown to the user that answers "forbidden" or
"not found", are the failures the caller asserts on.

Long lists of the same page (a thousand person pages) are sampled: at most ``per_route``
URLs of one route are visited, in the order the links were found; of one route's filtered or
sorted variants (a query string) at most ``per_query``, and of a route that answers with a
file (a PDF letter, a photo) at most ``per_file``. The walk stays seconds per role while
every kind of page and the objects the first pages link to are seen.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Never followed: leaving the session, changing the language (a POST form anyway), files.
SKIPPED_PREFIXES = ("/accounts/logout/", "/i18n/", "/static/", "/health/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """The same-origin paths (with their query) an HTML page links to."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def route_of(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or match.route)


@dataclass
class Walk:
    statuses: dict[str, int] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)

    def failures(self, *, broken_links: bool = True) -> list[str]:
        bad = []
        for url, status in self.statuses.items():
            if status >= 500 or (broken_links and status in (403, 404)):
                bad.append(f"{status} {url} (linked from {self.found_on.get(url, '-')})")
        return bad

    def routes(self) -> set[str]:
        return {route_of(url) for url in self.statuses}


def walk(
    client, start: str = "/", *, per_route: int = 25, per_query: int = 3, per_file: int = 3, limit: int = 3000
) -> Walk:
    """GET ``start`` and everything it links to, breadth first, with ``client``'s session."""
    result = Walk()
    queue: deque[str] = deque([start])
    seen = {start}
    counts: Counter[tuple[str, object]] = Counter()
    file_routes: set[str] = set()
    while queue and len(result.statuses) < limit:
        url = queue.popleft()
        route = route_of(url)
        if route in file_routes and counts[(route, "file")] >= per_file:
            continue
        response = client.get(url)
        result.statuses[url] = response.status_code
        if response.status_code == 200 and not response.get("Content-Type", "").startswith("text/html"):
            file_routes.add(route)
            counts[(route, "file")] += 1
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(response["Location"])
            url_next = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc in ("", "testserver") and url_next not in seen:
                seen.add(url_next)
                result.found_on[url_next] = url
                queue.append(url_next)
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if getattr(response, "streaming", False):
            continue
        for link in links(response.content.decode(), url):
            if link in seen or link.startswith(SKIPPED_PREFIXES):
                continue
            seen.add(link)
            route, filtered = route_of(link), "?" in link
            if counts[(route, filtered)] >= (per_query if filtered else per_route):
                continue
            counts[(route, filtered)] += 1
            result.found_on[link] = url
            queue.append(link)
    return result
