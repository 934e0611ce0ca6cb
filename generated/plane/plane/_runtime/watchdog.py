"""Hard deadlines and ``close()`` for the sync client's blocking sockets.

A socket timeout only limits each read: a server dripping one byte per read keeps a blocking call going
for ever. Here a call registers a ``Watch`` (its deadline, and the connection it is using); one daemon
thread per process shuts down the socket of a watch whose deadline has passed, which ends the blocked
read at once. ``SyncApiClient.close()`` shuts down its connections the same way, in use or idle.

urllib3 makes connections through ``WatchedHTTPConnectionPool`` / ``WatchedHTTPSConnectionPool`` (set on
the client's ``PoolManager``): their connections attach themselves to the watch of the call that is
using them (a thread-local set around ``urlopen``) and to the client's set of connections.

The thread sleeps until the earliest deadline (or ``POLL`` seconds at most) and ends after ``IDLE_EXIT``
seconds without work; registering a watch wakes it only when its deadline is the earliest.
"""

from __future__ import annotations

import socket
import threading
import time
import weakref
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "POOL_CLASSES",
    "Watch",
    "Watchdog",
    "current",
    "shut_down",
    "watchdog",
]

POLL = 0.25
IDLE_EXIT = 5.0


class Watch:
    """One call in flight: when it must end (``end``, ``time.monotonic()``; None: never), the connection
    it is using, the client's connection set, and why it was cut short (``"timeout"``, ``"closed"``).
    """

    __slots__ = ("connection", "connections", "end", "fired")

    def __init__(
        self, end: float | None, connections: weakref.WeakSet[HTTPConnection]
    ) -> None:
        self.end = end
        self.connections = connections
        self.connection: HTTPConnection | None = None
        self.fired: str | None = None

    def interrupt(self, reason: str) -> bool:
        """Cut the call short: shut its socket down. False when it has no socket yet (try again)."""
        if self.fired is None:
            self.fired = reason
        connection = self.connection
        if (
            connection is None
            or getattr(connection, "_clientgen_watch", None) is not self
        ):
            return False
        return shut_down(connection)


def shut_down(connection: HTTPConnection) -> bool:
    """Shut a connection's socket down (both ways), which ends any read or write blocked on it at once
    (closing alone would not while another thread uses it). False when it has no socket.
    """
    sock = getattr(connection, "sock", None)
    if sock is None:
        return False
    try:
        # socket.socket's own shutdown: for a TLS socket too, without a TLS close exchange.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass
    return True


class _Current(threading.local):
    watch: Watch | None = None


current = _Current()
"""The watch of the call this thread is making (set by the client around ``urlopen``)."""


def _attach(connection: HTTPConnection, connecting: bool) -> None:
    """Tie ``connection`` to the current call's watch (and, when it is being opened, to the client's
    set of connections)."""
    watch = current.watch
    if watch is not None:
        connection._clientgen_watch = watch  # type: ignore[attr-defined]
        watch.connection = connection
        if connecting:
            watch.connections.add(connection)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _attach(self, True)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self, False)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _attach(self, True)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self, False)
        super().request(*args, **kwargs)


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {
    "http": WatchedHTTPConnectionPool,
    "https": WatchedHTTPSConnectionPool,
}
"""``PoolManager.pool_classes_by_scheme`` for watched connections."""


class Watchdog:
    """Interrupts calls whose deadline has passed (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._watches: set[Watch] = set()
        self._thread: threading.Thread | None = None
        self._wake_at = 0.0

    def start(self, watch: Watch) -> None:
        """Interrupt ``watch`` once its deadline passes (nothing to do for one without)."""
        if watch.end is None:
            return
        with self._lock:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="clientgen-watchdog", daemon=True
                )
                self._wake_at = watch.end
                self._thread.start()
            elif watch.end < self._wake_at:
                self._wakeup.notify()

    def stop(self, watch: Watch) -> None:
        """The call is over: forget it."""
        if watch.end is not None:
            with self._lock:
                self._watches.discard(watch)

    def _run(self) -> None:
        idle_since: float | None = None
        with self._lock:
            while True:
                now = time.monotonic()
                wake = now + POLL
                for watch in list(self._watches):
                    assert watch.end is not None
                    if watch.end > now:
                        wake = min(wake, watch.end)
                    elif watch.interrupt("timeout"):
                        self._watches.discard(watch)
                    else:  # no socket yet (connecting): look again soon
                        wake = min(wake, now + 0.02)
                if self._watches:
                    idle_since = None
                elif idle_since is None:
                    idle_since = now
                elif now - idle_since >= IDLE_EXIT:
                    self._thread = None
                    return
                self._wake_at = wake
                self._wakeup.wait(max(wake - now, 0.0))


watchdog = Watchdog()
"""The process's watchdog."""
