"""brief and briefings: write, archive, re-render and send the daily briefing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from monitor.cli.context import get_context
from monitor.errors import MonitorError


def brief(
    ctx: typer.Context,
    day: str | None = typer.Option(
        None, "--date", help="Day of the briefing (default: latest assessed day)."
    ),
    countries: str | None = typer.Option(
        None, "--countries", help="Only these countries (ISO3, comma-separated)."
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="en or fr (default: briefing.language in feeds.yaml)."
    ),
    fmt: list[str] = typer.Option(
        None,
        "--format",
        "-f",
        help="html, pdf, md or txt (repeatable) (default: briefing.formats).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File (one format) or folder (default: MONITOR_HOME/outputs)."
    ),
    marking: str | None = typer.Option(
        None, "--marking", help="Handling marking, e.g. RESTRICTED (default: briefing.marking)."
    ),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Assemble again even if this day's briefing is archived."
    ),
    send: bool = typer.Option(
        False, "--send", help="E-mail it (HTML and text, PDF attached) to briefing.smtp.recipients."
    ),
    to: list[str] = typer.Option(
        None, "--to", help="Recipient instead of the configured ones (repeatable)."
    ),
) -> None:
    """Write the daily briefing; it is archived with its inputs so it can be re-rendered identically."""
    from monitor.brief import archive, default_path, latest_assessed_day, produce, write
    from monitor.brief.render import FORMATS
    from monitor.countries import is_iso3
    from monitor.store.types import utcnow

    app = get_context(ctx)
    config = app.config
    settings = config.briefing
    lang = lang or settings.language
    if lang not in ("en", "fr"):
        raise typer.BadParameter("briefings are available in en and fr", param_hint="--lang")
    formats = fmt or settings.formats
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise typer.BadParameter(
            f"unknown format(s) {bad}; use {', '.join(FORMATS)}", param_hint="--format"
        )
    selection = None
    if countries:
        selection = [c.strip().upper() for c in countries.split(",") if c.strip()]
        unknown = [c for c in selection if not is_iso3(c)]
        if unknown:
            raise typer.BadParameter(
                f"not ISO 3166-1 alpha-3 codes: {unknown}", param_hint="--countries"
            )
    db = app.database()
    if day:
        try:
            target = date.fromisoformat(day)
        except ValueError:
            raise typer.BadParameter(
                f"{day!r} is not a date like 2026-01-31", param_hint="--date"
            ) from None
    else:
        target = latest_assessed_day(db, utcnow().date())
    produced = produce(db, config, target, lang, selection, marking, rebuild)
    if out is not None and len(formats) == 1 and out.suffix:
        paths = {formats[0]: out}
    else:
        folder = out or app.settings.outputs_dir
        paths = {f: default_path(folder, produced.briefing, f) for f in formats}
    for f, path in paths.items():
        write(produced.briefing, f, path)
        app.console.print(
            f"Wrote {f.upper()} briefing for {produced.briefing.date} to {path}", highlight=False
        )
    if produced.reused:
        app.err.print(
            f"Rendered from archived briefing #{produced.archive_id} (use --rebuild to assemble it again)."
        )
    if send:
        import os

        from monitor.brief.send import send as send_mail
        from monitor.brief.send import with_environment

        smtp = with_environment(settings.smtp, os.environ)
        recipients = send_mail(produced.briefing, smtp, to or None)
        archive.mark_sent(db, produced.archive_id, recipients)
        app.console.print(
            f"Sent to {', '.join(recipients)} via {smtp.host}:{smtp.port}.", highlight=False
        )


briefings_app = typer.Typer(help="Archived briefings.", no_args_is_help=True)


@briefings_app.command("list")
def briefings_list(ctx: typer.Context, limit: int = typer.Option(30, "--limit", min=1)) -> None:
    """Archived briefings, newest first."""
    from monitor.brief import archive

    app = get_context(ctx)
    table = Table(title="Archived briefings")
    for column in ("id", "day", "lang", "countries", "marking", "created", "sent"):
        table.add_column(column)
    for record in archive.listing(app.database(), limit):
        table.add_row(
            str(record.id),
            record.day.isoformat(),
            record.lang,
            record.countries or "all",
            record.briefing.marking,
            record.created_at.strftime("%Y-%m-%d %H:%M"),
            record.sent_at.strftime("%Y-%m-%d %H:%M") if record.sent_at else "",
        )
    app.console.print(table)


@briefings_app.command("render")
def briefings_render(
    ctx: typer.Context,
    briefing_id: int = typer.Argument(..., help="Archived briefing id."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="html, pdf, md or txt (default: from the file name)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="File to write."),
) -> None:
    """Render an archived briefing again, exactly as it was assembled."""
    from monitor.brief import archive, write
    from monitor.brief.render import FORMATS

    app = get_context(ctx)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"{fmt or out.name!r}: give --format {' | '.join(FORMATS)} or a file ending in one",
            param_hint="--format",
        )
    record = archive.get(app.database(), briefing_id)
    if record is None:
        raise MonitorError(f"No archived briefing with id {briefing_id}.")
    write(record.briefing, fmt, out)
    app.console.print(f"Wrote briefing #{briefing_id} ({record.day}) to {out}.")


def demo(
    ctx: typer.Context,
    folder: Path = typer.Option(Path("monitor-demo"), "--dir", help="Workspace to (re)create."),
    lang: str = typer.Option("en", "--lang", help="Briefing language, en or fr."),
) -> None:
    """Build a fresh demo workspace in DIR from fictional news, end to end, offline.

    Fictional feeds are served on 127.0.0.1, collected with the real collector,
    processed by every stage, and the briefing is written in HTML and PDF. Afterwards
    DIR is an ordinary workspace (MONITOR_HOME=DIR MONITOR_CONFIG=DIR/feeds.yaml).
    """
    from monitor.assess.levels import LEVEL_LABELS
    from monitor.countries import country_name
    from monitor.demo.run import run_demo

    app = get_context(ctx)
    if lang not in ("en", "fr"):
        raise typer.BadParameter("en or fr", param_hint="--lang")
    app.err.print(
        f"Building the demo in {folder} (fictional news for 12 countries over 6 weeks)..."
    )
    result = run_demo(folder, lang=lang)
    table = Table(
        title=f"Demo levels on the last day ({result.items} items, {result.alerts} alerts)"
    )
    for column in ("country", "level", "main factors (7 days)"):
        table.add_column(column)
    for iso3, level, factors in result.levels:
        table.add_row(f"{country_name(iso3)} ({iso3})", LEVEL_LABELS[level], factors or "-")
    app.console.print(table)
    for fmt, path in result.outputs.items():
        app.console.print(f"{fmt.upper()} briefing: {path}", highlight=False)
    app.console.print(
        f"Workspace: {result.folder} (database {result.database.name}, config {result.config.name}); "
        f"done in {result.seconds:.0f} s.",
        highlight=False,
    )
    app.console.print(
        f"Try: MONITOR_HOME={result.folder} MONITOR_CONFIG={result.config} monitor alerts list",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(brief)
    app.add_typer(briefings_app, name="briefings")
