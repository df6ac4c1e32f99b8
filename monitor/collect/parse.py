"""Parsing feed documents into :class:`RawEntry` lists.

feedparser is the reference. :mod:`monitor.collect.fastparse` handles the common,
plain RSS 2.0 and Atom 1.0 documents much faster and declines anything it is not sure
to read exactly as feedparser would; declined documents go to feedparser. Parsing
never raises: a document nothing can read becomes a :class:`ParseFailure`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.collect import fastparse
from monitor.collect.model import ParsedFeed, RawEntry

# feedparser must never go to the network or the file system on our behalf.
feedparser.RESOLVE_RELATIVE_URIS = False
feedparser.SANITIZE_HTML = False


class ParseFailure(Exception):
    """The body is not a feed that any parser can read."""


def parse_document(
    body: bytes, url: str, content_type: str | None = None, *, use_fast: bool = True
) -> ParsedFeed:
    if use_fast:
        fast = fastparse.parse(body, url, content_type)
        if fast is not None:
            return fast
    return parse_with_feedparser(body, url, content_type)


def _struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _detail_type(entry: Any, key: str, default: str) -> str:
    detail = entry.get(f"{key}_detail")
    if detail and detail.get("type"):
        return str(detail["type"])
    return default


def _summary_of(entry: Any) -> tuple[str | None, str]:
    summary = entry.get("summary")
    if summary is not None:
        detail = entry.get("summary_detail")
        if detail and detail.get("type"):
            return summary, str(detail["type"])
        content = entry.get("content") or []
        if content and content[0].get("value") == summary:
            return summary, str(content[0].get("type") or "text/html")
        return summary, "text/html"
    content = entry.get("content") or []
    for part in content:
        if part.get("value"):
            return part["value"], str(part.get("type") or "text/html")
    return None, "text/html"


def parse_with_feedparser(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        result = feedparser.parse(
            body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser is third-party code fed untrusted bytes
        raise ParseFailure(f"feedparser failed: {type(exc).__name__}: {exc}") from exc
    entries = []
    for entry in result.entries:
        summary, summary_type = _summary_of(entry)
        entries.append(
            RawEntry(
                id=entry.get("id") or None,
                link=entry.get("link") or None,
                title=entry.get("title"),
                title_type=_detail_type(entry, "title", "text/plain"),
                summary=summary,
                summary_type=summary_type,
                author=entry.get("author") or None,
                # dict.get: FeedParserDict.get would map a missing published to updated
                published=_struct_to_datetime(dict.get(entry, "published_parsed")),
                updated=_struct_to_datetime(dict.get(entry, "updated_parsed")),
            )
        )
    bozo_message = str(result.get("bozo_exception")) if result.get("bozo") else None
    if not entries and result.get("bozo") and not result.get("version"):
        raise ParseFailure(f"not a feed: {bozo_message or 'no entries and no feed format found'}")
    feed = result.get("feed", {})
    return ParsedFeed(
        title=feed.get("title"),
        language=feed.get("language"),
        entries=entries,
        parser="feedparser",
        bozo=bool(result.get("bozo")),
        bozo_message=bozo_message,
        version=result.get("version") or None,
    )
