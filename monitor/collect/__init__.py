"""Collect stage: watched feeds into the item store."""

from monitor.collect.collector import CollectOptions, Collector
from monitor.collect.model import CollectSummary, FeedReport, Outcome

__all__ = ["CollectOptions", "CollectSummary", "Collector", "FeedReport", "Outcome"]
