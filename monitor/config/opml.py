"""OPML import and export of watched feeds.

Import is tolerant: every outline is judged on its own, bad ones are reported with the
reason, and the good ones are added; categories (the enclosing outlines and the
``category`` attribute) become tags.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from monitor.config.schema import FeedConfig, check_url

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


@dataclass(frozen=True)
class OpmlEntry:
    url: str
    title: str | None
    tags: list[str]
    language: str | None = None


@dataclass
class OpmlParseResult:
    entries: list[OpmlEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class OpmlError(ValueError):
    pass


def _tag_from(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[,/]", text) if p.strip()]
    return [slugify(p) for p in parts if slugify(p)]


def slugify(text: str, max_length: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:max_length].strip("-")


def parse_opml(data: bytes) -> OpmlParseResult:
    try:
        root = etree.fromstring(data, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, expected <opml>")
    body = root.find("body")
    if body is None:
        raise OpmlError("no <body> element")
    result = OpmlParseResult()
    position = 0

    def walk(node: etree._Element, categories: list[str]) -> None:
        nonlocal position
        for outline in node.iterfind("outline"):
            position += 1
            label = outline.get("title") or outline.get("text") or ""
            url = outline.get("xmlUrl") or outline.get("xmlurl")
            if url is None:
                if len(outline):
                    walk(outline, [*categories, *_tag_from(label)])
                elif label:
                    result.problems.append(f"outline {position} ({label!r}): no xmlUrl")
                continue
            try:
                url = check_url(url)
            except ValueError as exc:
                result.problems.append(f"outline {position} ({label or url!r}): {exc}")
                continue
            tags = [*categories, *_tag_from(outline.get("category") or "")]
            language = (outline.get("language") or "").split("-")[0].lower() or None
            result.entries.append(
                OpmlEntry(url=url, title=label or None, tags=sorted(set(tags)), language=language)
            )

    walk(body, [])
    return result


def render_opml(feeds: list[FeedConfig], title: str = "Focal-point monitor feeds") -> str:
    created = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{escape(title)}</title><dateCreated>{created}</dateCreated></head>",
        "  <body>",
    ]
    for feed in feeds:
        attrs = {
            "type": "rss",
            "text": feed.display_title,
            "title": feed.display_title,
            "xmlUrl": feed.url,
        }
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        if feed.language:
            attrs["language"] = feed.language
        rendered = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
        lines.append(f"    <outline {rendered}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
