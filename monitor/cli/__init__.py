"""The ``monitor`` command line: one entry point for every stage."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from monitor import __version__
from monitor.cli.context import AppContext
from monitor.errors import MonitorError
from monitor.settings import resolve_settings

app = typer.Typer(
    name="monitor",
    help=(
        "Early-warning monitor for national focal points on genocide and atrocity "
        "prevention: collect watched feeds, tag and classify items against the UN "
        "Framework of Analysis, assess countries, raise alerts and write briefings."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"monitor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", envvar="MONITOR_CONFIG", help="feeds.yaml to use (default: ./feeds.yaml)."
    ),
    database: str | None = typer.Option(
        None,
        "--database",
        envvar="MONITOR_DATABASE_URL",
        help="Database URL (default: SQLite file in MONITOR_HOME).",
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="More log output (-vv for debug)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = AppContext(settings=resolve_settings(config=config, database=database))
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from monitor.cli import alert_cmds, analysis_cmds, brief_cmds, collect_cmds, feeds_cmds

    collect_cmds.register(app)
    app.add_typer(feeds_cmds.app, name="feeds")
    analysis_cmds.register(app)
    alert_cmds.register(app)
    brief_cmds.register(app)


_register()


def main() -> None:
    try:
        app()
    except MonitorError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
