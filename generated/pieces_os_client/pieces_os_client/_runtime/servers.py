"""Server URLs: the spec's ``servers`` (API-wide and per operation) with their variables. No I/O.

``Configuration`` offers OpenAPI Generator's selection on top of these (``server_index``,
``server_variables``, ``get_host_settings()``, ``get_host_from_settings(index, variables)``,
``server_operation_index`` / ``server_operation_variables``, ``ignore_operation_servers``), and a generated
method takes ``_host_index`` to pick one of its operation's servers for one call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .configuration import BaseConfiguration
    from .endpoint import Endpoint

__all__ = [
    "Server",
    "ServerVariable",
    "host_for_index",
    "host_settings",
    "operation_host",
    "server_url",
]


@dataclass(frozen=True, slots=True)
class ServerVariable:
    """A ``{name}`` in a server URL: its default, and the values it may take (empty: any)."""

    name: str
    default: str
    enum: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Server:
    """A server URL template (``http://{server}.example.com:{port}/v2``) and its variables."""

    url: str
    description: str = ""
    variables: tuple[ServerVariable, ...] = ()

    def resolve(self, values: Mapping[str, str] | None = None) -> str:
        """The URL with each variable replaced by ``values[name]`` or its default. Raises ``ValueError``
        for a value outside the variable's ``enum`` (OpenAPI Generator's message)."""
        url = self.url
        for variable in self.variables:
            value = (values or {}).get(variable.name, variable.default)
            if variable.enum and value not in variable.enum:
                raise ValueError(
                    f"The variable `{variable.name}` in the host URL has invalid value "
                    f"{value}. Must be {list(variable.enum)}."
                )
            url = url.replace("{" + variable.name + "}", str(value))
        return url


def host_settings(servers: Sequence[Server]) -> list[dict[str, Any]]:
    """The servers in the form of OpenAPI Generator's ``Configuration.get_host_settings()``."""
    return [
        {
            "url": server.url,
            "description": server.description or "No description provided",
            "variables": {
                v.name: {
                    "description": v.description or "No description provided",
                    "default_value": v.default,
                    **({"enum_values": list(v.enum)} if v.enum else {}),
                }
                for v in server.variables
            },
        }
        for server in servers
    ]


def server_url(
    servers: Sequence[Server | str],
    index: int,
    variables: Mapping[str, str] | None = None,
) -> str:
    """The URL of ``servers[index]`` with ``variables``; ``ValueError`` for an index out of range (OpenAPI
    Generator's message) or a variable value outside its enum."""
    if not 0 <= index < len(servers):
        raise ValueError(
            f"Invalid index {index} when selecting the host settings. "
            f"Must be less than {len(servers)}"
        )
    server = servers[index]
    return server if isinstance(server, str) else server.resolve(variables)


def operation_host(
    endpoint: Endpoint, configuration: BaseConfiguration, index: int | None = None
) -> str | None:
    """The base URL from the operation's own servers, or None when the configuration's host applies:
    the operation has none, ``ignore_operation_servers`` is set, or (without an explicit ``index``) the
    host was set explicitly. ``index`` defaults to ``server_operation_index[operation_id]`` (else 0), the
    variables come from ``server_operation_variables[operation_id]``."""
    if not endpoint.servers or configuration.ignore_operation_servers:
        return None
    if index is None:
        if (
            configuration.server_index is None
        ):  # an explicit host wins over the spec's servers
            return None
        index = configuration.server_operation_index.get(endpoint.operation_id, 0)
    variables = configuration.server_operation_variables.get(endpoint.operation_id)
    return server_url(endpoint.servers, index, variables)


def host_for_index(
    endpoint: Endpoint, configuration: BaseConfiguration, index: int
) -> str:
    """The base URL a call's ``_host_index`` selects: that one of the operation's servers, or (for an
    operation without its own, where only 0 is valid) the configuration's host."""
    chosen = operation_host(endpoint, configuration, index)
    if chosen is not None:
        return chosen
    if not endpoint.servers and index != 0:
        raise ValueError(
            f"Invalid index {index} when selecting the host settings. Must be less than 1"
        )
    return configuration.host
