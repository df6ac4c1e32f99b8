"""Access to feedparser's own test documents in ``../shared/data`` (read in place)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
FEEDPARSER_CORPUS = SHARED / "data" / "feedparser-corpus"

_HEADER = re.compile(r"^Header:\s*([^:]+):\s*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class CorpusDocument:
    path: Path
    body: bytes
    headers: dict[str, str]

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def name(self) -> str:
        return str(self.path.relative_to(FEEDPARSER_CORPUS))


def corpus_documents() -> list[CorpusDocument]:
    docs = []
    for path in sorted(FEEDPARSER_CORPUS.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".rss", ".atom", ".rdf", ".json"):
            continue
        body = path.read_bytes()
        head = body[:4096].decode("latin-1")
        headers = {k.strip().lower(): v.strip() for k, v in _HEADER.findall(head)}
        docs.append(CorpusDocument(path=path, body=body, headers=headers))
    return docs
