"""Rendering a :class:`Briefing` with the Jinja2 templates in ``reports/``.

Formats: self-contained HTML (inline CSS and SVG, a content-security policy that
forbids every external request), PDF (the same HTML through WeasyPrint, with a
running header and page numbers, and a URL fetcher that fetches nothing), Markdown
and plain text. Templates never query: they only read the briefing model.

Feed text is untrusted everywhere: HTML autoescapes it; Markdown escapes every
character that could become markup or a link (:func:`markdown_text`); plain text drops control characters.
Only http(s) links survive.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from monitor.brief.i18n import Localizer
from monitor.brief.model import Briefing, Source
from monitor.errors import MonitorError
from monitor.resources import reports_dir
from monitor.weburl import web_url

FORMATS = ("html", "pdf", "md", "txt")
LEVEL_COLORS = ("#9aa3ad", "#2e7d32", "#c99a06", "#d4661a", "#b3261e")
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+=-])|(\d+)([.)]))")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_SPARK = "▁▂▃▄▅▆▇█"


def css_string(value: str) -> Markup:
    """Text safe inside a double-quoted CSS string in a <style> element.

    Quotes, backslashes, angle brackets and line breaks are removed, so the value can
    neither end the string nor the element; what is left needs no HTML escaping.
    """
    return Markup(re.sub(r'["\\\n\r<>]', " ", str(value)))


def plain(value: Any) -> str:
    return _CONTROL.sub("", str(value))


def markdown_text(value: Any) -> str:
    """Feed or system text as inert Markdown, on one line.

    Inline markup characters are escaped everywhere (with ``[`` and ``]`` escaped no
    link or image can form, and with ``<`` encoded no autolink or HTML); block markers
    (headings, lists, quotes) only where the text could start a line.
    """
    text = plain(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text).replace("\n", " ").replace("\r", " ")
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, digits, delimiter = match.groups()
    if marker:
        return f"{indent}\\{marker}"
    return f"{indent}{digits}\\{delimiter}"


def markdown_link(source: Source) -> str:
    name = markdown_text(source.name)
    url = web_url(source.url)
    if url:
        url = (
            url.replace("(", "%28")
            .replace(")", "%29")
            .replace(" ", "%20")
            .replace("<", "%3C")
            .replace(">", "%3E")
        )
        return f"[{name}]({url})"
    return name


def sparkline(values: list[float], levels: list[int]) -> Markup:
    """A 30-day trend as an inline SVG (numbers only: nothing from feeds gets in)."""
    width, height = 96, 18
    top = max(max(values, default=0.0), 0.5)
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    color = LEVEL_COLORS[max(0, min(4, levels[-1] if levels else 0))]
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="30-day trend"><polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"/>'
        f'<circle cx="{(len(values) - 1) * step:.1f}" cy="{height - 2 - ((values[-1] if values else 0) / top) * (height - 4):.1f}" '
        f'r="2" fill="{color}"/></svg>'
    )


def text_sparkline(values: list[float]) -> str:
    top = max(max(values, default=0.0), 0.5)
    return "".join(_SPARK[min(len(_SPARK) - 1, int(v / top * (len(_SPARK) - 1)))] for v in values)


@cache
def environment(lang: str) -> Environment:
    loc = Localizer(lang)
    env = Environment(
        loader=FileSystemLoader(str(reports_dir())),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".css.j2")),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(loc._t, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        day=lambda value, fmt="long": loc.day(value, fmt),
        moment=loc.moment,
        css_string=css_string,
        sparkline=sparkline,
        textspark=text_sparkline,
        md=markdown_text,
        mdlink=markdown_link,
        plain=plain,
        web_url=web_url,
    )
    return env


def render_text(briefing: Briefing, fmt: str) -> str:
    if fmt not in ("html", "md", "txt"):
        raise MonitorError(f"unknown text format {fmt!r}")
    env = environment(briefing.lang)
    loc = Localizer(briefing.lang)
    header = f"{briefing.title} · {loc.day(briefing.date, 'medium')}"
    return env.get_template(f"briefing.{fmt}.j2").render(b=briefing, header_right=header)


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"the briefing PDF makes no external requests (refused {url[:80]!r})")


def render_pdf(briefing: Briefing) -> bytes:
    from weasyprint import HTML

    document = HTML(string=render_text(briefing, "html"), url_fetcher=_no_fetch, base_url=None)
    return document.write_pdf()


def render(briefing: Briefing, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise MonitorError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    if fmt == "pdf":
        return render_pdf(briefing)
    return render_text(briefing, fmt).encode("utf-8")


__all__ = ["FORMATS", "render", "render_pdf", "render_text"]
