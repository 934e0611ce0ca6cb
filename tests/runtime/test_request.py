"""``build_request``: URL, headers, auth and body encoding without I/O."""

from __future__ import annotations

import pytest

from generator.runtime.auth import AuthScheme
from generator.runtime.configuration import BaseConfiguration
from generator.runtime.endpoint import Body, Endpoint, FormField, Param
from generator.runtime.exceptions import ApiValueError
from generator.runtime.models import ApiModel
from generator.runtime.multipart import FileBody, MultipartBody
from generator.runtime.request import build_request, merge_headers


class Configuration(BaseConfiguration):
    default_host = "https://api.example.com/v1/"
    auth_schemes = (
        AuthScheme("Key", "api_key", "query", "key"),
        AuthScheme("Token", "bearer"),
        AuthScheme("Session", "api_key", "cookie", "sid"),
    )


class Asset(ApiModel):
    name: str
    size: int | None = None


GET_ASSET = Endpoint(
    operation_id="getAsset",
    method="get",
    path="/workspaces/{slug}/assets/{asset_id}/",
    params=(
        Param("slug", "slug", "path", required=True),
        Param("asset_id", "asset_id", "path", required=True),
        Param("expand", "expand", "query", explode=False),
        Param("trace_id", "X-Trace-Id", "header"),
        Param("theme", "theme", "cookie"),
    ),
    accept=("application/json", "text/plain"),
    auth=(("Key",), ("Token",)),
)

CREATE_ASSET = Endpoint(
    operation_id="createAsset",
    method="POST",
    path="/assets",
    body=Body("json", "application/json", param="asset", required=True),
    accept=("application/json",),
)


def test_get_request() -> None:
    cfg = Configuration(api_key={"Key": "SECRET"})
    args = {
        "slug": "my ws",
        "asset_id": "a/b",
        "expand": ["x", "y"],
        "trace_id": "t",
        "theme": "dark",
    }
    request = build_request(GET_ASSET, args, cfg, headers={"User-Agent": "ua/1"})
    assert request.method == "GET"
    assert (
        request.url
        == "https://api.example.com/v1/workspaces/my%20ws/assets/a%2Fb/?expand=x,y&key=SECRET"
    )
    assert request.display_url.endswith("expand=x,y&key=***")
    assert request.headers == {
        "Accept": "application/json, text/plain",
        "User-Agent": "ua/1",
        "X-Trace-Id": "t",
        "Cookie": "theme=dark",
    }
    assert request.body is None and request.replayable
    assert "SECRET" not in repr(request)


def test_bearer_header_redacted_in_repr_and_overridable() -> None:
    cfg = Configuration(access_token="SECRET")
    request = build_request(
        GET_ASSET, {"slug": "s", "asset_id": "1"}, cfg, headers={"x-trace-id": "mine"}
    )
    assert request.headers["Authorization"] == "Bearer SECRET"
    assert request.headers["x-trace-id"] == "mine"
    assert "SECRET" not in repr(request)
    # every header that can carry a secret: the fixed ones (no API-key header is configured here)
    assert request.credential_headers == frozenset(
        {"authorization", "proxy-authorization", "cookie"}
    )


def test_missing_and_empty_path_params() -> None:
    cfg = Configuration()
    with pytest.raises(ApiValueError, match="slug"):
        build_request(GET_ASSET, {"asset_id": "1"}, cfg)
    with pytest.raises(ApiValueError, match="must not be empty"):
        build_request(GET_ASSET, {"slug": "", "asset_id": "1"}, cfg)
    with pytest.raises(ApiValueError, match="asset"):
        build_request(CREATE_ASSET, {}, cfg)


def test_json_body_from_model_or_dict() -> None:
    cfg = Configuration()
    from_model = build_request(CREATE_ASSET, {"asset": Asset(name="é")}, cfg)
    from_dict = build_request(CREATE_ASSET, {"asset": {"name": "é"}}, cfg)
    assert from_model.body == from_dict.body == '{"name":"é"}'.encode()
    assert from_model.headers["Content-Type"] == "application/json"


def test_host_resolution() -> None:
    endpoint = Endpoint("op", "GET", "/x", servers=("https://uploads.example.com/",))
    assert (
        build_request(endpoint, {}, Configuration()).url
        == "https://uploads.example.com/x"
    )
    assert (
        build_request(endpoint, {}, Configuration(host="http://localhost:1")).url
        == "http://localhost:1/x"
    )
    assert (
        build_request(endpoint, {}, Configuration(), host="http://h").url
        == "http://h/x"
    )


def test_form_text_and_binary_bodies(tmp_path: object) -> None:
    cfg = Configuration()
    form = Endpoint(
        "f",
        "POST",
        "/f",
        body=Body(
            "form",
            "application/x-www-form-urlencoded",
            fields=(FormField("a", "a"), FormField("b", "b-b")),
        ),
    )
    request = build_request(form, {"a": "x y", "b": True}, cfg)
    assert request.body == b"a=x+y&b-b=true"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"

    text = Endpoint("t", "POST", "/t", body=Body("text", "text/plain", param="body"))
    assert build_request(text, {"body": "hé"}, cfg).body == "hé".encode()
    assert "Content-Type" not in build_request(text, {}, cfg).headers

    binary = Endpoint(
        "b", "PUT", "/b", body=Body("binary", "application/octet-stream", param="data")
    )
    assert build_request(binary, {"data": b"\x00"}, cfg).body == b"\x00"
    streamed = build_request(binary, {"data": __file__}, cfg)
    assert isinstance(streamed.body, FileBody) and streamed.replayable
    assert streamed.headers["Content-Type"] == "application/octet-stream"


def test_multipart_content_type_has_boundary() -> None:
    endpoint = Endpoint(
        "m",
        "POST",
        "/m",
        body=Body(
            "multipart",
            "multipart/form-data",
            fields=(FormField("file", "file", is_file=True),),
        ),
    )
    request = build_request(endpoint, {"file": b"abc"}, Configuration())
    assert isinstance(request.body, MultipartBody)
    assert (
        request.headers["Content-Type"]
        == f"multipart/form-data; boundary={request.body.boundary}"
    )


def test_cookie_auth_merges_with_client_cookie() -> None:
    cfg = Configuration(api_key={"Session": "s1"})
    endpoint = Endpoint("c", "GET", "/c", auth=(("Session",),))
    request = build_request(endpoint, {}, cfg, headers={"Cookie": "a=b"})
    assert request.headers["Cookie"] == "a=b; sid=s1"
    assert "cookie" in request.credential_headers


def test_merge_headers_case_insensitive() -> None:
    assert merge_headers({"Accept": "a", "X": "1"}, {"accept": "b"}, None) == {
        "X": "1",
        "accept": "b",
    }
