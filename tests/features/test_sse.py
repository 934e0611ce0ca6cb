"""Server-sent events in a generated ``both`` package (tests/features/specs/events.yaml), both twins,
against a real loopback SSE server: typed events from ``itemSchema`` / the schema / plain text, the
``x-sse-sentinel``, closing, errors naming the operation, the arguments on the wire, and the streaming
examples of the README and of the API pages run as they are printed (only the host swapped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.render.docs_features import EVENT_STREAM_MARKER
from tests.examples.conftest import code_blocks, run_block
from tests.support.sse_server import Reply, SseServer
from tests.support.twins import TWINS

HOST = "https://events.example.com/v1"


@pytest.fixture
def sse() -> Iterator[SseServer]:
    with SseServer() as server:
        yield server


def tick(n: int) -> bytes:
    return (
        f'id: {n}\nevent: tick\ndata: {{"symbol": "S{n}", "price": {n}}}\n\n'.encode()
    )


def events_of(
    pkg: Any, twin: str, url: str, method: str, *args: Any, **kwargs: Any
) -> list[Any]:
    """Every event of one call of ``StreamsApi.<method>`` (``AsyncStreamsApi`` for the asyncio twin)."""
    import asyncio

    configuration = pkg.Configuration(host=url, api_key={"ApiKey": "k-1"})
    if twin == "sync":
        with pkg.ApiClient(configuration) as client:
            with getattr(pkg.StreamsApi(client), method)(*args, **kwargs) as stream:
                assert isinstance(stream, pkg._runtime.sse_sync.EventStream)
                return list(stream)

    async def main() -> list[Any]:
        async with pkg.AsyncApiClient(configuration) as client:
            stream = getattr(pkg.AsyncStreamsApi(client), method)(*args, **kwargs)
            async with stream:
                return [event async for event in stream]

    return asyncio.run(main())


@pytest.mark.parametrize("twin", TWINS)
def test_item_schema_events_are_typed(
    twin: str, sse: SseServer, events_both: Any
) -> None:
    sse.reply(Reply([b": open\n\n", tick(1), tick(2)]))
    events = events_of(
        events_both, twin, sse.url, "stream_ticks", "XNAS", symbols=["A", "B"]
    )
    assert [type(e.data) for e in events] == [events_both.Tick] * 2
    assert [(e.event, e.id, e.data.symbol, e.data.price) for e in events] == [
        ("tick", "1", "S1", 1.0),
        ("tick", "2", "S2", 2.0),
    ]
    (request,) = sse.requests
    assert request.path == "/markets/XNAS/ticks?symbols=A,B"
    assert request.header("X-Api-Key") == "k-1"
    assert request.header("Accept") == "text/event-stream, application/json"


@pytest.mark.parametrize("twin", TWINS)
def test_sentinel_from_the_spec_ends_the_stream(
    twin: str, sse: SseServer, events_both: Any
) -> None:
    sse.reply(
        Reply(
            [
                b'data: {"text": "Hel", "index": 0}\n\n',
                b'data: {"text": "lo"}\n\ndata: [DONE]\n\n',
                b'data: {"text": "after the end"}\n\n',
            ],
            hang=True,
        )
    )
    events = events_of(
        events_both, twin, sse.url, "stream_completion", {"prompt": "Say hello"}
    )
    assert [e.data.text for e in events] == ["Hel", "lo"]
    assert sse.disconnected.wait(5)  # the client hung up at the sentinel
    (request,) = sse.requests
    assert request.path == "/completions"
    assert request.header("Content-Type") == "application/json"


@pytest.mark.parametrize("twin", TWINS)
def test_text_events(twin: str, sse: SseServer, events_both: Any) -> None:
    sse.reply(
        Reply([b'data: {"not": "json here"}\ndata: line two\n\n', b"data: 2\n\n"])
    )
    events = events_of(events_both, twin, sse.url, "follow_logs")
    assert [e.data for e in events] == ['{"not": "json here"}\nline two', "2"]


@pytest.mark.parametrize("twin", TWINS)
def test_malformed_event_raises_naming_the_operation(
    twin: str, sse: SseServer, events_both: Any
) -> None:
    sse.reply(Reply([tick(1), b'data: {"symbol": "X"}\n\n']))
    with pytest.raises(events_both.exceptions.ResponseValidationError) as info:
        events_of(events_both, twin, sse.url, "stream_ticks", "XNAS")
    assert str(info.value).startswith("streamTicks: ")
    assert info.value.path == "price"


@pytest.mark.parametrize("twin", TWINS)
def test_arguments_are_checked(twin: str, events_both: Any) -> None:
    with pytest.raises(
        Exception, match="stream_ticks\n1\n  Input should be a valid string"
    ):
        events_of(events_both, twin, "http://127.0.0.1:9", "stream_ticks", 42)


# -- the examples ----------------------------------------------------------------------------------------


def _project(events_both: Any) -> Path:
    return Path(events_both.__file__).resolve().parents[1]


def _run(code: str, url: str, where: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("API_KEY", "example-key")
    assert HOST in code
    return run_block(code.replace(HOST, url), where, timeout=30)


def _completion_reply(sse: SseServer) -> None:
    sse.replies.clear()
    sse.requests.clear()
    sse.reply(
        Reply(
            [
                b'data: {"text": "Hel"}\n\n',
                b'data: {"text": "lo"}\n\ndata: [DONE]\n\n',
            ],
            hang=True,
        )
    )


def test_readme_streaming_examples_run(
    events_both: Any, sse: SseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = _project(events_both) / "README.md"
    blocks = [
        b.code
        for b in code_blocks(readme)
        if b.language == "python" and b.code.startswith(EVENT_STREAM_MARKER)
    ]
    # one per operation and client surface
    assert len(blocks) == 6
    assert sum("async with" in code for code in blocks) == 3
    completion = [code for code in blocks if ".stream_completion(" in code]
    assert len(completion) == 2
    for code in completion:
        _completion_reply(sse)
        output = _run(code, sse.url, f"{readme}:stream_completion", monkeypatch)
        assert output.splitlines() == [
            "message None text='Hel' index=None",
            "message None text='lo' index=None",
        ]
        assert sse.requests[0].header("X-Api-Key") == "example-key"
    ticks = [code for code in blocks if ".stream_ticks(" in code]
    for code in ticks:
        sse.replies.clear()
        sse.reply(Reply([tick(1), tick(2)]))
        output = _run(code, sse.url, f"{readme}:stream_ticks", monkeypatch)
        assert output.splitlines() == [
            "tick 1 symbol='S1' price=1.0",
            "tick 2 symbol='S2' price=2.0",
        ]


@pytest.mark.parametrize("page", ["StreamsApi.md", "AsyncStreamsApi.md"])
def test_api_page_streaming_examples_run(
    page: str, events_both: Any, sse: SseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _project(events_both) / "docs" / page
    blocks = [b.code for b in code_blocks(path) if b.language == "python"]
    methods = [re.findall(r"api_instance\.(\w+)\(", code) for code in blocks]
    assert methods == [["follow_logs"], ["stream_completion"], ["stream_ticks"]]
    replies = {
        "follow_logs": ([b"data: a line\n\n"], 1),
        "stream_completion": (
            [b'data: {"text": "Hel"}\n\n', b'data: {"text": "lo"}\n\ndata: [DONE]\n\n'],
            2,
        ),
        "stream_ticks": ([tick(1), tick(2), tick(3)], 3),
    }
    for code, (method,) in zip(blocks, methods, strict=True):
        assert ("async with api_instance." in code) == page.startswith("Async")
        chunks, expected = replies[method]
        sse.replies.clear()
        sse.reply(Reply(chunks, hang=method == "stream_completion"))
        output = _run(code, sse.url, f"{path}:{method}", monkeypatch)
        assert "Exception when calling" not in output, output
        assert output.count("Event ") == expected, output
