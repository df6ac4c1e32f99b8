"""init, collect, status and stats."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from monitor.cli.context import get_context
from monitor.cli.output import ago, echo_json
from monitor.collect import CollectOptions, Collector, FeedReport, Outcome
from monitor.collect.health import HealthStatus
from monitor.collect.status import feed_statuses
from monitor.store.models import Feed, Item
from monitor.store.types import utcnow


def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade it to this version's schema (Alembic migrations)."""
    app = get_context(ctx)
    db = app.database(check=False)
    before, after = db.upgrade()
    if before == after:
        app.console.print(f"Database {db.display_url()} is up to date (revision {after}).")
    elif before is None:
        app.console.print(f"Created database {db.display_url()} (revision {after}).")
    else:
        app.console.print(f"Upgraded database {db.display_url()} from {before} to {after}.")


def collect(
    ctx: typer.Context,
    feed: list[str] = typer.Option(None, "--feed", "-f", help="Only this feed id (repeatable)."),
    force: bool = typer.Option(
        False, "--force", help="Fetch even feeds that are backing off or not yet due."
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Show a progress bar on a terminal."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Fetch every enabled feed now (one pass), respecting backoff unless --force."""
    app = get_context(ctx)
    db = app.synced_database()
    config = app.config
    if feed:
        unknown = [f for f in feed if config.feed(f) is None]
        if unknown:
            raise typer.BadParameter(
                f"no feed with id {', '.join(map(repr, unknown))} in {app.settings.config_path}",
                param_hint="--feed",
            )
    collector = Collector(db, config.collector)
    options = CollectOptions(only=feed or None, force=force or bool(feed))
    show_bar = progress and app.console.is_terminal and not json_output
    if show_bar:
        with Progress(
            TextColumn("[bold]collecting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=app.console,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)

            def tick(report: FeedReport, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=report.feed_id)

            summary = collector.collect(options, progress=tick)
    else:
        summary = collector.collect(options)
    if json_output:
        echo_json(
            {
                **summary.as_dict(),
                "errors": {r.feed_id: r.error for r in summary.reports if r.error},
            }
        )
        return
    counts = summary.as_dict()
    app.console.print(
        f"{counts['fetched']} fetched, {counts['not_modified']} not modified, "
        f"{counts['failed']} failed, {counts['skipped']} not due; "
        f"{counts['new_items']} new and {counts['updated_items']} updated items."
    )
    for report in summary.reports:
        if report.outcome in (Outcome.error, Outcome.gone):
            app.console.print(f"  [red]{report.feed_id}[/red]: {report.error}", highlight=False)
        if report.moved_to:
            app.console.print(
                f"  {report.feed_id}: moved permanently to {report.moved_to}", highlight=False
            )


HEALTH_STYLE = {
    HealthStatus.ok: "green",
    HealthStatus.new: "cyan",
    HealthStatus.failing: "yellow",
    HealthStatus.unhealthy: "red",
    HealthStatus.silent: "magenta",
    HealthStatus.disabled: "dim",
}


def status(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    unhealthy: bool = typer.Option(False, "--unhealthy", help="Only feeds that need attention."),
) -> None:
    """Feed health: last success, last error, failures, next attempt, items per day."""
    app = get_context(ctx)
    db = app.synced_database()
    now = utcnow()
    rows = feed_statuses(db, app.config.collector, now)
    if unhealthy:
        rows = [r for r in rows if r.health.status not in (HealthStatus.ok, HealthStatus.new)]
    if json_output:
        echo_json([r.as_dict() for r in rows])
        return
    table = Table(title=f"Feed health ({len(rows)} feeds)", show_lines=False)
    for column in (
        "feed",
        "health",
        "items/day",
        "items",
        "last success",
        "failures",
        "next attempt",
        "detail",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        style = HEALTH_STYLE[row.health.status]
        table.add_row(
            row.id,
            f"[{style}]{row.health.status.value}[/{style}]",
            f"{row.health.items_per_day:.1f}",
            str(row.items),
            ago(row.last_success_at, now),
            str(row.consecutive_failures),
            ago(row.next_attempt_at, now),
            row.health.reason,
        )
    app.console.print(table)


def stats(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Counts of feeds and items in the store."""
    app = get_context(ctx)
    db = app.synced_database()
    statuses = feed_statuses(db, app.config.collector)
    with db.session() as session:
        items = session.scalar(select(func.count()).select_from(Item)) or 0
        feeds_total = (
            session.scalar(select(func.count()).select_from(Feed).where(Feed.in_config.is_(True)))
            or 0
        )
    result = {
        "feeds": feeds_total,
        "feeds_enabled": sum(1 for s in statuses if s.enabled),
        "feeds_failing": sum(
            1 for s in statuses if s.health.status in (HealthStatus.failing, HealthStatus.unhealthy)
        ),
        "feeds_unhealthy": sum(1 for s in statuses if s.health.unhealthy),
        "items": items,
    }
    if json_output:
        echo_json(result)
        return
    for key, value in result.items():
        app.console.print(f"{key}: {value}")


def run(ctx: typer.Context) -> None:
    """Run the service: scheduled collection (and the later stages) until SIGINT/SIGTERM."""
    import logging

    from monitor.brief.daily import schedule_briefing
    from monitor.pipeline import pipeline_hook
    from monitor.service import Service, add_service_setup_hook, post_collect_hooks

    if pipeline_hook not in post_collect_hooks:
        post_collect_hooks.append(pipeline_hook)
    add_service_setup_hook(schedule_briefing)
    app = get_context(ctx)
    db = app.synced_database()
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    app.err.print(
        f"monitor service: database {db.display_url()}, config {app.settings.config_path}"
    )
    Service(app.settings, db).run()


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(collect)
    app.command()(run)
    app.command()(status)
    app.command()(stats)
