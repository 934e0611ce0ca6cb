"""Item 8: API methods validate their arguments before anything is sent, raising pydantic's
``ValidationError`` as OpenAPI Generator's clients do (missing arguments, wrong types, strict scalars,
constraints, ``_request_timeout``), in the sync and the asyncio client."""

from __future__ import annotations

import asyncio
import inspect
from types import ModuleType

import pydantic
import pytest

from tests.support.recording_server import RecordingServer


@pytest.fixture
def dogs(kennel: ModuleType, server: RecordingServer) -> object:
    config = kennel.Configuration(host=server.url)
    config.api_key["key"] = "k"
    return kennel.DogsApi(kennel.ApiClient(config))


def test_missing_required_argument(dogs: object, server: RecordingServer) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        dogs.get_dog()  # type: ignore[attr-defined]
    assert "1 validation error for DogsApi.get_dog" in str(caught.value)
    assert "Missing required argument" in str(caught.value)
    assert server.requests == []


def test_wrong_types_are_refused_strictly(
    dogs: object, server: RecordingServer
) -> None:
    with pytest.raises(
        pydantic.ValidationError, match="Input should be a valid integer"
    ):
        dogs.get_dog("123")  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError, match="valid boolean"):
        dogs.get_dog(1, verbose="yes")  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError, match="valid list"):
        dogs.search_dogs("rex")  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError):
        dogs.add_dog(42)  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError, match="Unexpected keyword argument"):
        dogs.get_dog(1, colour="red")  # type: ignore[attr-defined]
    assert server.requests == []


def test_request_options_are_checked(dogs: object) -> None:
    for timeout in ("1.0", (), (1.0, 1.0, 1.0)):
        with pytest.raises(pydantic.ValidationError):
            dogs.get_dog(1, _request_timeout=timeout)  # type: ignore[attr-defined]
    with pytest.raises(pydantic.ValidationError):
        dogs.get_dog(1, _headers="X-A: b")  # type: ignore[attr-defined]


def test_valid_calls_go_through_unchanged(
    dogs: object, kennel: ModuleType, server: RecordingServer
) -> None:
    server.enqueue(200, json={"kind": "dog", "name": "Rex"})
    dog = dogs.get_dog(7, verbose=True, _request_timeout=(2, 3.5))  # type: ignore[attr-defined]
    assert dog.name == "Rex"
    server.enqueue(200, json=[])
    dogs.search_dogs(["a", "b"], size="small")  # type: ignore[attr-defined]
    server.enqueue(200, json={"kind": "dog", "name": "Rex"})
    dogs.add_dog({"kind": "dog", "name": "Rex", "extra": {"x": 1}})  # type: ignore[attr-defined]
    assert [r.target for r in server.requests] == [
        "/dogs/7?verbose=true",
        "/dogs/search?names=a&names=b&size=small",
        "/dogs",
    ]
    assert server.requests[2].body == b'{"kind":"dog","name":"Rex","extra":{"x":1}}'
    # a plain dict for a JSON body is the caller's own data: sent as given, even when the model
    # would refuse it (the server decides)
    server.enqueue(200, json={"kind": "dog", "name": "Rex"})
    dogs.add_dog({"kind": "cow"})  # type: ignore[attr-defined]
    assert server.requests[3].body == b'{"kind":"cow"}'


def test_asyncio_methods_validate_and_stay_coroutine_functions(
    kennel_async: ModuleType, server: RecordingServer
) -> None:
    api_class = kennel_async.DogsApi
    assert inspect.iscoroutinefunction(api_class.get_dog)

    async def run() -> None:
        async with kennel_async.ApiClient(
            kennel_async.Configuration(host=server.url)
        ) as client:
            api = api_class(client)
            with pytest.raises(pydantic.ValidationError, match="DogsApi.get_dog"):
                await api.get_dog("1")
            server.enqueue(200, json=[])
            assert await api.search_dogs(["x"]) == []

    asyncio.run(run())
    assert [r.target for r in server.requests] == ["/dogs/search?names=x"]
