"""Build targets: read from ``[tool.clientgen]`` in pyproject.toml, or given on the command line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import tomllib

Library = Literal["sync", "asyncio", "both"]
LIBRARIES: tuple[Library, ...] = ("sync", "asyncio", "both")
_PACKAGE = re.compile(r"[a-z_][a-z0-9_]*")
_VERSION = re.compile(r"\d+(\.\d+)*([abc]|rc)?\d*(\.post\d+)?(\.dev\d+)?")


class ConfigError(Exception):
    """The build configuration is unusable; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Flavour:
    """One client surface of a package: sync (urllib3) or asyncio (aiohttp). ``prefix`` starts the names
    of its client and API classes: empty for a package's only surface (``ApiClient``, ``AssetsApi``),
    ``Async`` for the asyncio twin of a ``both`` package (``AsyncApiClient``, ``AsyncAssetsApi``).
    """

    is_async: bool
    prefix: str = ""

    @property
    def client_class(self) -> str:
        return f"{self.prefix}ApiClient"

    @property
    def client_module(self) -> str:
        """The package module that defines ``client_class``."""
        return "async_api_client" if self.prefix else "api_client"

    def api_class(self, tag_class: str) -> str:
        return self.prefix + tag_class

    # The names a flavour's generated code uses where the other flavour's uses its own: the templates print
    # these instead of testing ``is_async`` at each place.
    @property
    def transport(self) -> str:
        """The HTTP library, as imported."""
        return "aiohttp" if self.is_async else "urllib3"

    @property
    def runtime_module(self) -> str:
        """The runtime module of the client ``client_class`` extends."""
        return "client_async" if self.is_async else "client_sync"

    @property
    def runtime_client(self) -> str:
        """The runtime client class ``client_class`` extends, as ``<runtime_module>.<class>``."""
        return f"{self.runtime_module}.{'Async' if self.is_async else 'Sync'}ApiClient"

    @property
    def define(self) -> str:
        """What starts an API method's definition."""
        return "async def" if self.is_async else "def"

    @property
    def wait(self) -> str:
        """What comes before a call of the client (with its space)."""
        return "await " if self.is_async else ""

    @property
    def raw_response(self) -> str:
        """The unread response ``<method>_without_preload_content`` returns."""
        return f"{self.transport}.{'ClientResponse' if self.is_async else 'BaseHTTPResponse'}"

    @property
    def iterator(self) -> str:
        """The ``collections.abc`` iterator type ``<method>_iter`` returns."""
        return "AsyncIterator" if self.is_async else "Iterator"

    @property
    def paginate(self) -> str:
        """The runtime's pagination loop (``_runtime.pagination``) for ``<method>_iter``."""
        return "apaginate" if self.is_async else "paginate"

    @property
    def websocket_module(self) -> str:
        """The runtime module that moves WebSocket frames."""
        return "websocket_async" if self.is_async else "websocket_sync"

    @property
    def websocket_stream(self) -> str:
        """The stream ``<method>_ws`` returns (defined in ``websocket_module``)."""
        return "AsyncWebSocketStream" if self.is_async else "WebSocketStream"

    @property
    def connect_websocket(self) -> str:
        """The function of ``websocket_module`` that opens a stream."""
        return "aconnect_websocket" if self.is_async else "connect_websocket"


SYNC = Flavour(is_async=False)
ASYNCIO = Flavour(is_async=True)
ASYNC_TWIN = Flavour(is_async=True, prefix="Async")


@dataclass(frozen=True, slots=True)
class Target:
    """One generated package: its spec, Python package name, client library and version."""

    spec: Path
    package: str
    library: Library = "sync"
    version: str = "1.0.0"
    output: Path | None = None  # defaults to generated/<package>
    # The project folder (the pyproject.toml's, for `build`): the output must lie inside it. None for
    # `generate`, which writes where it is told (but never into the working folder itself).
    project: Path | None = None

    @property
    def source(self) -> str:
        """The spec as generated files name it: its path relative to the project folder (the working folder
        for `generate`), or its file name when it lies elsewhere; nothing of this machine.
        """
        base = self.project if self.project is not None else Path.cwd()
        relative = os.path.relpath(os.path.abspath(self.spec), os.path.abspath(base))
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return self.spec.name
        return Path(relative).as_posix()

    @property
    def project_name(self) -> str:
        return self.package.replace("_", "-")

    @property
    def is_async(self) -> bool:
        """Whether the package's only client is the asyncio one."""
        return self.library == "asyncio"

    @property
    def flavours(self) -> tuple[Flavour, ...]:
        """The package's client surfaces: the sync one first when it has one."""
        if self.library == "both":
            return (SYNC, ASYNC_TWIN)
        return (ASYNCIO,) if self.library == "asyncio" else (SYNC,)

    @property
    def has_sync(self) -> bool:
        return self.library != "asyncio"

    @property
    def has_async(self) -> bool:
        return self.library != "sync"


def make_target(
    spec: str | Path,
    package: str,
    library: str,
    version: str,
    output: Path | None,
    project: Path | None = None,
) -> Target:
    if not _PACKAGE.fullmatch(package):
        raise ConfigError(
            f"package name {package!r} is not a valid lower-case Python package name"
        )
    if library not in LIBRARIES:
        raise ConfigError(
            f"library must be 'sync', 'asyncio' or 'both', not {library!r}"
        )
    if not _VERSION.fullmatch(version):
        raise ConfigError(f"version {version!r} is not a PEP 440 version")
    return Target(Path(spec), package, library, version, output, project)  # type: ignore[arg-type]


def load_targets(pyproject: Path) -> list[Target]:
    """The targets listed in ``[[tool.clientgen.targets]]``, paths relative to the pyproject's folder."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read [tool.clientgen]: {exc}") from None
    root = pyproject.parent
    entries = data.get("tool", {}).get("clientgen", {}).get("targets", [])
    if not entries:
        raise ConfigError(f"{pyproject}: no [[tool.clientgen.targets]] entries")
    targets = []
    for i, entry in enumerate(entries):
        try:
            spec, package = entry["spec"], entry["package"]
        except (KeyError, TypeError):
            raise ConfigError(
                f"{pyproject}: target {i + 1} needs `spec` and `package`"
            ) from None
        out = entry.get("output")
        targets.append(
            make_target(
                root / spec,
                package,
                entry.get("library", "sync"),
                str(entry.get("version", "1.0.0")),
                root / out if out else root / "generated" / package,
                project=root,
            )
        )
    return targets
