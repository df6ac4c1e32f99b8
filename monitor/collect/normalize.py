"""Turning parser output into stored entries: sanitised HTML, plain text, keys, hashes.

Feed content is untrusted. Display HTML keeps a small set of harmless tags and only
http(s)/mailto links; scripts, styles, event handlers, images and ``javascript:``
URLs never survive. Everything here is pure.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

from monitor.collect.model import NormalizedEntry, RawEntry

MAX_TITLE = 1_000
MAX_HTML = 100_000
MAX_TEXT = 20_000

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan"},
    "th": {"colspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|pre|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
_SIMPLE_URL = re.compile(r"^(?:http|https)://[a-z0-9.-]+(?:/[^?#\s]*)?(?:\?[^#\s]+)?$")
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|_ga|igshid)$", re.I
)
_TRACKING_IN_QUERY = re.compile(
    r"[?&](?:utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|_ga|igshid)=", re.I
)


_DISPLAY_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_TEXT_CLEANER = nh3.Cleaner(tags={"p", "br"}, attributes={}, strip_comments=True)


def sanitize_html(value: str) -> str:
    return _DISPLAY_CLEANER.clean(value[: MAX_HTML * 2])[:MAX_HTML]


def html_to_text(value: str) -> str:
    """Plain text of untrusted HTML (script and style content dropped)."""
    return sanitized_html_to_text(_TEXT_CLEANER.clean(value))


def sanitized_html_to_text(value: str) -> str:
    """Plain text of HTML that came out of nh3, where every ``<`` starts a real tag."""
    spaced = _BLOCK_TAG.sub(" ", value)
    return collapse(html.unescape(_TAG.sub("", spaced)))


def collapse(value: str) -> str:
    return " ".join(value.split())


def text_of(value: str | None, content_type: str) -> str:
    if not value:
        return ""
    if "html" in content_type:
        return html_to_text(value)
    return collapse(value)


def html_of(value: str | None, content_type: str) -> str:
    if not value:
        return ""
    if "html" in content_type:
        return sanitize_html(value)
    return "<p>" + html.escape(collapse(value)) + "</p>"


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.

    Only http(s) links are kept: a feed's ``javascript:`` or ``data:`` link is dropped
    here, so no later stage (briefing, exports) can pass it on.
    """
    if not url:
        return None
    url = url.strip()
    if _SIMPLE_URL.match(url) and not _has_tracking(url):
        return url if url.count("/") > 2 else url + "/"
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if (parts.scheme.lower(), port) in (("http", 80), ("https", 443)):
        port = None
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = parts.query
    if _has_tracking(url):
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not TRACKING_PARAMS.match(k)
            ]
        )
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def _has_tracking(url: str) -> bool:
    return "?" in url and bool(_TRACKING_IN_QUERY.search(url))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def entry_key(guid: str | None, url: str | None, title: str, published: datetime | None) -> str:
    """The entry's stable identity inside its feed: id, else link, else title + date."""
    if guid:
        return "id:" + _digest(guid)[:40]
    if url:
        return "url:" + _digest(url)[:40]
    stamp = published.isoformat() if published else ""
    return "th:" + _digest(f"{title}\x00{stamp}")[:40]


def content_hash(*fields: object) -> str:
    return _digest("\x1f".join("" if f is None else str(f) for f in fields))


def language_hint(value: str | None) -> str | None:
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def normalize_entry(raw: RawEntry, feed_language: str | None) -> NormalizedEntry:
    title = text_of(raw.title, raw.title_type)[:MAX_TITLE]
    summary_html = html_of(raw.summary, raw.summary_type)
    summary_text = sanitized_html_to_text(summary_html)[:MAX_TEXT]
    url = canonical_url(raw.link)
    guid = collapse(raw.id) if raw.id else None
    published = raw.published or raw.updated
    author = collapse(raw.author)[:300] if raw.author else None
    key = entry_key(guid, url, title, published)
    digest = content_hash(title, url, summary_html, author, published)
    return NormalizedEntry(
        key=key,
        guid=guid,
        url=url,
        title=title,
        summary_html=summary_html,
        summary_text=summary_text,
        author=author or None,
        published_at=published,
        lang_hint=language_hint(feed_language),
        content_hash=digest,
    )


def normalize_entries(
    entries: list[RawEntry], feed_language: str | None, limit: int
) -> tuple[list[NormalizedEntry], int]:
    """Normalised entries in document order, first occurrence of each key kept.

    Returns the entries and how many duplicates inside the feed were dropped.
    """
    seen: set[str] = set()
    result: list[NormalizedEntry] = []
    duplicates = 0
    for raw in entries[:limit]:
        entry = normalize_entry(raw, feed_language)
        if entry.key in seen:
            duplicates += 1
            continue
        seen.add(entry.key)
        result.append(entry)
    return result, duplicates
