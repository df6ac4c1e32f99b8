"""assess, countries and alerts: the assessment stage and the triage desk."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import func, select

from monitor.cli.context import actor, get_context
from monitor.cli.output import echo_json
from monitor.errors import MonitorError


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date like 2026-01-31", param_hint=option
        ) from None


def assess(
    ctx: typer.Context,
    day: str | None = typer.Option(None, "--date", help="Assess this day (YYYY-MM-DD)."),
    first: str | None = typer.Option(
        None, "--from", help="First day of a range to assess (backfill)."
    ),
    last: str | None = typer.Option(None, "--to", help="Last day of the range (default: today)."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Cluster stories, compute country levels and raise alerts for a day or a range."""
    from monitor.assess.run import cluster_and_assess
    from monitor.store.types import utcnow

    app = get_context(ctx)
    if day and (first or last):
        raise typer.BadParameter("use either --date or --from/--to", param_hint="--date")
    start = _day(day, "--date") or _day(first, "--from")
    end = _day(day, "--date") or _day(last, "--to") or utcnow().date()
    if start and start > end:
        raise typer.BadParameter("--from is after --to", param_hint="--from")
    summary = cluster_and_assess(app.database(), app.config, start, end)
    if json_output:
        echo_json(summary.as_dict())
    else:
        app.console.print(
            ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.as_dict().items())
        )


LEVEL_STYLE = {0: "dim", 1: "green", 2: "yellow", 3: "dark_orange", 4: "red"}
STATUSES = ("new", "acknowledged", "escalated", "dismissed", "closed")
CAP_STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")


def _selection(
    app: object,
    since: str | None,
    country: str | None,
    status: str | None,
    open_only: bool,
    with_history: bool,
) -> list:  # type: ignore[type-arg]
    """Alerts for list and export, after checking the filters (a typo is an error, not
    an empty result)."""
    from monitor.alerts.engine import OPEN
    from monitor.countries import is_iso3
    from monitor.export.records import load_alert_records

    if status is not None:
        status = status.strip().lower()
        if status not in STATUSES:
            raise typer.BadParameter(
                f"{status!r}: use {', '.join(STATUSES)}", param_hint="--status"
            )
    if country is not None:
        country = country.strip().upper()
        if not is_iso3(country):
            raise typer.BadParameter(
                f"{country!r} is not an ISO 3166-1 alpha-3 code", param_hint="--country"
            )
    records = load_alert_records(
        app.database(),  # type: ignore[attr-defined]
        since=_day(since, "--since"),
        country=country,
        status=status,
        with_history=with_history,
    )
    if open_only:
        records = [r for r in records if r.status in OPEN]
    return records


def countries(
    ctx: typer.Context,
    day: str | None = typer.Option(
        None, "--date", help="Day to show (default: the latest assessed day)."
    ),
    minimum: int = typer.Option(
        1, "--min-level", min=0, max=4, help="Hide countries below this level."
    ),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Country risk levels for a day, highest first, with the change since yesterday and 7 days."""
    from monitor.assess.levels import LEVEL_LABELS
    from monitor.countries import country_name
    from monitor.store.models import AssessedDay, CountryDay

    app = get_context(ctx)
    db = app.database()
    with db.session() as session:
        target = _day(day, "--date") or session.scalar(select(func.max(AssessedDay.day)))
        if target is None:
            raise MonitorError("No assessment yet: run `monitor assess` (or `monitor process`).")
        if session.get(AssessedDay, target) is None:
            raise MonitorError(
                f"{target} has not been assessed: run `monitor assess --date {target}`."
            )
        rows = session.scalars(select(CountryDay).where(CountryDay.day == target)).all()
        earlier = {
            (r.country, r.day): r.level
            for r in session.scalars(
                select(CountryDay).where(
                    CountryDay.day.in_([target - timedelta(days=1), target - timedelta(days=7)])
                )
            )
        }
    records = []
    for row in sorted(rows, key=lambda r: (-r.level, -r.stories_7d, r.country)):
        if row.level < minimum:
            continue
        records.append(
            {
                "country": row.country,
                "name": country_name(row.country),
                "day": row.day.isoformat(),
                "level": row.level,
                "level_name": row.level_name,
                "change_1d": row.level - earlier.get((row.country, target - timedelta(days=1)), 0),
                "change_7d": row.level - earlier.get((row.country, target - timedelta(days=7)), 0),
                "stories_7d": row.stories_7d,
                "baseline_ratio": row.baseline_ratio,
                "factors_7d": sorted(row.factors_7d, key=lambda f: -row.factors_7d[f]),
                "reasons": row.explanation.get("reasons", []),
            }
        )
    if json_output:
        echo_json(records)
        return
    table = Table(title=f"Country levels on {target.isoformat()}")
    for column in ("country", "level", "1d", "7d", "stories 7d", "x baseline", "active factors"):
        table.add_column(column, overflow="fold")
    for r in records:
        style = LEVEL_STYLE[r["level"]]
        table.add_row(
            f"{r['name']} ({r['country']})",
            f"[{style}]{LEVEL_LABELS[r['level_name']]}[/{style}]",
            _arrow(r["change_1d"]),
            _arrow(r["change_7d"]),
            str(r["stories_7d"]),
            "-" if r["baseline_ratio"] is None else f"{r['baseline_ratio']:g}",
            ", ".join(r["factors_7d"][:6]),
        )
    app.console.print(table)


def _arrow(change: int) -> str:
    return "↑" * change if change > 0 else "↓" * -change if change < 0 else "→"


alerts_app = typer.Typer(help="List, triage and export escalation alerts.", no_args_is_help=True)


ANALYST = typer.Option(
    None, "--analyst", help="Who acts (default: MONITOR_ANALYST or the login name)."
)


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    status: str | None = typer.Option(
        None, "--status", help="new, acknowledged, escalated, dismissed or closed."
    ),
    country: str | None = typer.Option(None, "--country", help="ISO3 code."),
    since: str | None = typer.Option(None, "--since", help="Alerts active on or after this day."),
    open_only: bool = typer.Option(
        False, "--open", help="Only new, acknowledged and escalated alerts."
    ),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Alerts, newest first."""
    app = get_context(ctx)
    records = _selection(app, since, country, status, open_only, with_history=False)
    records.sort(key=lambda r: (r.date, r.id), reverse=True)
    if json_output:
        echo_json([r.as_dict() for r in records])
        return
    table = Table(title=f"{len(records)} alert(s)")
    for column in ("id", "date", "severity", "status", "country", "rule", "factors", "title"):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(
            str(r.id),
            r.date,
            r.severity,
            r.status,
            r.country or "",
            r.rule,
            ",".join(r.risk_factors),
            r.title,
        )
    app.console.print(table)


@alerts_app.command("show")
def alerts_show(
    ctx: typer.Context,
    alert_id: int = typer.Argument(..., help="Alert id."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """One alert: reason, stories with their sources and links, and its history."""
    from monitor.export.records import load_alert_records

    app = get_context(ctx)
    records = load_alert_records(app.database(), ids=[alert_id])
    if not records:
        raise MonitorError(f"No alert with id {alert_id}.")
    r = records[0]
    if json_output:
        echo_json(r.as_dict())
        return
    out = app.console
    out.print(f"[bold]#{r.id} {r.title}[/bold]", highlight=False)
    out.print(
        f"{r.severity} · {r.status} · rule {r.rule} · raised for {r.date} (active until {r.last_date}) · version {r.version}"
        + (f" · assigned to {r.assignee}" if r.assignee else ""),
        highlight=False,
    )
    out.print(r.reason, highlight=False)
    for story in r.stories:
        out.print(
            f"\n  story {story.id}: {story.title} — {story.source_count} independent source(s): {', '.join(story.sources)}",
            highlight=False,
        )
        for item in story.items[:8]:
            out.print(f"    - {item.title} ({item.feed}) {item.url or ''}", highlight=False)
    if r.history:
        out.print("\nhistory:")
        for event in r.history:
            note = f": {event.note}" if event.note and event.action != "raised" else ""
            change = ""
            if event.before and event.after:
                diffs = [
                    f"{k} {event.before.get(k)} → {event.after.get(k)}"
                    for k in event.after
                    if event.before.get(k) != event.after.get(k)
                ]
                change = f" ({'; '.join(diffs)})" if diffs else ""
            out.print(f"  {event.at} {event.actor} {event.action}{change}{note}", highlight=False)


def _transition(
    ctx: typer.Context, alert_id: int, action: str, analyst: str | None, note: str | None = None
) -> None:
    from monitor.alerts.triage import change_status

    app = get_context(ctx)
    alert = change_status(app.database(), alert_id, action, actor(analyst), note)
    app.console.print(f"Alert {alert_id} is now {alert.status}.")


@alerts_app.command("ack")
def alerts_ack(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    analyst: str | None = ANALYST,
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Acknowledge a new alert."""
    _transition(ctx, alert_id, "ack", analyst, note)


@alerts_app.command("escalate")
def alerts_escalate(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    analyst: str | None = ANALYST,
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Escalate an alert to the competent authority."""
    _transition(ctx, alert_id, "escalate", analyst, note)


@alerts_app.command("dismiss")
def alerts_dismiss(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why it is not a concern (required)."),
    analyst: str | None = ANALYST,
) -> None:
    """Dismiss an alert, with a reason."""
    _transition(ctx, alert_id, "dismiss", analyst, reason)


@alerts_app.command("close")
def alerts_close(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    analyst: str | None = ANALYST,
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Close an alert that has been dealt with."""
    _transition(ctx, alert_id, "close", analyst, note)


@alerts_app.command("reopen")
def alerts_reopen(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    analyst: str | None = ANALYST,
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Reopen a dismissed or closed alert."""
    _transition(ctx, alert_id, "reopen", analyst, note)


@alerts_app.command("note")
def alerts_note(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    text: str = typer.Argument(..., help="The note."),
    analyst: str | None = ANALYST,
) -> None:
    """Add a note to an alert."""
    from monitor.alerts.triage import add_note

    app = get_context(ctx)
    add_note(app.database(), alert_id, text, actor(analyst))
    app.console.print(f"Note added to alert {alert_id}.")


@alerts_app.command("assign")
def alerts_assign(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    assignee: str = typer.Argument(..., help='Analyst to assign ("" to unassign).'),
    analyst: str | None = ANALYST,
) -> None:
    """Assign an alert to an analyst."""
    from monitor.alerts.triage import assign

    app = get_context(ctx)
    assign(app.database(), alert_id, assignee, actor(analyst))
    app.console.print(f"Alert {alert_id} assigned to {assignee or 'nobody'}.")


@alerts_app.command("export")
def alerts_export(
    ctx: typer.Context,
    fmt: str = typer.Option("json", "--format", "-f", help="csv, json, cap or atom."),
    since: str | None = typer.Option(None, "--since", help="Alerts active on or after this day."),
    country: str | None = typer.Option(None, "--country", help="ISO3 code."),
    status: str | None = typer.Option(
        None, "--status", help="new, acknowledged, escalated, dismissed or closed."
    ),
    open_only: bool = typer.Option(
        False, "--open", help="Only new, acknowledged and escalated alerts."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File to write; a folder for CAP with several alerts."
    ),
    bom: bool = typer.Option(
        False, "--bom", help="CSV: start with a UTF-8 byte-order mark (for Excel)."
    ),
    cap_status: str | None = typer.Option(
        None,
        "--cap-status",
        help="CAP status: Actual, Exercise, System, Test or Draft "
        "(default: Exercise when briefing.exercise is set, else Actual).",
    ),
) -> None:
    """Export alerts as CSV, JSON, CAP 1.2 or an Atom feed."""
    from monitor.config.io import write_atomically
    from monitor.export.formats import to_atom, to_cap, to_csv, to_json

    app = get_context(ctx)
    fmt = fmt.lower()
    if fmt not in ("csv", "json", "cap", "atom"):
        raise typer.BadParameter(f"{fmt!r}: use csv, json, cap or atom", param_hint="--format")
    if cap_status is None:
        cap_status = "Exercise" if app.config.briefing.exercise else "Actual"
    matched = [s for s in CAP_STATUSES if s.lower() == cap_status.strip().lower()]
    if not matched:
        raise typer.BadParameter(
            f"{cap_status!r}: use {', '.join(CAP_STATUSES)}", param_hint="--cap-status"
        )
    cap_status = matched[0]
    records = _selection(app, since, country, status, open_only, with_history=True)
    settings = app.config.alerts
    if fmt == "cap":
        documents = {
            r.id: to_cap(r, settings.sender, settings.sender_name, cap_status) for r in records
        }
        if out is None:
            if len(documents) > 1:
                raise MonitorError(
                    f"{len(documents)} alerts: CAP holds one alert per document; give --out FOLDER."
                )
            for document in documents.values():
                typer.echo(document.decode("utf-8"), nl=False)
            return
        if len(documents) == 1 and out.suffix == ".xml":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(next(iter(documents.values())))
        else:
            out.mkdir(parents=True, exist_ok=True)
            for alert_id, document in documents.items():
                (out / f"alert-{alert_id}.xml").write_bytes(document)
        app.err.print(f"Wrote {len(documents)} CAP alert(s) to {out}.")
        return
    if fmt == "json":
        text = to_json(records)
    elif fmt == "csv":
        text = to_csv(records, bom=bom)
    else:
        text = to_atom(records, feed_id=f"urn:focalpoint-monitor:{settings.sender}:alerts")
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(out, text)
        app.err.print(f"Wrote {len(records)} alert(s) to {out}.")


def register(app: typer.Typer) -> None:
    app.command()(assess)
    app.command()(countries)
    app.add_typer(alerts_app, name="alerts")
