"""The fast parser reads exactly what feedparser reads, or declines.

Runs over every document of feedparser's own test suite (read in place from
``../shared/data``) and over generated feeds with the shapes real news feeds have.
"""

from __future__ import annotations

import pytest

from monitor.collect import fastparse
from monitor.collect.normalize import normalize_entries
from monitor.collect.parse import ParseFailure, parse_document, parse_with_feedparser
from tests.corpus import FEEDPARSER_CORPUS, corpus_documents
from tests.feedserver import atom, rss

BASE = "http://example.org/feeds/test.xml"

pytestmark = pytest.mark.skipif(
    not FEEDPARSER_CORPUS.exists(), reason="../shared/data/feedparser-corpus is not present"
)


def normalised(parsed):  # type: ignore[no-untyped-def]
    return normalize_entries(parsed.entries, parsed.language, 100_000)[0]


def test_fast_parser_agrees_with_feedparser_on_every_corpus_document():
    documents = corpus_documents()
    assert len(documents) > 2000
    accepted = 0
    disagreements = []
    for doc in documents:
        fast = fastparse.parse(doc.body, BASE, doc.content_type)
        if fast is None:
            continue
        accepted += 1
        reference = parse_with_feedparser(doc.body, BASE, doc.content_type)
        if normalised(fast) != normalised(reference):
            disagreements.append(doc.name)
    assert disagreements == []
    assert accepted >= 500  # it must actually take the common cases


def test_every_corpus_document_is_handled_and_every_entry_kept():
    for doc in corpus_documents():
        try:
            parsed = parse_document(doc.body, BASE, doc.content_type)
        except ParseFailure:
            continue
        reference = parse_with_feedparser(doc.body, BASE, doc.content_type)
        entries = normalised(parsed)
        assert len(parsed.entries) == len(reference.entries), doc.name
        assert len({e.key for e in entries}) == len(entries), doc.name


GENERATED = [
    rss(
        [
            {
                "title": f"Item {i} &amp; more",
                "link": f"https://example.org/{i}?a=1&amp;b=2",
                'guid isPermaLink="false"': f"id-{i}",
                "pubDate": "Tue, 07 Oct 2025 10:11:12 +0200",
                "description": '<![CDATA[<p>Hello <a href="/rel">rel</a> &amp; caf\u00e9</p>]]>',
                'dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/"': "A. Writer",
            }
            for i in range(5)
        ]
    ),
    rss([{"title": "No link", "guid": "https://example.org/permalink/1"}]),
    rss([{"title": "Ã©tÃ© double-encoded", "guid": "https://example.org/x"}]),
    atom(
        [
            {
                "id": f"<id>urn:uuid:{i:08d}-0000-0000-0000-000000000000</id>",
                "title": '<title type="html">A &lt;em&gt;b&lt;/em&gt;</title>',
                "link": f'<link href="https://example.org/a/{i}"/>',
                "published": "<published>2025-10-07T10:11:12.345+02:00</published>",
                "summary": '<summary type="html">&lt;p&gt;x&lt;/p&gt;</summary>',
                "author": "<author><name>B. Writer</name></author>",
            }
            for i in range(3)
        ]
    ),
    atom(
        [
            {
                "id": "<id>tag:example.org,2025:1</id>",
                "content": '<content type="html">&lt;b&gt;c&lt;/b&gt;</content>',
            }
        ]
    ),
]


@pytest.mark.parametrize("body", GENERATED, ids=range(len(GENERATED)))
def test_fast_parser_takes_and_matches_common_shapes(body: bytes):
    fast = fastparse.parse(body, BASE, "application/xml")
    assert fast is not None
    assert normalised(fast) == normalised(parse_with_feedparser(body, BASE, "application/xml"))
