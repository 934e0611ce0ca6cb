"""Run the same test against both clients of a package generated with ``library = "both"``.

``open_api(package, "AssetsApi", configuration, twin)`` yields the sync ``AssetsApi`` (``twin="sync"``)
or the asyncio ``AsyncAssetsApi`` (``twin="asyncio"``) behind a ``Blocking`` wrapper, whose methods run
each coroutine to its end on one event loop and return (or raise) what it did. A test written against the
sync surface then drives the asyncio twin unchanged: same calls, same results, same exceptions, with the
requests sent by aiohttp instead of urllib3.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Iterator
from typing import Any

TWINS = ("sync", "asyncio")
"""The two clients of a ``both`` package, as test parameters."""


class Blocking:
    """An ``Async<Tag>Api`` (or ``AsyncApiClient``) driven from synchronous code: calling one of its
    methods runs the coroutine it returns on ``runner`` and returns its result."""

    def __init__(self, target: Any, runner: asyncio.Runner) -> None:
        self._target = target
        self._runner = runner

    @property
    def wrapped(self) -> Any:
        return self._target

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            if inspect.iscoroutine(result):
                return self._runner.run(result)
            return result

        return call


@contextlib.contextmanager
def open_api(
    package: Any, tag_class: str, configuration: Any, twin: str
) -> Iterator[Any]:
    """The API class ``tag_class`` of ``package`` over a client of the ``twin`` kind (closed after)."""
    if twin == "sync":
        with package.ApiClient(configuration) as client:
            yield getattr(package, tag_class)(client)
        return
    assert twin == "asyncio", twin
    with asyncio.Runner() as runner:
        client = package.AsyncApiClient(configuration)
        try:
            yield Blocking(getattr(package, "Async" + tag_class)(client), runner)
        finally:
            runner.run(client.close())


class BlockingClient(Blocking):
    """An ``AsyncApiClient`` driven from synchronous code: ``with`` closes it, and setting ``sleep`` to
    a plain function (a test's recorder) installs a coroutine that calls it."""

    def __enter__(self) -> BlockingClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._runner.run(self._target.close())

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name == "sleep" and not inspect.iscoroutinefunction(value):
            plain = value

            async def sleep(seconds: float) -> None:
                plain(seconds)

            value = sleep
        setattr(self._target, name, value)


class Twin:
    """One of the two clients of a ``both`` package, for tests written against the sync surface:
    ``twin.client(plane, configuration)`` is an ``ApiClient`` or a ``BlockingClient`` around an
    ``AsyncApiClient``, ``twin.api(plane, "AssetsApi", client)`` the matching API class. The asyncio
    one runs every call on one event loop, closed by ``close()``."""

    def __init__(self, name: str) -> None:
        assert name in TWINS, name
        self.name = name
        self._runner = asyncio.Runner() if name == "asyncio" else None

    @property
    def is_async(self) -> bool:
        return self._runner is not None

    def client(self, package: Any, *args: Any, **kwargs: Any) -> Any:
        if self._runner is None:
            return package.ApiClient(*args, **kwargs)
        return BlockingClient(package.AsyncApiClient(*args, **kwargs), self._runner)

    def api(self, package: Any, tag_class: str, client: Any) -> Any:
        if self._runner is None:
            return getattr(package, tag_class)(client)
        return Blocking(
            getattr(package, "Async" + tag_class)(client.wrapped), self._runner
        )

    def run(self, result: Any) -> Any:
        """``result`` itself (sync), or what the coroutine ``result`` returns (asyncio)."""
        if self._runner is not None and inspect.iscoroutine(result):
            return self._runner.run(result)
        return result

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
