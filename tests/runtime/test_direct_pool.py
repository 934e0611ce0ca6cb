"""The sync transport's direct path (``Urllib3Transport.direct``: a cached connection pool instead of
``PoolManager.urlopen`` parsing every URL, kept because the client benchmark needs it to hold 0.9x raw
urllib3) is pinned to the general path: the same pool, the same request target, the same bytes on the wire.
"""

from __future__ import annotations

import random

import pytest
import urllib3
from urllib3.util import parse_url

from generator.runtime.client_sync import Urllib3Transport
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.request import PreparedRequest
from tests.support.recording_server import RecordingServer

URLS = [
    "http://127.0.0.1:8080/assets/2254f2c8-5797-40e8-ac56-41166dc0e159",
    "http://example.com/a/b?x=1&y=%2F",
    "https://example.com/",
    "https://Example.COM:443/path",
    "http://example.com:80/p",
    "http://[::1]:8080/v6",
    "http://user:secret@example.com/p",
    "http://example.com/a/./b",
    "http://example.com/a/../b",
    "http://example.com/..",
    "http://example.com/a b",
    "http://example.com/%e2%82%ac",
    "http://example.com/%E2%82%AC?q=%41",
    "http://example.com/a?b=c#frag",
    "http://example.com/é",
    "http://example.com",
    "http://example.com/a/%2e%2e/b",
    "ftp://example.com/a",
]
_ALPHABET = "abcAZ09-._~!$&'()*+,;=:@/?%#[] é\\\"<>{}|^`"


def _random_urls(n: int) -> list[str]:
    rnd = random.Random(18)
    hosts = ["http://h.example", "https://h.example:8443", "http://127.0.0.1:1"]
    return [
        rnd.choice(hosts)
        + "/"
        + "".join(rnd.choice(_ALPHABET) for _ in range(rnd.randint(0, 12)))
        for _ in range(n)
    ]


def test_direct_pool_and_target_are_pool_managers() -> None:
    transport = Urllib3Transport(BaseConfiguration(host="http://unused"))
    taken = 0
    try:
        for url in URLS + _random_urls(3000):
            direct = transport.direct(url)
            if direct is None:
                continue  # the general path sends it
            taken += 1
            pool, target = direct
            assert pool is transport.pool_manager.connection_from_url(url), url
            assert target == parse_url(url).request_uri, url
            assert transport.direct(url) == (pool, target)  # cached, same answer
    finally:
        transport.close()
    assert taken > 300  # the check is not vacuous


def test_direct_path_only_for_the_plain_pool_manager() -> None:
    proxied = Urllib3Transport(
        BaseConfiguration(host="http://unused", proxy="http://127.0.0.1:9")
    )
    assert isinstance(proxied.pool_manager, urllib3.ProxyManager)
    assert proxied.direct("http://example.com/a") is None
    plain = Urllib3Transport(BaseConfiguration(host="http://unused"))
    assert plain.direct("http://example.com/a") is not None
    assert plain.direct("http://example.com/a/../b") is None
    assert plain.direct("http://example.com/a b") is None


def test_direct_pool_looked_up_again_after_close() -> None:
    transport = Urllib3Transport(BaseConfiguration(host="http://unused"))
    direct = transport.direct("http://example.com/a")
    assert direct is not None
    transport.close()
    again = transport.direct("http://example.com/a")
    assert again is not None and again[0] is not direct[0]
    assert again[0] is transport.pool_manager.connection_from_url(
        "http://example.com/a"
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/assets/abc?x=1&y=%2F", None),
        ("POST", "/assets/create", b'{"a":1}'),
        ("PUT", "/a/./b", b"x"),  # not direct: PoolManager.urlopen
    ],
)
def test_direct_and_general_paths_send_the_same_bytes(
    method: str, path: str, body: bytes | None
) -> None:
    server = RecordingServer().start()
    transport = Urllib3Transport(BaseConfiguration(host=server.url))
    try:
        request = PreparedRequest(
            method,
            server.url + path,
            {"Accept": "application/json", "User-Agent": "t"},
            body,
        )
        server.enqueue(200, b"one")
        server.enqueue(200, b"two")
        watch = transport.watch(None)
        try:
            first = transport.send(request, (5.0, 5.0, None), watch)
            assert first.read() == b"one"
            transport.pool_manager.urlopen(  # the general path, as before the shortcut
                method,
                server.url + path,
                body=body,
                headers=request.headers,
                retries=False,
                redirect=False,
            )
        finally:
            transport.unwatch(watch)
        sent, general = server.requests
        assert (sent.method, sent.target, sent.headers, sent.raw_body) == (
            general.method,
            general.target,
            general.headers,
            general.raw_body,
        )
    finally:
        transport.close()
        server.stop()
