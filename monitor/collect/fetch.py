"""HTTP retrieval of feeds: bounded, capped, conditional, and never raising.

One :class:`Fetcher` owns an httpx connection pool and a thread pool. At most
``concurrency`` fetches run at once and at most ``per_host`` against one host: feeds
are queued per host and each finished fetch starts the next one for that host, so no
thread sits blocked waiting for a host slot. Each fetch has connect and read timeouts
plus a total deadline, a body size cap (on the declared length and again while
streaming, after decompression), and sends the stored ETag and Last-Modified.
Redirects are followed here, so that a chain of permanent redirects (301/308) can be
reported and the stored URL updated.

Requests go straight to httpx's transport: the client layer adds cookie handling and
redirect logic we do not want, and costs a third of the time of a 304.
"""

from __future__ import annotations

import functools
import queue
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
DRAIN_LIMIT = 64 * 1024


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


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle takes ~20 ms; do it once per process, not once per pass."""
    return ssl.create_default_context()


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class Fetcher:
    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None) -> None:
        self.policy = policy
        self._transport = transport or httpx.HTTPTransport(
            verify=_tls_context(),
            limits=httpx.Limits(
                max_connections=policy.concurrency * 2,
                max_keepalive_connections=policy.concurrency * 2,
            ),
        )
        self._headers = {
            "User-Agent": policy.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        self._timeout = {
            "connect": policy.connect_timeout,
            "read": policy.read_timeout,
            "write": policy.read_timeout,
            "pool": policy.total_timeout,
        }
        self._pool = ThreadPoolExecutor(max_workers=policy.concurrency, thread_name_prefix="fetch")

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._transport.close()

    def fetch_many(self, feeds: Iterable[FeedState]) -> Iterator[tuple[FeedState, FetchResult]]:
        """Yield results in the order they complete, within the concurrency limits."""
        by_host: dict[str, deque[FeedState]] = {}
        for feed in feeds:
            by_host.setdefault(_host(feed.url), deque()).append(feed)
        total = sum(len(q) for q in by_host.values())
        done: queue.SimpleQueue[tuple[FeedState, Future[FetchResult]]] = queue.SimpleQueue()
        hosts = deque(by_host)
        # Re-entrant: a future that is already done runs its callback inside add_done_callback,
        # while start_more still holds the lock.
        lock = threading.RLock()
        running = {host: 0 for host in by_host}
        in_flight = 0

        def start_more() -> None:
            nonlocal in_flight
            with lock:
                for _ in range(len(hosts)):
                    if in_flight >= self.policy.concurrency:
                        return
                    host = hosts[0]
                    hosts.rotate(-1)
                    if by_host[host] and running[host] < self.policy.per_host:
                        feed = by_host[host].popleft()
                        running[host] += 1
                        in_flight += 1
                        future = self._pool.submit(self.fetch, feed)
                        future.add_done_callback(lambda f, feed=feed: finished(feed, f))

        def finished(feed: FeedState, future: Future[FetchResult]) -> None:
            nonlocal in_flight
            with lock:
                running[_host(feed.url)] -= 1
                in_flight -= 1
            done.put((feed, future))

        while in_flight < self.policy.concurrency and any(by_host.values()):
            before = in_flight
            start_more()
            if in_flight == before:
                break
        for _ in range(total):
            feed, future = done.get()
            start_more()
            yield feed, future.result()

    def fetch(self, feed: FeedState) -> FetchResult:
        started = datetime.now(UTC)
        clock = time.monotonic()
        try:
            return self._fetch(feed, started, clock)
        except Exception as exc:  # a bug in a dependency must not end the pass
            return self._failure(feed, started, clock, FetchErrorKind.other, exc)

    def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        request = httpx.Request(
            "GET", url, headers={**self._headers, **headers}, extensions={"timeout": self._timeout}
        )
        response = self._transport.handle_request(request)
        response.request = request
        return response

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
                response = self._send(url, headers)
            except httpx.HTTPError as exc:
                return self._failure(feed, started, clock, classify_error(exc), exc)
            except ValueError as exc:
                return self._failure(feed, started, clock, FetchErrorKind.other, exc)
            try:
                if response.is_redirect and "location" in response.headers:
                    self._drain(response)
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
                else:
                    self._drain(response)
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

    @staticmethod
    def _drain(response: httpx.Response) -> None:
        """Read a small non-feed body so the connection can be reused; drop big ones."""
        declared = response.headers.get("content-length")
        if response.status_code in (204, 304) or (
            declared is not None and declared.isdigit() and int(declared) <= DRAIN_LIMIT
        ):
            response.read()

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
        if isinstance(error, str):
            message = error
        else:
            message = f"{type(error).__name__}: {error}".rstrip(": ")
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
        if any(
            s in text
            for s in (
                "name or service not known",
                "nodename nor servname",
                "getaddrinfo",
                "name resolution",
                "no address associated",
            )
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
