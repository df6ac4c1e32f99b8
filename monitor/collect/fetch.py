"""HTTP retrieval of feeds: bounded, capped, conditional, and never raising.

One :class:`Fetcher` owns an httpx client and a thread pool. Fetches run at most
``concurrency`` at a time and at most ``per_host`` at a time against one host. Each
fetch has connect and read timeouts plus a total deadline, a body size cap (checked
on the declared length and again while streaming, after decompression), and sends
the stored ETag and Last-Modified. Redirects are followed by hand so that a chain of
permanent redirects (301/308) can be reported and the stored URL updated.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from monitor import __version__
from monitor.collect.model import FeedState, FetchErrorKind, FetchResult

DEFAULT_USER_AGENT = (
    f"focalpoint-monitor/{__version__} (atrocity-prevention early-warning feed collector; "
    "+https://github.com/focalpoint-monitor/focalpoint-monitor)"
)
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
MAX_REDIRECTS = 5
PERMANENT = {301, 308}


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10_000_000
    concurrency: int = 8
    per_host: int = 2


class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass


class Fetcher:
    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept": ACCEPT},
            timeout=httpx.Timeout(
                connect=policy.connect_timeout,
                read=policy.read_timeout,
                write=policy.read_timeout,
                pool=policy.total_timeout,
            ),
            limits=httpx.Limits(
                max_connections=policy.concurrency * 2,
                max_keepalive_connections=policy.concurrency * 2,
            ),
            follow_redirects=False,
            transport=transport,
        )
        self._pool = ThreadPoolExecutor(max_workers=policy.concurrency, thread_name_prefix="fetch")
        self._host_locks: dict[str, threading.Semaphore] = {}
        self._host_guard = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def _host_slot(self, url: str) -> threading.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._host_guard:
            slot = self._host_locks.get(host)
            if slot is None:
                slot = self._host_locks[host] = threading.Semaphore(self.policy.per_host)
            return slot

    def fetch_many(self, feeds: Iterable[FeedState]) -> Iterator[tuple[FeedState, FetchResult]]:
        """Yield results as they complete; at most ``concurrency`` fetches in flight."""
        pending: dict[Future[FetchResult], FeedState] = {}
        queue = iter(feeds)
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.policy.concurrency:
                feed = next(queue, None)
                if feed is None:
                    exhausted = True
                    break
                pending[self._pool.submit(self.fetch, feed)] = feed
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                feed = pending.pop(future)
                yield feed, future.result()

    def fetch(self, feed: FeedState) -> FetchResult:
        started = datetime.now(UTC)
        clock = time.monotonic()
        with self._host_slot(feed.url):
            try:
                return self._fetch(feed, started, clock)
            except Exception as exc:  # a bug in a dependency must not end the pass
                return self._failure(feed, started, clock, FetchErrorKind.other, exc)

    def _fetch(self, feed: FeedState, started: datetime, clock: float) -> FetchResult:
        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        url = feed.url
        moved_to: str | None = None
        permanent_so_far = True
        deadline = clock + self.policy.total_timeout
        for _ in range(MAX_REDIRECTS + 1):
            try:
                request = self._client.build_request("GET", url, headers=headers)
                response = self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                return self._failure(feed, started, clock, classify_error(exc), exc)
            except ValueError as exc:
                return self._failure(feed, started, clock, FetchErrorKind.other, exc)
            try:
                if response.is_redirect and "location" in response.headers:
                    target = urljoin(url, response.headers["location"])
                    if urlsplit(target).scheme not in ("http", "https"):
                        return self._failure(
                            feed,
                            started,
                            clock,
                            FetchErrorKind.http,
                            f"redirect to a non-http URL {target!r}",
                            status=response.status_code,
                        )
                    permanent_so_far = permanent_so_far and response.status_code in PERMANENT
                    if permanent_so_far:
                        moved_to = target
                    url = target
                    continue
                body = None
                if response.status_code == 200:
                    body = self._read_body(response, deadline)
                return FetchResult(
                    feed_id=feed.id,
                    requested_url=feed.url,
                    started_at=started,
                    elapsed=time.monotonic() - clock,
                    status=response.status_code,
                    body=body,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    retry_after=response.headers.get("retry-after"),
                    moved_to=moved_to,
                )
            except _TooLarge:
                return self._failure(
                    feed,
                    started,
                    clock,
                    FetchErrorKind.too_large,
                    f"body larger than {self.policy.max_body_bytes:,} bytes",
                    status=response.status_code,
                )
            except _Deadline:
                return self._failure(
                    feed,
                    started,
                    clock,
                    FetchErrorKind.timeout,
                    f"took longer than {self.policy.total_timeout:g} s in total",
                    status=response.status_code,
                )
            except httpx.HTTPError as exc:
                return self._failure(
                    feed, started, clock, classify_error(exc), exc, status=response.status_code
                )
            finally:
                response.close()
        return self._failure(
            feed, started, clock, FetchErrorKind.http, f"more than {MAX_REDIRECTS} redirects"
        )

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self.policy.max_body_bytes
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise _TooLarge
            if time.monotonic() > deadline:
                raise _Deadline
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _failure(
        feed: FeedState,
        started: datetime,
        clock: float,
        kind: FetchErrorKind,
        error: BaseException | str,
        status: int | None = None,
    ) -> FetchResult:
        message = (
            error if isinstance(error, str) else f"{type(error).__name__}: {error}".rstrip(": ")
        )
        return FetchResult(
            feed_id=feed.id,
            requested_url=feed.url,
            started_at=started,
            elapsed=time.monotonic() - clock,
            status=status,
            error_kind=kind,
            error=message[:1000],
        )


def classify_error(exc: BaseException) -> FetchErrorKind:
    text = str(exc).lower()
    if isinstance(exc, httpx.TimeoutException):
        return FetchErrorKind.timeout
    if isinstance(exc, httpx.ConnectError):
        if (
            "name or service not known" in text
            or "nodename nor servname" in text
            or "getaddrinfo" in text
            or "name resolution" in text
        ):
            return FetchErrorKind.dns
        if "ssl" in text or "certificate" in text or "tls" in text:
            return FetchErrorKind.tls
        return FetchErrorKind.connect
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError | httpx.DecodingError):
        return FetchErrorKind.protocol
    if "ssl" in text or "certificate" in text:
        return FetchErrorKind.tls
    return FetchErrorKind.other
