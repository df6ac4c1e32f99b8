"""The one rule for links that leave the monitor: plain http(s) or nothing."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def web_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) URL without spaces or control characters, else None.

    Feeds are untrusted: a ``javascript:`` or ``data:`` link must never become a link in
    a briefing or an export, even from data stored before the collector dropped them.
    """
    if not value or _UNSAFE.search(value):
        return None
    return value if value.lower().startswith(("http://", "https://")) else None
