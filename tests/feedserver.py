"""A real HTTP server on 127.0.0.1 whose responses tests script per path.

Each path maps to a :class:`Route`; the server records every request so tests can
check what the collector sent (validators, User-Agent) and how often.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: bool = True
    last_modified: str | None = "Wed, 01 Oct 2025 10:00:00 GMT"
    delay: float = 0.0
    trickle: float = 0.0
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(
                        SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
                    )
                    route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
                    return
                if route.handler is not None:
                    route.handler(self)
                    return
                if route.delay:
                    time.sleep(route.delay)
                headers = {"Content-Type": route.content_type, **route.headers}
                tag = '"' + hashlib.sha1(route.body).hexdigest() + '"'
                if route.status == 200 and route.etag:
                    headers["ETag"] = tag
                if route.status == 200 and route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                if route.status == 200 and (
                    (route.etag and self.headers.get("If-None-Match") == tag)
                    or (
                        not route.etag
                        and route.last_modified
                        and self.headers.get("If-Modified-Since") == route.last_modified
                    )
                ):
                    self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
                    return
                if route.trickle:
                    self.send_response(route.status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    for i in range(0, len(route.body), 64):
                        try:
                            self.wfile.write(route.body[i : i + 64])
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(route.trickle)
                    return
                self._send(route.status, route.body, headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    try:
                        self.wfile.write(body)
                    except OSError:
                        pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, route: Route | None = None, **kwargs: object) -> str:
        self.routes[path] = route or Route(**kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


def rss(items: list[dict[str, str]], title: str = "Test feed", extra: str = "") -> bytes:
    """A small RSS 2.0 document; each item dict gives element name -> raw XML text."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{title}</title><link>https://example.org/</link><description>d</description>",
        extra,
    ]
    for item in items:
        parts.append(
            "<item>" + "".join(f"<{k}>{v}</{k.split()[0]}>" for k, v in item.items()) + "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def atom(entries: list[dict[str, str]], title: str = "Test feed") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{title}</title><id>urn:test:feed</id><updated>2025-10-01T10:00:00Z</updated>",
    ]
    for entry in entries:
        parts.append("<entry>" + "".join(entry.values()) + "</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")
