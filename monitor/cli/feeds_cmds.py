"""monitor feeds: list, add, remove, enable, disable, check, import-opml, export-opml."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from monitor.cli.context import get_context
from monitor.cli.output import echo_json
from monitor.collect.collector import policy_from
from monitor.collect.fetch import Fetcher
from monitor.collect.model import FeedState
from monitor.collect.parse import ParseFailure, parse_document
from monitor.config import FeedKind, edit_config, load_config, load_config_or_empty
from monitor.config.io import feed_mapping, write_atomically
from monitor.config.opml import OpmlError, parse_opml, render_opml, slugify
from monitor.config.schema import (
    FEED_ID,
    check_countries,
    check_url,
    format_duration,
    parse_duration,
)
from monitor.errors import MonitorError

app = typer.Typer(help="List and edit the watched feeds in feeds.yaml.", no_args_is_help=True)


@app.command("list")
def list_feeds(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """The watched feeds as configured."""
    app_ctx = get_context(ctx)
    config = app_ctx.config
    if json_output:
        echo_json([f.model_dump(mode="json") for f in config.feeds])
        return
    table = Table(title=f"{len(config.feeds)} feeds in {app_ctx.settings.config_path}")
    for column in ("id", "kind", "lang", "countries", "every", "on", "reliability", "url"):
        table.add_column(column, overflow="fold")
    for feed in config.feeds:
        table.add_row(
            feed.id,
            feed.kind.value,
            feed.language or "",
            ",".join(feed.countries),
            format_duration(feed.poll_interval),
            "yes" if feed.enabled else "no",
            f"{feed.reliability:.2f}",
            feed.url,
        )
    app_ctx.console.print(table)


def _new_id(url: str, title: str | None, taken: set[str]) -> str:
    from urllib.parse import urlsplit

    base = slugify(title or "") or slugify((urlsplit(url).hostname or "feed").removeprefix("www."))
    base = base[:90] or "feed"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@app.command()
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="The feed's RSS or Atom URL."),
    feed_id: str | None = typer.Option(
        None, "--id", help="Feed id (default: from the title or host)."
    ),
    title: str | None = typer.Option(None, "--title"),
    kind: FeedKind | None = typer.Option(
        None, "--kind", help="news, ngo, un, government or other."
    ),
    language: str | None = typer.Option(None, "--language", help="ISO 639-1 code, e.g. fr."),
    countries: str | None = typer.Option(
        None, "--countries", help="Focus countries, ISO3, comma-separated."
    ),
    interval: str | None = typer.Option(None, "--interval", help="Poll interval, e.g. 30m, 2h."),
    tags: str | None = typer.Option(None, "--tags", help="Comma-separated tags."),
    reliability: float | None = typer.Option(None, "--reliability", min=0, max=1),
    disabled: bool = typer.Option(False, "--disabled", help="Add it switched off."),
) -> None:
    """Add a feed to feeds.yaml (created if missing), keeping comments and order."""
    app_ctx = get_context(ctx)
    path = app_ctx.settings.config_path
    try:
        url = check_url(url)
        country_list = check_countries([c for c in (countries or "").split(",") if c.strip()])
        seconds = parse_duration(interval) if interval else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if feed_id is not None and not FEED_ID.match(feed_id):
        raise typer.BadParameter(
            "ids are lower-case letters, digits, '.', '_' or '-'", param_hint="--id"
        )
    existing = load_config_or_empty(path)
    taken = {f.id for f in existing.feeds}
    feed_id = feed_id or _new_id(url, title, taken)
    with edit_config(path) as doc:
        doc["feeds"].append(
            feed_mapping(
                id=feed_id,
                url=url,
                title=title,
                kind=kind.value if kind else None,
                language=language,
                countries=country_list or None,
                poll_interval=format_duration(seconds) if seconds else None,
                enabled=False if disabled else None,
                tags=[t.strip() for t in (tags or "").split(",") if t.strip()] or None,
                reliability=reliability,
            )
        )
    app_ctx.console.print(f"Added feed {feed_id!r} ({url}) to {path}.", highlight=False)


def _find_index(doc, feed_id: str, path: Path) -> int:  # type: ignore[no-untyped-def]
    for index, entry in enumerate(doc["feeds"]):
        if isinstance(entry, dict) and entry.get("id") == feed_id:
            return index
    raise MonitorError(f"No feed with id {feed_id!r} in {path}.")


@app.command()
def remove(ctx: typer.Context, feed_id: str = typer.Argument(..., help="Feed id.")) -> None:
    """Remove a feed from feeds.yaml. Items already collected from it are kept."""
    app_ctx = get_context(ctx)
    path = app_ctx.settings.config_path
    with edit_config(path) as doc:
        del doc["feeds"][_find_index(doc, feed_id, path)]
    app_ctx.console.print(
        f"Removed feed {feed_id!r} from {path}; its collected items stay in the database."
    )


def _set_enabled(ctx: typer.Context, feed_id: str, enabled: bool) -> None:
    app_ctx = get_context(ctx)
    path = app_ctx.settings.config_path
    with edit_config(path) as doc:
        entry = doc["feeds"][_find_index(doc, feed_id, path)]
        entry["enabled"] = enabled
    if enabled:
        _clear_disabled_reason(app_ctx, feed_id)
    app_ctx.console.print(f"Feed {feed_id!r} {'enabled' if enabled else 'disabled'} in {path}.")


def _clear_disabled_reason(app_ctx, feed_id: str) -> None:  # type: ignore[no-untyped-def]
    """Re-enabling a feed the publisher once removed (410) clears that state too."""
    from monitor.store.db import DatabaseNotReady
    from monitor.store.models import Feed

    try:
        db = app_ctx.database()
    except DatabaseNotReady:
        return
    with db.session() as session:
        row = session.get(Feed, feed_id)
        if row is not None:
            row.disabled_reason = None
            row.consecutive_failures = 0
            row.failing_since = None
            row.next_attempt_at = None


@app.command()
def enable(ctx: typer.Context, feed_id: str = typer.Argument(..., help="Feed id.")) -> None:
    """Switch a feed on (also clears a 410 Gone)."""
    _set_enabled(ctx, feed_id, True)


@app.command()
def disable(ctx: typer.Context, feed_id: str = typer.Argument(..., help="Feed id.")) -> None:
    """Switch a feed off without removing it."""
    _set_enabled(ctx, feed_id, False)


@app.command()
def check(
    ctx: typer.Context,
    feed: list[str] = typer.Option(None, "--feed", "-f", help="Only this feed id (repeatable)."),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """Fetch and parse feeds without storing anything: is each URL a working feed?"""
    app_ctx = get_context(ctx)
    config = app_ctx.config
    feeds = [f for f in config.feeds if not feed or f.id in feed]
    if feed and len(feeds) != len(set(feed)):
        raise typer.BadParameter("unknown feed id", param_hint="--feed")
    states = [FeedState(id=f.id, url=f.url) for f in feeds]
    results = []
    with Fetcher(policy_from(config.collector)) as fetcher:
        for state, fetched in fetcher.fetch_many(states):
            row: dict[str, object] = {"id": state.id, "url": state.url, "status": fetched.status}
            if fetched.moved_to:
                row["moved_to"] = fetched.moved_to
            if not fetched.ok or fetched.body is None:
                row["ok"] = False
                row["error"] = fetched.error or f"HTTP {fetched.status}"
            else:
                try:
                    parsed = parse_document(
                        fetched.body, fetched.moved_to or state.url, fetched.content_type
                    )
                    row.update(
                        ok=True,
                        format=parsed.version,
                        entries=len(parsed.entries),
                        parser=parsed.parser,
                        title=parsed.title,
                        warning=parsed.bozo_message if parsed.bozo else None,
                    )
                except ParseFailure as exc:
                    row.update(ok=False, error=str(exc))
            results.append(row)
    results.sort(key=lambda r: str(r["id"]))
    if json_output:
        echo_json(results)
    else:
        table = Table(title="Feed check")
        for column in ("feed", "ok", "status", "format", "entries", "detail"):
            table.add_column(column, overflow="fold")
        for r in results:
            detail = r.get("error") or r.get("warning") or r.get("title") or ""
            if r.get("moved_to"):
                detail = f"moved to {r['moved_to']}; {detail}"
            table.add_row(
                str(r["id"]),
                "[green]yes[/green]" if r["ok"] else "[red]no[/red]",
                str(r.get("status") or ""),
                str(r.get("format") or ""),
                str(r.get("entries", "")),
                str(detail),
            )
        app_ctx.console.print(table)
    if not all(r["ok"] for r in results):
        raise typer.Exit(1)


@app.command("import-opml")
def import_opml(
    ctx: typer.Context,
    source: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="OPML file."
    ),
    kind: FeedKind = typer.Option(FeedKind.news, "--kind", help="Kind for the imported feeds."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would be imported."),
) -> None:
    """Add the feeds of an OPML file; categories become tags; bad entries are reported."""
    app_ctx = get_context(ctx)
    path = app_ctx.settings.config_path
    try:
        parsed = parse_opml(source.read_bytes())
    except OpmlError as exc:
        raise MonitorError(f"{source}: {exc}") from None
    existing = load_config_or_empty(path)
    taken_ids = {f.id for f in existing.feeds}
    taken_urls = {f.url.rstrip("/").lower(): f.id for f in existing.feeds}
    problems = list(parsed.problems)
    added: list[dict[str, object]] = []
    for entry in parsed.entries:
        url_key = entry.url.rstrip("/").lower()
        if url_key in taken_urls:
            problems.append(f"{entry.url}: already watched as {taken_urls[url_key]!r}")
            continue
        feed_id = _new_id(entry.url, entry.title, taken_ids)
        taken_ids.add(feed_id)
        taken_urls[url_key] = feed_id
        language = entry.language if entry.language and 2 <= len(entry.language) <= 3 else None
        added.append(
            {
                "id": feed_id,
                "url": entry.url,
                "title": entry.title,
                "kind": kind.value,
                "language": language,
                "tags": entry.tags or None,
            }
        )
    if added and not dry_run:
        with edit_config(path) as doc:
            for fields in added:
                doc["feeds"].append(feed_mapping(**fields))
    verb = "Would import" if dry_run else "Imported"
    app_ctx.console.print(f"{verb} {len(added)} feed(s) into {path}.")
    for fields in added:
        app_ctx.console.print(f"  + {fields['id']}: {fields['url']}", highlight=False)
    if problems:
        app_ctx.console.print(
            f"{len(problems)} entr{'y' if len(problems) == 1 else 'ies'} skipped:"
        )
        for problem in problems:
            app_ctx.console.print(f"  - {problem}", highlight=False)


@app.command("export-opml")
def export_opml(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write here instead of standard output."
    ),
) -> None:
    """Write the watched feeds as OPML 2.0 (tags as categories)."""
    app_ctx = get_context(ctx)
    config = load_config(app_ctx.settings.config_path)
    text = render_opml(config.feeds)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_atomically(out, text)
        app_ctx.console.print(f"Wrote {len(config.feeds)} feeds to {out}.")
