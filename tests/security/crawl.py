"""A small same-site crawler for the security sweeps: from the home page, follow every link a
persona sees (GET only), so a new page is swept without anyone adding it to a list."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

# Not pages: leaving, switching language, the Django admin, the API (swept separately), and
# downloads that are not HTML.
SKIP = re.compile(r"^/(accounts/logout|i18n/|django-admin/|api/|static/|media/)|/export/$")
# At most this many URLs of one shape (digits replaced): /ideas/1/ and /ideas/2/ are the same
# template; visiting a few of each keeps the sweep quick without losing a page.
PER_SHAPE = 2


class PageParser(HTMLParser):
    """Collects links, scripts, event-handler and style attributes of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.inline_scripts: list[str] = []  # <script> without src that is not JSON data
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self.javascript_urls: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.styles.append(f"<{tag} style={value!r}>")
            url = (value or "").strip().lower().replace("\t", "")
            if name in ("href", "src", "action", "formaction", "xlink:href") and \
                    url.startswith(("javascript:", "data:text")):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and not attrs.get("src"):
            if attrs.get("type") != "application/json":
                self._in_inline_script = True
                self.inline_scripts.append("")

    def handle_data(self, data):
        if self._in_inline_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@dataclass
class Page:
    url: str
    status: int
    response: object
    html: str = ""
    parsed: PageParser | None = None


@dataclass
class Crawl:
    pages: list[Page] = field(default_factory=list)

    @property
    def html_pages(self) -> list[Page]:
        return [p for p in self.pages if p.parsed is not None]

    def paths(self) -> set[str]:
        return {urlsplit(p.url).path for p in self.html_pages}


def shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


def crawl(client, start: list[str], *, limit: int = 400) -> Crawl:
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque(start)
    result = Crawl()
    while queue and len(result.pages) < limit:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or SKIP.match(parts.path):
            continue
        if url in seen:
            continue
        seen.add(url)
        key = shape(url) + ("?" if parts.query else "")
        if shapes.get(key, 0) >= PER_SHAPE:
            continue
        shapes[key] = shapes.get(key, 0) + 1
        response = client.get(url)
        page = Page(url=url, status=response.status_code, response=response)
        result.pages.append(page)
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
            queue.append(response["Location"])
        content_type = response.get("Content-Type", "")
        if getattr(response, "streaming", False):
            # A download linked from a page: read now, while the sweep's transaction lives. A
            # streamed export holds a server-side cursor; closed when the generator is
            # collected, after the rollback, it fails (PostgreSQL: "named cursor isn't valid").
            b"".join(response.streaming_content)
        elif response.status_code == 200 and content_type.startswith("text/html"):
            page.html = response.content.decode()
            page.parsed = parse(page.html)
            queue.extend(page.parsed.links)
    return result
