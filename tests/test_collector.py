"""The collector against a real HTTP server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from monitor.collect import CollectOptions, Outcome
from monitor.collect.decide import backoff_seconds
from monitor.store.types import utcnow
from tests.feedserver import Route, atom, http_date, rss
from tests.helpers import collector, configure, feed_row, fetch_log, item_count, items

ITEMS = [
    {
        "title": "Clashes reported near Bunia",
        "link": "https://news.example.org/a",
        "guid": "https://news.example.org/a",
        "pubDate": "Wed, 01 Oct 2025 08:00:00 GMT",
        "description": "&lt;p&gt;Fighting &lt;b&gt;resumed&lt;/b&gt;.&lt;/p&gt;",
    },
    {
        "title": "Aid convoy blocked",
        "link": "https://news.example.org/b",
        "guid": "https://news.example.org/b",
        "pubDate": "Wed, 01 Oct 2025 09:00:00 GMT",
        "description": "A convoy was turned back.",
    },
]


def by_outcome(summary) -> dict[str, Outcome]:  # type: ignore[no-untyped-def]
    return {r.feed_id: r.outcome for r in summary.reports}


def test_first_pass_stores_items_with_sanitised_text(db, server):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config = configure(db, {"f": url})
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.ok}
    assert summary.new_items == 2
    stored = items(db)
    assert [i.title for i in stored] == ["Clashes reported near Bunia", "Aid convoy blocked"]
    assert stored[0].summary_text == "Fighting resumed."
    assert stored[0].summary_html == "<p>Fighting <b>resumed</b>.</p>"
    assert stored[0].published_at == datetime(2025, 10, 1, 8, tzinfo=UTC)
    assert stored[0].day.isoformat() == "2025-10-01"
    assert stored[0].url == "https://news.example.org/a"
    request = server.hits("/feed.xml")[0]
    assert "focalpoint-monitor" in request.headers["user-agent"]


def test_second_pass_sends_validators_and_gets_304(db, server):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert by_outcome(summary) == {"f": Outcome.not_modified}
    second = server.hits("/feed.xml")[1]
    assert second.headers["if-none-match"].startswith('"')
    assert second.headers["if-modified-since"] == "Wed, 01 Oct 2025 10:00:00 GMT"
    assert item_count(db) == 2


def test_last_modified_alone_gives_304(db, server):
    url = server.add("/feed.xml", Route(body=rss(ITEMS), etag=False))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert by_outcome(summary) == {"f": Outcome.not_modified}


def test_identical_body_without_validators_is_not_parsed_again(db, server):
    url = server.add("/feed.xml", Route(body=rss(ITEMS), etag=False, last_modified=None))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert by_outcome(summary) == {"f": Outcome.unchanged}
    assert [log.outcome for log in fetch_log(db, "f")] == ["ok", "unchanged"]
    assert item_count(db) == 2


def test_changed_entry_is_updated_not_duplicated(db, server):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    changed = [dict(ITEMS[0], title="Clashes reported near Bunia, 12 dead"), ITEMS[1]]
    server.routes["/feed.xml"].body = rss(changed)
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert summary.new_items == 0 and summary.updated_items == 1
    stored = items(db)
    assert len(stored) == 2
    assert stored[0].title == "Clashes reported near Bunia, 12 dead"
    assert stored[0].revision == 2 and stored[0].updated_at is not None
    assert stored[1].revision == 1


def test_new_entries_are_added_on_later_passes(db, server):
    url = server.add("/feed.xml", body=rss(ITEMS[:1]))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    server.routes["/feed.xml"].body = rss(ITEMS)
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert summary.new_items == 1
    assert item_count(db) == 2


def test_duplicate_guids_inside_one_feed_are_stored_once(db, server):
    dup = [ITEMS[0], dict(ITEMS[0], title="Same guid, second copy"), ITEMS[1]]
    url = server.add("/feed.xml", body=rss(dup))
    config = configure(db, {"f": url})
    summary = collector(db, config).collect()
    assert summary.new_items == 2
    assert [i.title for i in items(db)] == ["Clashes reported near Bunia", "Aid convoy blocked"]
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert item_count(db) == 2


def test_entries_without_ids_are_keyed_by_link_then_title_and_date(db, server):
    no_ids = [
        {"title": "Only a link", "link": "https://news.example.org/only-link"},
        {"title": "Neither id nor link", "pubDate": "Thu, 02 Oct 2025 07:00:00 GMT"},
        {"title": "Neither id nor link", "pubDate": "Fri, 03 Oct 2025 07:00:00 GMT"},
    ]
    url = server.add("/feed.xml", Route(body=rss(no_ids), etag=False, last_modified=None))
    config = configure(db, {"f": url})
    assert collector(db, config).collect().new_items == 3
    keys = [i.key for i in items(db)]
    assert keys[0].startswith("url:") and keys[1].startswith("th:") and keys[2].startswith("th:")
    server.routes["/feed.xml"].body = rss(no_ids) + b"\n"
    summary = collector(db, config).collect(CollectOptions(force=True))
    assert summary.new_items == 0 and item_count(db) == 3


def test_atom_feed(db, server):
    entries = [
        {
            "id": "<id>tag:example.org,2025:1</id>",
            "title": '<title type="html">Curfew &lt;b&gt;imposed&lt;/b&gt;</title>',
            "link": '<link rel="alternate" href="https://example.org/1"/>',
            "updated": "<updated>2025-10-02T12:30:00+02:00</updated>",
            "summary": '<summary type="text">Plain &lt;text&gt; summary</summary>',
        }
    ]
    url = server.add("/atom", Route(body=atom(entries), content_type="application/atom+xml"))
    config = configure(db, {"a": url})
    collector(db, config).collect()
    (item,) = items(db)
    assert item.title == "Curfew imposed"
    assert item.summary_text == "Plain <text> summary"
    assert item.summary_html == "<p>Plain &lt;text&gt; summary</p>"
    assert item.published_at == datetime(2025, 10, 2, 10, 30, tzinfo=UTC)


def test_permanent_redirect_updates_the_stored_url(db, server):
    new = server.add("/new.xml", body=rss(ITEMS))
    old = server.add("/old.xml", Route(status=301, headers={"Location": new}))
    config = configure(db, {"f": old})
    summary = collector(db, config).collect()
    assert summary.reports[0].moved_to == new
    assert feed_row(db, "f").url == new
    collector(db, config).collect(CollectOptions(force=True))
    assert len(server.hits("/old.xml")) == 1 and len(server.hits("/new.xml")) == 2


def test_temporary_redirect_keeps_the_stored_url(db, server):
    new = server.add("/new.xml", body=rss(ITEMS))
    old = server.add("/old.xml", Route(status=302, headers={"Location": new}))
    config = configure(db, {"f": old})
    collector(db, config).collect()
    assert feed_row(db, "f").url == old
    assert item_count(db) == 2


def test_410_disables_the_feed_with_a_reason(db, server):
    url = server.add("/gone.xml", Route(status=410, body=b"gone"))
    config = configure(db, {"f": url})
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.gone}
    row = feed_row(db, "f")
    assert row.disabled_reason and "410" in row.disabled_reason
    again = collector(db, config).collect(CollectOptions(force=True))
    assert again.reports == [] and len(server.hits("/gone.xml")) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(db, server, status):
    url = server.add("/busy.xml", Route(status=status, headers={"Retry-After": "7200"}))
    config = configure(db, {"f": url})
    before = utcnow()
    collector(db, config).collect()
    row = feed_row(db, "f")
    assert row.consecutive_failures == 1
    wait = (row.next_attempt_at - before).total_seconds()
    assert 7190 <= wait <= 7300


def test_retry_after_as_http_date(db, server):
    url = server.add("/busy.xml", Route(status=429, headers={"Retry-After": http_date(5400)}))
    config = configure(db, {"f": url})
    before = utcnow()
    collector(db, config).collect()
    wait = (feed_row(db, "f").next_attempt_at - before).total_seconds()
    assert 5300 <= wait <= 5500


def test_server_errors_back_off_exponentially_and_are_skipped_until_due(db, server):
    url = server.add("/broken.xml", Route(status=500, body=b"oops"))
    config = configure(db, {"f": url})
    waits = []
    for _ in range(4):
        before = utcnow()
        summary = collector(db, config).collect(CollectOptions(force=True))
        assert by_outcome(summary) == {"f": Outcome.error}
        waits.append((feed_row(db, "f").next_attempt_at - before).total_seconds())
    expected = [backoff_seconds(n, 3600, 86400) for n in range(1, 5)]
    assert expected == [900, 1800, 3600, 7200]
    for got, want in zip(waits, expected, strict=True):
        assert want - 5 <= got <= want + 5
    row = feed_row(db, "f")
    assert row.consecutive_failures == 4 and "HTTP 500" in row.last_error
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.skipped}
    assert len(server.hits("/broken.xml")) == 4


def test_backoff_is_capped_and_never_gives_up():
    assert backoff_seconds(40, 3600, 86400) == 86400
    assert backoff_seconds(1, 60, 86400) == 60


def test_success_after_failures_resets_health(db, server):
    url = server.add("/flaky.xml", Route(status=500))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    server.routes["/flaky.xml"] = Route(body=rss(ITEMS))
    collector(db, config).collect(CollectOptions(force=True))
    row = feed_row(db, "f")
    assert row.consecutive_failures == 0 and row.failing_since is None
    assert row.last_error is not None  # kept as history
    assert item_count(db) == 2


def test_read_timeout(db, server):
    url = server.add("/slow.xml", Route(body=rss(ITEMS), delay=3))
    config = configure(db, {"f": url}, read_timeout=0.5)
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.error}
    assert "timeout" in summary.reports[0].error


def test_slow_trickling_body_hits_the_total_deadline(db, server):
    body = rss(ITEMS * 1) + b" " * 4000
    url = server.add("/trickle.xml", Route(body=body, trickle=0.05))
    config = configure(db, {"f": url}, total_timeout=1.0, read_timeout=5)
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.error}
    assert "in total" in summary.reports[0].error


def test_oversized_body_is_refused(db, server):
    big = rss(ITEMS) + b"<!--" + b"x" * 300_000 + b"-->"
    url = server.add("/big.xml", body=big)
    config = configure(db, {"f": url}, max_body_bytes="100kB")
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.error}
    assert "too_large" in summary.reports[0].error
    assert item_count(db) == 0


def test_oversized_body_without_content_length_is_refused(db, server):
    def chunked(handler):  # type: ignore[no-untyped-def]
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"x" * 8192
        for _ in range(40):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")

    url = server.add("/chunked.xml", Route(handler=chunked))
    config = configure(db, {"f": url}, max_body_bytes="100kB")
    summary = collector(db, config).collect()
    assert "too_large" in summary.reports[0].error


def test_invalid_xml_is_a_recorded_failure_and_other_feeds_continue(db, server):
    bad = server.add("/bad.xml", body=b"<html><body>Not a feed at all</body>")
    good = server.add("/good.xml", body=rss(ITEMS))
    config = configure(db, {"bad": bad, "good": good})
    summary = collector(db, config).collect()
    outcomes = by_outcome(summary)
    assert outcomes == {"bad": Outcome.error, "good": Outcome.ok}
    assert "parse" in feed_row(db, "bad").last_error
    assert item_count(db) == 2


def test_malformed_feed_whose_entries_parse_is_ingested(db, server):
    body = rss(ITEMS).replace(b"</channel></rss>", b"<broken></channel></rss>")
    url = server.add("/bozo.xml", body=body)
    config = configure(db, {"f": url})
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.ok}
    assert item_count(db) == 2
    assert "bozo" in (fetch_log(db, "f")[0].error or "")


def test_declared_and_actual_encodings(db, server):
    latin = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Réfugiés à Ségou</title><guid>x1</guid></item></channel></rss>"
    ).encode("iso-8859-1")
    wrong_header = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Déplacés à Goma</title><guid>x2</guid></item></channel></rss>"
    ).encode()
    url1 = server.add("/latin.xml", Route(body=latin, content_type="application/rss+xml"))
    url2 = server.add(
        "/wrong.xml", Route(body=wrong_header, content_type="text/xml; charset=iso-8859-1")
    )
    config = configure(db, {"latin": url1, "wrong": url2})
    collector(db, config).collect()
    assert items(db, "latin")[0].title == "Réfugiés à Ségou"
    assert items(db, "wrong")[0].title  # stored whatever the header claimed
    assert item_count(db) == 2


def test_untrusted_html_is_neutralised(db, server):
    evil = [
        {
            "title": "&lt;script&gt;alert(1)&lt;/script&gt;Headline",
            "guid": "evil-1",
            "description": (
                "&lt;p onclick=&quot;steal()&quot;&gt;Hi&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
                "&lt;a href=&quot;javascript:alert(3)&quot;&gt;x&lt;/a&gt;&lt;img src=&quot;https://t.example/p.gif&quot;&gt;"
                "&lt;style&gt;body{}&lt;/style&gt;"
            ),
        }
    ]
    url = server.add("/evil.xml", body=rss(evil))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    (item,) = items(db)
    # A plain-text title is kept as the literal text it is; every output escapes it.
    assert item.title == "<script>alert(1)</script>Headline"
    for needle in ("<script", "onclick", "javascript:", "<img", "<style", "alert(2)"):
        assert needle not in item.summary_html
    assert item.summary_text == "Hi x"


def test_only_http_links_are_kept(db, server):
    entries = [
        {"title": "Script link", "guid": "s-1", "link": "javascript:alert(document.cookie)"},
        {"title": "Data link", "guid": "s-2", "link": "data:text/html,<script>alert(1)</script>"},
        {"title": "Web link", "guid": "s-3", "link": "https://news.example.org/c"},
    ]
    url = server.add("/links.xml", body=rss(entries))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    links = {i.title: i.url for i in items(db)}
    assert links == {
        "Script link": None,
        "Data link": None,
        "Web link": "https://news.example.org/c",
    }


def test_one_bad_feed_does_not_stop_the_pass(db, server):
    feeds = {
        "ok1": server.add("/1.xml", body=rss(ITEMS[:1])),
        "dead": "http://127.0.0.1:9/nothing-listens-here",
        "ok2": server.add("/2.xml", body=rss(ITEMS[1:])),
    }
    config = configure(db, feeds, connect_timeout=2)
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"ok1": Outcome.ok, "dead": Outcome.error, "ok2": Outcome.ok}
    assert item_count(db) == 2


def test_only_due_feeds_are_fetched(db, server):
    url = server.add("/feed.xml", body=rss(ITEMS))
    config = configure(db, {"f": url})
    collector(db, config).collect()
    summary = collector(db, config).collect()
    assert by_outcome(summary) == {"f": Outcome.skipped}
    assert feed_row(db, "f").next_attempt_at > utcnow() + timedelta(minutes=50)


def test_concurrency_limits_per_host_and_overall(server):
    """No more than per_host requests at once against one host, concurrency in all."""
    import threading
    import time as _time

    from monitor.collect.fetch import Fetcher, FetchPolicy
    from monitor.collect.model import FeedState

    active = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def slow(handler):  # type: ignore[no-untyped-def]
        with lock:
            active["now"] += 1
            active["peak"] = max(active["peak"], active["now"])
        _time.sleep(0.2)
        with lock:
            active["now"] -= 1
        body = rss(ITEMS)
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    feeds = [
        FeedState(id=str(i), url=server.add(f"/c{i}.xml", Route(handler=slow))) for i in range(8)
    ]
    with Fetcher(FetchPolicy(concurrency=8, per_host=3)) as fetcher:
        results = list(fetcher.fetch_many(feeds))
    assert sorted(r.feed_id for _, r in results) == sorted(f.id for f in feeds)
    assert all(r.status == 200 for _, r in results)
    assert active["peak"] == 3


@pytest.mark.timeout(30)
def test_fetches_that_finish_before_their_callback_is_attached_do_not_deadlock(server):
    """A done future runs its callback inside add_done_callback, under the scheduler's lock."""
    from concurrent.futures import Future

    from monitor.collect.fetch import Fetcher, FetchPolicy
    from monitor.collect.model import FeedState

    feeds = [FeedState(id=str(i), url=server.add(f"/d{i}.xml", body=rss(ITEMS))) for i in range(5)]
    with Fetcher(FetchPolicy(concurrency=2, per_host=2)) as fetcher:

        def immediately(fn, *args):  # type: ignore[no-untyped-def]
            future: Future = Future()
            future.set_result(fn(*args))
            return future

        fetcher._pool.submit = immediately  # type: ignore[method-assign]
        results = list(fetcher.fetch_many(feeds))
    assert sorted(r.feed_id for _, r in results) == [f.id for f in feeds]


def test_a_fast_feed_is_stored_while_a_slow_one_is_still_fetched(db, server):
    """Each feed is written as soon as it is parsed, not when the pass or a batch ends."""
    fast = server.add("/fast.xml", body=rss(ITEMS))
    slow = server.add("/slow.xml", Route(body=rss(ITEMS[:1]), delay=4.0))
    config = configure(db, {"fast": fast, "slow": slow})
    seen: list[tuple[str, int, float]] = []
    started = time.monotonic()

    def after_write(report):  # type: ignore[no-untyped-def]
        seen.append((report.feed_id, item_count(db), time.monotonic() - started))

    collector(db, config).collect(after_write=after_write)
    assert [(feed, count) for feed, count, _ in seen] == [("fast", 2), ("slow", 3)]
    assert seen[0][2] < 3.0 <= 4.0 <= seen[1][2]


def test_a_failing_write_stops_the_pass_and_its_parser_thread(db, server):
    urls = {f"f{n}": server.add(f"/f{n}.xml", body=rss(ITEMS)) for n in range(12)}
    config = configure(db, urls)

    def after_write(report):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        collector(db, config).collect(after_write=after_write)
    deadline = time.monotonic() + 5
    while any(t.name == "monitor-parse" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "parser thread still running after a failed pass"
        time.sleep(0.05)
    assert item_count(db) == 2  # the first feed's transaction committed before the failure
