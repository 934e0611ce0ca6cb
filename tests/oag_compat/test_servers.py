"""Item 7: server selection as in OpenAPI Generator's clients (``get_host_settings``,
``get_host_from_settings``, ``server_index``/``server_variables``, operation servers with
``server_operation_index``/``server_operation_variables``, per-call ``_host_index``,
``ignore_operation_servers``), ``debug``, and the shared defaults of ``get_default``/``set_default``.
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Iterator
from types import ModuleType

import pydantic
import pytest

from tests.support.recording_server import RecordingServer


@pytest.fixture(autouse=True)
def fresh_defaults(kennel: ModuleType) -> Iterator[None]:
    yield
    kennel.Configuration.set_default(None)
    kennel.ApiClient.set_default(None)


def test_host_settings(kennel: ModuleType) -> None:
    settings = kennel.Configuration().get_host_settings()
    assert settings[0]["url"] == "https://{region}.kennel.example:{port}/api"
    assert settings[0]["description"] == "regional endpoint"
    assert settings[0]["variables"]["region"] == {
        "description": "where the kennel runs",
        "default_value": "eu",
        "enum_values": ["eu", "us"],
    }
    assert settings[1]["url"] == "https://backup.kennel.example/api"


def test_host_from_settings(kennel: ModuleType) -> None:
    config = kennel.Configuration()
    assert config.host == "https://eu.kennel.example:443/api"
    assert (
        config.get_host_from_settings(0, {"region": "us"})
        == "https://us.kennel.example:443/api"
    )
    assert config.get_host_from_settings(1) == "https://backup.kennel.example/api"
    with pytest.raises(
        ValueError,
        match="Invalid index 2 when selecting the host settings. Must be less than 2",
    ):
        config.get_host_from_settings(2)
    with pytest.raises(
        ValueError,
        match=r"The variable `region` in the host URL has invalid value mars. Must be \['eu', 'us'\].",
    ):
        config.get_host_from_settings(0, {"region": "mars"})


def test_server_index_and_variables_and_explicit_host(kennel: ModuleType) -> None:
    config = kennel.Configuration(server_index=0, server_variables={"port": "8443"})
    assert config.host == "https://eu.kennel.example:8443/api"
    config.server_index = 1
    assert config.host == "https://backup.kennel.example/api"
    config.host = "http://127.0.0.1:9"
    assert config.server_index is None and config.host == "http://127.0.0.1:9"
    assert kennel.Configuration(host="http://h").server_index is None


def test_operation_servers_and_host_index(
    kennel: ModuleType, server: RecordingServer
) -> None:
    port = server.url.rsplit(":", 1)[1]
    config = kennel.Configuration(
        server_operation_index={"listVets": 1},
        server_operation_variables={"listVets": {"host": "127.0.0.1", "port": port}},
    )
    with kennel.ApiClient(config) as client:
        api = kennel.VetsApi(client)
        server.enqueue(200, json=["Dr. Who"])
        assert api.list_vets() == ["Dr. Who"]  # server_operation_index picks the second
        server.enqueue(200, json=[])
        api.list_vets(_host_index=1)
        # an operation's own servers win over the API's, even when nothing else is set
        request = client.prepare(kennel.api.vets_api._LIST_VETS, {})
        assert request.url == f"http://127.0.0.1:{port}/v1/vets"
        config.server_operation_index = {}
        assert (
            client.prepare(kennel.api.vets_api._LIST_VETS, {}).url
            == "https://north.vets.example/v1/vets"
        )
        config.ignore_operation_servers = True
        assert (
            client.prepare(kennel.api.vets_api._LIST_VETS, {}).url
            == "https://eu.kennel.example:443/api/vets"
        )
    assert [r.target for r in server.requests] == ["/v1/vets", "/v1/vets"]


def test_host_index_is_validated(kennel: ModuleType) -> None:
    api = kennel.VetsApi(
        kennel.ApiClient(kennel.Configuration(host="http://127.0.0.1:9"))
    )
    for bad in (2, -1, "1"):
        with pytest.raises(pydantic.ValidationError):
            api.list_vets(_host_index=bad)
    dogs = kennel.DogsApi(api.api_client)
    with pytest.raises(pydantic.ValidationError):  # no servers of its own: only 0
        dogs.get_dog(1, _host_index=1)


def test_explicit_host_wins_over_operation_servers(
    kennel: ModuleType, server: RecordingServer
) -> None:
    server.enqueue(200, json=[])
    with kennel.ApiClient(kennel.Configuration(host=server.url)) as client:
        kennel.VetsApi(client).list_vets()
    assert server.requests[0].target == "/vets"


def test_ignore_operation_servers_option(kennel: ModuleType) -> None:
    assert kennel.Configuration(ignore_operation_servers=True).ignore_operation_servers
    assert kennel.Configuration().ignore_operation_servers is False


def test_debug(kennel: ModuleType) -> None:
    before = logging.getLogger("kennel").level, logging.getLogger("urllib3").level
    try:
        assert kennel.Configuration().debug is False
        config = kennel.Configuration(debug=True)
        assert config.debug is True
        assert logging.getLogger("kennel").level == logging.DEBUG
        assert logging.getLogger("urllib3").level == logging.DEBUG
        assert http.client.HTTPConnection.debuglevel == 1
        config.debug = False
        assert logging.getLogger("kennel").level == logging.WARNING
        assert http.client.HTTPConnection.debuglevel == 0
        assert kennel.Configuration(debug=None).debug is False
    finally:
        logging.getLogger("kennel").setLevel(before[0])
        logging.getLogger("urllib3").setLevel(before[1])
        http.client.HTTPConnection.debuglevel = 0


def test_default_configuration_and_client_are_shared(kennel: ModuleType) -> None:
    chosen = kennel.Configuration(host="http://example.invalid")
    kennel.Configuration.set_default(chosen)
    assert kennel.Configuration.get_default() is chosen
    assert kennel.Configuration.get_default_copy() is chosen
    first, second = kennel.DogsApi(), kennel.VetsApi()
    assert first.api_client is second.api_client is kennel.ApiClient.get_default()
    assert first.api_client.configuration is chosen
    replacement = kennel.ApiClient(kennel.Configuration(host="http://other.invalid"))
    kennel.ApiClient.set_default(replacement)
    assert kennel.DogsApi().api_client is replacement
