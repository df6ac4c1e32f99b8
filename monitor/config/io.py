"""Reading, validating and editing ``feeds.yaml``.

Reads validate the whole file and reject it with every problem named (feed, field,
what is wrong). Edits go through :func:`edit_config`, which keeps comments and order
(ruamel.yaml round-trip), validates the edited document before writing, and replaces
the file atomically, so a failed edit never leaves a broken or half-written file.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from monitor.config.schema import MonitorConfig
from monitor.errors import MonitorError

NEW_FILE_HEADER = """\
# Watched feeds for the focal-point monitor.
# Each feed: id, url, title, kind (news, ngo, un, government, other), language,
# countries (ISO 3166-1 alpha-3), poll_interval (30m, 2h, 1d), enabled, tags,
# reliability (0 to 1). Missing fields take the values under `defaults`.
# See docs/operator-guide.md for every setting.
defaults:
  kind: news
  poll_interval: 1h
  enabled: true
  reliability: 0.7
feeds: []
"""


class ConfigError(MonitorError):
    """feeds.yaml is missing, unreadable or invalid."""


def _yaml(typ: str) -> YAML:
    yaml = YAML(typ=typ)
    if typ == "rt":
        yaml.preserve_quotes = True
        yaml.indent(mapping=2, sequence=4, offset=2)
        yaml.width = 4096
    return yaml


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"No configuration file at {path}. Pass --config PATH, set MONITOR_CONFIG, "
            "or create one with `monitor feeds add`."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}") from None


def parse_yaml(text: str, path: Path) -> Any:
    try:
        return _yaml("safe").load(text)
    except YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    except ValueError as exc:
        # The YAML resolver builds dates itself: 2027-02-30 fails before validation.
        raise ConfigError(f"{path}: a value could not be read: {exc}") from None


def validate(data: Any, path: Path) -> MonitorConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping with a `feeds` list")
    try:
        return MonitorConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, data, path)) from None


def format_validation_error(exc: ValidationError, data: dict[str, Any], path: Path) -> str:
    """One line per problem, naming the feed by id and the field by name."""
    lines = [f"{path} is invalid ({exc.error_count()} problem(s)); nothing was loaded:"]
    feeds = data.get("feeds") if isinstance(data.get("feeds"), list) else []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ".".join(str(part) for part in loc) or "(top level)"
        if len(loc) >= 2 and loc[0] == "feeds" and isinstance(loc[1], int):
            index = loc[1]
            raw = feeds[index] if index < len(feeds) else None
            feed_id = raw.get("id") if isinstance(raw, dict) else None
            name = f"feed {feed_id!r}" if feed_id else "feed without id"
            field = ".".join(str(part) for part in loc[2:]) or "(entry)"
            where = f"{name} (feeds[{index}]): {field}"
        message = error["msg"].removeprefix("Value error, ")
        if not loc and message.startswith("feed "):
            lines.append(f"  - {message}")
            continue
        if error["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        elif error["type"] == "missing":
            message = "required field is missing"
        value = error.get("input")
        hide = (
            error["type"] == "missing" or isinstance(value, dict | list) or repr(value) in message
        )
        shown = "" if hide else f" (got {value!r})"
        lines.append(f"  - {where}: {message}{shown}")
    return "\n".join(lines)


def load_config(path: Path) -> MonitorConfig:
    return validate(parse_yaml(_read_text(path), path), path)


def load_config_or_empty(path: Path) -> MonitorConfig:
    return load_config(path) if path.exists() else MonitorConfig()


@contextmanager
def edit_config(path: Path) -> Iterator[CommentedMap]:
    """Yield the round-trip document; validate and write it back atomically on exit."""
    text = _read_text(path) if path.exists() else NEW_FILE_HEADER
    try:
        doc = _yaml("rt").load(text)
    except YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: a value could not be read: {exc}") from None
    if doc is None:
        doc = _yaml("rt").load(NEW_FILE_HEADER)
    if not isinstance(doc, CommentedMap):
        raise ConfigError(f"{path}: the top level must be a mapping with a `feeds` list")
    if not isinstance(doc.get("feeds"), CommentedSeq):
        doc["feeds"] = CommentedSeq()
    yield doc
    buffer = io.StringIO()
    _yaml("rt").dump(doc, buffer)
    new_text = buffer.getvalue()
    validate(parse_yaml(new_text, path), path)
    write_atomically(path, new_text)


def write_atomically(path: Path, content: str | bytes) -> None:
    """Replace ``path`` in one step, so a reader never sees half a file.

    An existing file keeps its permissions; a new one gets 0644 rather than mkstemp's
    private 0600 (the umask is not read: doing so is not thread-safe).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def feed_mapping(**fields: Any) -> CommentedMap:
    """A feed entry for the round-trip document, without empty fields."""
    entry = CommentedMap()
    for key, value in fields.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, list):
            seq = CommentedSeq(value)
            seq.fa.set_flow_style()
            value = seq
        entry[key] = value
    return entry
