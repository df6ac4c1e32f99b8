"""Errors the CLI reports as a clear message instead of a traceback."""


class MonitorError(Exception):
    """Base for every error caused by input or state the user can fix."""
