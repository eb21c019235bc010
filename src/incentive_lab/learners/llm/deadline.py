"""The wall-clock deadline of one HTTP request: a watchdog that shuts the request's sockets.

``urllib``'s ``timeout`` bounds each socket read, not the request: a server dripping one
byte per read never trips it. :class:`Watchdog` starts a timer when the request starts; the
opener of :func:`deadline_opener` hands every socket it connects to the watchdog, which
shuts them down when the deadline passes (the blocked read returns at once and the caller
reports a late answer). Redirects are never followed (:class:`NoRedirect`). Used by
:class:`~.backends.OpenAIBackend` for chat and legacy completion requests alike.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from typing import Any


class Watchdog:
    """Shuts down the request's sockets when its wall-clock deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        """Start the timer."""
        self._timer.start()

    def cancel(self) -> None:
        """Stop the timer (the request finished)."""
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` at the deadline (at once if it passed)."""
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            shutdown(sock)


def shutdown(sock: socket.socket) -> None:
    """Shut both directions of ``sock``, ignoring an already closed socket."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def watched(base: type[http.client.HTTPConnection], watchdog: Watchdog) -> Any:
    """``base`` whose socket is handed to ``watchdog`` as soon as it connects."""

    class Watched(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            if self.sock is not None:
                watchdog.watch(self.sock)

    return Watched


class HTTPHandler(urllib.request.HTTPHandler):
    """HTTP connections watched by a :class:`Watchdog`."""

    def __init__(self, watchdog: Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> Any:
        """Open with a watched connection."""
        return self.do_open(watched(http.client.HTTPConnection, self.watchdog), req)


class HTTPSHandler(urllib.request.HTTPSHandler):
    """HTTPS connections watched by a :class:`Watchdog`."""

    def __init__(self, watchdog: Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def https_open(self, req: urllib.request.Request) -> Any:
        """Open with a watched connection."""
        connection = watched(http.client.HTTPSConnection, self.watchdog)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect (an API endpoint that redirects is misconfigured)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """No redirected request."""
        return None


def deadline_opener(watchdog: Watchdog) -> urllib.request.OpenerDirector:
    """An opener whose HTTP(S) sockets ``watchdog`` shuts at its deadline; no redirects."""
    return urllib.request.build_opener(HTTPHandler(watchdog), HTTPSHandler(watchdog), NoRedirect())
