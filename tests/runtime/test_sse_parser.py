"""``runtime.sse.SseParser``: the WHATWG "interpreting an event stream" rules, fed in chunks of any size,
and the decoding of event data into an operation's item type."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from generator.runtime.core import BaseClient
from generator.runtime.endpoint import Endpoint
from generator.runtime.exceptions import ResponseValidationError
from generator.runtime.models import ApiModel
from generator.runtime.sse import (
    EventStreamBase,
    RawEvent,
    ServerSentEvent,
    SseParser,
    decode_event_data,
    is_event_stream,
)


def parse(*chunks: bytes) -> list[RawEvent]:
    parser = SseParser()
    events: list[RawEvent] = []
    for chunk in chunks:
        events.extend(parser.feed(chunk))
    events.extend(parser.end())
    return events


def ev(
    data: str, event: str = "message", id: str | None = None, retry: int | None = None
) -> RawEvent:
    return RawEvent(event, data, id, retry)


def test_data_event_dispatched_on_blank_line() -> None:
    assert parse(b"data: hello\n\n") == [ev("hello")]


def test_multi_line_data_joined_with_newline() -> None:
    assert parse(b"data: a\ndata: b\ndata:\ndata: c\n\n") == [ev("a\nb\n\nc")]


def test_event_name_applies_to_one_event_only() -> None:
    assert parse(b"event: tick\ndata: 1\n\ndata: 2\n\n") == [
        ev("1", "tick"),
        ev("2"),
    ]


def test_only_one_space_after_the_colon_is_dropped() -> None:
    assert parse(b"data:x\n\ndata:  y\n\n") == [ev("x"), ev(" y")]


def test_value_keeps_later_colons() -> None:
    assert parse(b"data: a: b:c\n\n") == [ev("a: b:c")]


def test_field_without_colon_has_empty_value() -> None:
    # "data" alone adds an empty line to the data: two of them make "\n".
    assert parse(b"data\ndata\n\n") == [ev("\n")]
    assert parse(b"data\n\n") == [ev("")]


def test_empty_data_buffer_is_not_dispatched() -> None:
    # No data lines: nothing is dispatched, and the event name does not leak to the next event.
    assert parse(b"event: ping\n\nid: 3\n\ndata: x\n\n") == [ev("x", id="3")]


def test_comments_are_ignored() -> None:
    assert parse(b": keep-alive\n:\ndata: x\n: between\n\n") == [ev("x")]


def test_unknown_fields_are_ignored() -> None:
    assert parse(b"foo: bar\nData: no\ndata: yes\n\n") == [ev("yes")]


def test_id_carries_over_and_resets_with_an_empty_value() -> None:
    assert parse(b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n") == [
        ev("a", id="1"),
        ev("b", id="1"),
        ev("c", id=""),
    ]


def test_id_containing_nul_is_ignored() -> None:
    parser = SseParser()
    events = parser.feed(b"id: 7\ndata: a\n\nid: 8\x009\ndata: b\n\n")
    assert events == [ev("a", id="7"), ev("b", id="7")]
    assert parser.last_event_id == "7"


def test_retry_digits_only() -> None:
    parser = SseParser()
    events = parser.feed(
        b"retry: 2500\ndata: a\n\nretry: 1.5\ndata: b\n\nretry: x1\nretry: \ndata: c\n\n"
    )
    assert events == [ev("a", retry=2500), ev("b"), ev("c")]
    assert parser.retry == 2500
    parser.feed(b"retry: 10\n\n")  # set without an event
    assert parser.retry == 10
    parser.feed(
        "retry: \u0661\u0662\n\n".encode()
    )  # Arabic-Indic digits are not ASCII digits
    assert parser.retry == 10


@pytest.mark.parametrize("end", [b"\r\n", b"\n", b"\r"])
def test_every_line_end(end: bytes) -> None:
    body = end.join([b"event: e", b"data: 1", b"data: 2", b"", b"data: 3", b"", b""])
    assert parse(body) == [ev("1\n2", "e"), ev("3")]


def test_mixed_line_ends() -> None:
    assert parse(b"data: a\r\ndata: b\rdata: c\n\r\n") == [ev("a\nb\nc")]


def test_cr_at_the_end_of_a_chunk_and_lf_at_the_start_of_the_next() -> None:
    # One CRLF line end split across two chunks: not two line ends (which would dispatch early).
    assert parse(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == [ev("a\nb")]


def test_cr_chunk_end_followed_by_other_text() -> None:
    assert parse(b"data: a\r", b"data: b\r", b"\r") == [ev("a\nb")]


def test_leading_bom_dropped_once() -> None:
    assert parse(b"\xef\xbb\xbfdata: x\n\n") == [ev("x")]
    # Split across chunks, and only the first: a second BOM is part of the field name.
    assert parse(b"\xef", b"\xbb", b"\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n") == [
        ev("y")
    ]


def test_utf8_split_across_chunks_and_invalid_bytes_replaced() -> None:
    text = "data: h\u00e9llo \u2603\n\n".encode()
    assert parse(*[text[i : i + 1] for i in range(len(text))]) == [
        ev("h\u00e9llo \u2603")
    ]
    assert parse(b"data: a\xffb\n\n") == [ev("a\ufffdb")]


def test_incomplete_event_at_the_end_is_dropped() -> None:
    assert parse(b"data: a\n\ndata: b\n") == [ev("a")]
    assert parse(b"data: a\n\ndata: b") == [ev("a")]


def test_end_keeps_last_event_id_and_retry_for_a_reconnection() -> None:
    parser = SseParser()
    assert parser.feed(b"id: 5\nretry: 100\ndata: a\n\ndata: cut") == [
        ev("a", id="5", retry=100)
    ]
    assert parser.end() == []
    assert (parser.last_event_id, parser.retry) == ("5", 100)
    # The new stream starts clean: a BOM is dropped again, the half event is gone.
    assert parser.feed(b"\xef\xbb\xbfdata: b\n\n") == [ev("b", id="5")]


def test_feed_returns_events_as_soon_as_they_complete() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\n") == []
    assert parser.feed(b"\n") == [ev("a")]
    assert parser.feed(b"data: b\n\ndata: c") == [ev("b")]


_SAMPLE = (
    "\ufeff: hello\r\n"
    "retry: 1000\n"
    'event: add\rid: 1\r\ndata: {"n": 1}\ndata: 2\n\n'
    "data\n\n"
    "id: 2\x00\ndata: \u00e9\u2603 caf\u00e9\r\n\r\n"
    "event: skipped\n\n"
    "id\ndata:  spaced\r\r"
    ": trailing\ndata: [DONE]\n\n"
    "data: never dispatched\n"
).encode()


@pytest.mark.parametrize("seed", range(40))
def test_random_chunk_splits_equal_the_unsplit_parse(seed: int) -> None:
    whole = parse(_SAMPLE)
    assert len(whole) == 5
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(_SAMPLE)), rng.randint(1, 30)))
    chunks = [
        _SAMPLE[a:b] for a, b in zip([0, *cuts], [*cuts, len(_SAMPLE)], strict=True)
    ]
    assert parse(*chunks) == whole


def test_every_single_byte_split_equals_the_unsplit_parse() -> None:
    assert parse(*[_SAMPLE[i : i + 1] for i in range(len(_SAMPLE))]) == parse(_SAMPLE)


def test_content_type_check() -> None:
    assert is_event_stream("text/event-stream")
    assert is_event_stream("Text/Event-Stream; charset=utf-8")
    assert not is_event_stream("application/json")
    assert not is_event_stream(None)


# -- decoding --------------------------------------------------------------------------------------------


class Tick(ApiModel):
    symbol: str
    price: float


def _endpoint(tp: Any) -> Endpoint:
    return Endpoint("streamTicks", "GET", "/ticks", response_types=lambda: {"200": tp})


def test_decode_into_model_str_and_undeclared() -> None:
    tick = decode_event_data(_endpoint(Tick), '{"symbol": "A", "price": 1.5}')
    assert isinstance(tick, Tick) and tick.price == 1.5
    assert decode_event_data(_endpoint(str), '{"not": "parsed"}') == '{"not": "parsed"}'
    assert decode_event_data(_endpoint(None), '{"a": [1]}') == {"a": [1]}
    assert decode_event_data(_endpoint(None), "plain text") == "plain text"
    assert decode_event_data(_endpoint(list[int]), "[1, 2]") == [1, 2]


@pytest.mark.parametrize("data", ["not json", '{"symbol": "A"}', "[1]"])
def test_malformed_event_names_the_operation(data: str) -> None:
    with pytest.raises(ResponseValidationError) as info:
        decode_event_data(_endpoint(Tick), data)
    assert info.value.operation_id == "streamTicks"
    assert str(info.value).startswith("streamTicks: ")


def test_stream_base_sentinel_and_reconnect_decisions() -> None:
    stream: EventStreamBase[Tick] = EventStreamBase(
        BaseClient(),
        _endpoint(Tick),
        {},
        {
            "sentinel": "[DONE]",
            "reconnect": True,
            "last_event_id": "4",
            "headers": {"X-A": "1"},
            "retries": 2,
        },
    )
    assert stream.request_options() == {
        "headers": {"X-A": "1", "Last-Event-ID": "4"},
        "retries": 2,
    }
    stream.feed(b'id: 5\ndata: {"symbol": "A", "price": 1}\n\n')
    first = stream.pop()
    assert first is not None and isinstance(first, ServerSentEvent)
    assert (first.event, first.id, first.data.symbol) == ("message", "5", "A")
    assert stream.pop() is None
    assert stream.reconnect_delay() == 3.0  # no retry from the server yet
    stream.feed(b"retry: 250\n\n")
    assert stream.reconnect_delay() == 0.25
    stream.feed(b'data: [DONE]\n\ndata: {"symbol": "B", "price": 2}\n\n')
    assert stream.pop() is None and stream.finished
    assert stream.reconnect_delay() is None  # the sentinel ends it for good


def test_reconnect_is_off_by_default() -> None:
    stream: EventStreamBase[Any] = EventStreamBase(
        BaseClient(), _endpoint(None), {}, {"request_timeout": 5}
    )
    assert stream.request_options() == {"request_timeout": 5}
    stream.connected = True
    stream.feed(b"data: 1\n\ndata: 2\n\n")
    assert stream.step() == ServerSentEvent(1)
    stream.body_ended()
    assert stream.step() == ServerSentEvent(2)
    assert stream.step() == "stop"  # the body ended and reconnecting is off
    assert stream.reconnect_delay() is None


def test_buffered_counts_the_event_being_received() -> None:
    parser = SseParser()
    parser.feed(b"data: 12345\ndata: 678")
    assert parser.buffered == 6 + 9  # "12345\n" and the unfinished line "data: 678"
    parser.feed(b"\n\n")
    assert parser.buffered == 0


class Quote(ApiModel):
    price: Decimal


def test_decimal_item_types_are_parsed_exactly() -> None:
    endpoint = Endpoint(
        "quotes",
        "GET",
        "/quotes",
        response_types=lambda: {"200": Quote},
        exact_decimals=True,
    )
    quote = decode_event_data(endpoint, '{"price": 0.1000000000000000000001}')
    assert quote.price == Decimal("0.1000000000000000000001")
