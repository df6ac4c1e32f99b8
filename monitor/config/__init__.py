"""Watched-feed configuration (``feeds.yaml``)."""

from monitor.config.io import ConfigError, edit_config, load_config, load_config_or_empty
from monitor.config.schema import CollectorSettings, FeedConfig, FeedKind, MonitorConfig

__all__ = [
    "CollectorSettings",
    "ConfigError",
    "FeedConfig",
    "FeedKind",
    "MonitorConfig",
    "edit_config",
    "load_config",
    "load_config_or_empty",
]
