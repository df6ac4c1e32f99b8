"""Early-warning monitor for national focal points on genocide and atrocity prevention.

Data flows one way through stages, each a subpackage that reads from and writes to
the store: ``collect`` -> ``enrich`` -> ``classify`` -> ``assess`` -> ``brief`` /
``export``.
"""

__version__ = "0.1.0"
