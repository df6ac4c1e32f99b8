"""Running the real ``monitor`` command in-process (Click's runner) or as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from monitor.cli import app
from monitor.errors import MonitorError


@dataclass
class CliResult:
    exit_code: int
    output: str


def run_cli(args: list[str], env: dict[str, str] | None = None) -> CliResult:
    """Invoke the CLI in-process; MonitorError is reported as ``main()`` would (exit 2)."""
    runner = CliRunner()
    result = runner.invoke(app, args, env=env, catch_exceptions=True)
    if isinstance(result.exception, MonitorError):
        return CliResult(2, result.output + f"Error: {result.exception}\n")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.output)


def run_monitor(
    args: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m monitor`` as a separate process."""
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
