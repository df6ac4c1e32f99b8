"""Alert exports: JSON, CSV, CAP 1.2 and Atom, from :class:`AlertRecord` lists.

- JSON: a list of objects (id, country, rule, severity, status, date, risk_factors,
  reason, stories with item titles, links and sources, history).
- CSV: one row per alert, ISO dates, UTF-8 (optionally with a byte-order mark so
  spreadsheet programs detect the encoding); multi-valued fields joined with "; ".
- CAP 1.2: one ``alert`` document per alert (OASIS Common Alerting Protocol,
  urn:oasis:names:tc:emergency:cap:1.2); an alert updated since it was raised is an
  ``Update`` that references its previous version; a dismissed alert is a ``Cancel``.
- Atom: a feed of alerts a feed reader can subscribe to.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from lxml import etree
from lxml.builder import ElementMaker

from monitor import __version__
from monitor.export.records import AlertRecord
from monitor.taxonomy import load_taxonomy

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_SEVERITY = {"critical": "Extreme", "high": "Severe", "medium": "Moderate", "low": "Minor"}
CAP_URGENCY = {"critical": "Immediate", "high": "Expected", "medium": "Future", "low": "Unknown"}
DISCLAIMER = (
    "Risk monitoring based on open sources and the UN Framework of Analysis for Atrocity Crimes; "
    "not a legal determination."
)


def to_json(records: list[AlertRecord]) -> str:
    return json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = [
    "id",
    "date",
    "last_date",
    "country",
    "country_name",
    "rule",
    "severity",
    "status",
    "risk_factors",
    "title",
    "reason",
    "stories",
    "sources",
    "links",
    "assignee",
    "version",
    "updated_at",
]


def to_csv(records: list[AlertRecord], bom: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow(
            [
                r.id,
                r.date,
                r.last_date,
                r.country or "",
                r.country_name or "",
                r.rule,
                r.severity,
                r.status,
                "; ".join(r.risk_factors),
                _cell(r.title),
                _cell(r.reason),
                len(r.stories),
                "; ".join(r.sources),
                "; ".join(r.links[:20]),
                r.assignee or "",
                r.version,
                r.updated_at,
            ]
        )
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _cell(value: str) -> str:
    """Stop spreadsheets from executing feed-supplied text as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def cap_time(value: datetime | str) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def _identifier(sender: str, alert_id: int, version: int) -> str:
    return f"{sender}.alert.{alert_id}.v{version}"


def _version_times(record: AlertRecord) -> dict[int, str]:
    times = {}
    for event in record.history:
        if event.action in ("raised", "worsened") and event.after:
            times[int(event.after.get("version", 1))] = event.at
    times.setdefault(1, record.created_at)
    times.setdefault(record.version, record.updated_at)
    return times


def to_cap(record: AlertRecord, sender: str, sender_name: str, status: str = "Actual") -> bytes:
    E = ElementMaker(namespace=CAP_NS, nsmap={None: CAP_NS})
    times = _version_times(record)
    sent = times.get(record.version, record.updated_at)
    identifier = _identifier(sender, record.id, record.version)
    if record.status == "dismissed":
        # A Cancel is a message of its own: its own identifier and the dismissal's time.
        msg_type = "Cancel"
        identifier += ".cancel"
        dismissals = [e.at for e in record.history if e.action == "dismiss"]
        sent = dismissals[-1] if dismissals else record.updated_at
    elif record.version > 1:
        msg_type = "Update"
    else:
        msg_type = "Alert"
    parts = [
        E.identifier(identifier),
        E.sender(sender),
        E.sent(cap_time(sent)),
        E.status(status),
        E.msgType(msg_type),
        E.scope("Restricted"),
        E.restriction("For national competent authorities and the focal point's partners"),
        E.code("FRAMEWORK-OF-ANALYSIS-ATROCITY-CRIMES"),
        E.note(DISCLAIMER + (" Dismissed by analyst." if record.status == "dismissed" else "")),
    ]
    if msg_type in ("Update", "Cancel"):
        previous = max(1, record.version - 1) if msg_type == "Update" else record.version
        parts.append(
            E.references(
                f"{sender},{_identifier(sender, record.id, previous)},{cap_time(times.get(previous, record.created_at))}"
            )
        )
    taxonomy = load_taxonomy()
    factor_names = [f"{f} {taxonomy.factor(f).name.en}" for f in record.risk_factors]
    description = record.reason
    if factor_names:
        description += "\nRisk factors: " + "; ".join(factor_names) + "."
    if record.stories:
        description += "\nStories:\n" + "\n".join(
            f"- {s.title} ({s.source_count} independent source{'s' if s.source_count != 1 else ''}: {', '.join(s.sources)})"
            for s in record.stories[:10]
        )
    sources = {s for story in record.stories for s in story.sources}
    certainty = "Likely" if len(sources) >= 2 else "Possible"
    info = [
        E.language("en-US"),
        E.category("Security"),
        E.event(f"Atrocity risk: {record.rule.replace('_', ' ')}"),
        E.responseType("Monitor"),
        E.urgency(CAP_URGENCY[record.severity]),
        E.severity(CAP_SEVERITY[record.severity]),
        E.certainty(certainty),
        E.eventCode(E.valueName("monitor-rule"), E.value(record.rule)),
        E.effective(cap_time(times.get(1, record.created_at))),
        E.senderName(sender_name),
        E.headline(record.title[:160]),
        E.description(description),
        E.instruction("Review the cited sources; see the daily briefing for recommended actions."),
    ]
    if record.links:
        info.append(E.web(record.links[0]))
    for factor in record.risk_factors:
        info.append(E.parameter(E.valueName("risk-factor"), E.value(factor)))
    info.append(E.parameter(E.valueName("monitor-alert-status"), E.value(record.status)))
    if record.country:
        info.append(
            E.area(
                E.areaDesc(record.country_name or record.country),
                E.geocode(E.valueName("ISO 3166-1 alpha-3"), E.value(record.country)),
            )
        )
    else:
        info.append(E.area(E.areaDesc("Not country-specific")))
    parts.append(E.info(*info))
    document = E.alert(*parts)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def to_atom(
    records: list[AlertRecord],
    feed_id: str,
    title: str = "Atrocity-risk alerts",
    self_url: str | None = None,
) -> str:
    updated = max((r.updated_at for r in records), default=datetime.now(UTC).isoformat())
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}">',
        f"  <id>{escape(feed_id)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <updated>{_atom_time(updated)}</updated>",
        f'  <generator version="{__version__}">focalpoint-monitor</generator>',
        f"  <rights>{escape(DISCLAIMER)}</rights>",
    ]
    if self_url:
        lines.append(f'  <link rel="self" href="{escape(self_url, {chr(34): "&quot;"})}"/>')
    lines.append("  <author><name>focalpoint-monitor</name></author>")
    for r in sorted(records, key=lambda r: r.updated_at, reverse=True):
        summary = f"[{r.severity}] {r.reason}"
        content = "".join(
            f"<li>{escape(s.title)} ({s.source_count} source{'s' if s.source_count != 1 else ''})"
            + "".join(
                f' <a href="{escape(i.url, {chr(34): "&quot;"})}">{escape(i.feed)}</a>'
                for i in s.items[:5]
                if i.url
            )
            + "</li>"
            for s in r.stories[:10]
        )
        lines += [
            "  <entry>",
            f"    <id>{escape(feed_id)}:alert:{r.id}</id>",
            f"    <title>{escape(r.title)}</title>",
            f"    <updated>{_atom_time(r.updated_at)}</updated>",
            f"    <published>{_atom_time(r.created_at)}</published>",
            f"    <summary>{escape(summary)}</summary>",
            f'    <content type="html">{escape("<p>" + escape(r.reason) + "</p><ul>" + content + "</ul>")}</content>',
        ]
        lines += [f'    <category term="{escape(f)}"/>' for f in r.risk_factors]
        if r.country:
            lines.append(
                f'    <category term="{escape(r.country)}" label="{escape(r.country_name or r.country)}"/>'
            )
        if r.links:
            lines.append(
                f'    <link rel="alternate" href="{escape(r.links[0], {chr(34): "&quot;"})}"/>'
            )
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _atom_time(value: str) -> str:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
