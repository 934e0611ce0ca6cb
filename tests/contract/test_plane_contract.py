"""Contract tests: every operation of the generated ``plane`` client against Prism mocking specs/plane.yaml.

Prism validates each request (path parameters, body, content type, credentials) and answers with an error
status when it breaks the document, so a clean 2xx proves the generated request conforms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from tests.support.twins import TWINS, open_api

from .conftest import argument_names, assert_conforms, endpoints

plane = pytest.importorskip("plane")
from plane.api import assets_api  # noqa: E402

ASSET_ID = "550e8400-e29b-41d4-a716-446655440000"
PROJECT_ID = "123e4567-e89b-12d3-a456-426614174000"
SLUG = "my-workspace"


@dataclass(frozen=True)
class Case:
    """One call: ``method(**kwargs)`` must answer ``status`` with data of type ``returns``."""

    id: str
    method: str
    kwargs: dict[str, Any]
    returns: type | None
    status: int = 200
    headers: dict[str, str] | None = None
    check: Callable[[Any], None] | None = None


def _check_upload(data: Any) -> None:
    assert data.asset_id == UUID(ASSET_ID)
    assert isinstance(data.upload_data, plane.PresignedPost)
    assert data.upload_data.url.startswith("https://")
    assert data.upload_data.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


def _check_download(data: Any) -> None:
    assert data.asset_id == UUID(ASSET_ID)
    assert data.asset_name == "report.pdf"
    assert data.asset_type == "application/pdf"


def _cases() -> list[Case]:
    models = plane
    return [
        Case(
            "create_generic_asset_upload-model",
            "create_generic_asset_upload",
            {
                "slug": SLUG,
                "generic_asset_upload_request": models.GenericAssetUploadRequest(
                    name="image.jpg",
                    type="image/jpeg",
                    size=1024000,
                    project_id=PROJECT_ID,
                    external_id="1234567890",
                    external_source="github",
                ),
            },
            models.AssetUploadResponse,
            check=_check_upload,
        ),
        Case(
            "create_generic_asset_upload-dict",
            "create_generic_asset_upload",
            {
                "slug": SLUG,
                "generic_asset_upload_request": {"name": "report.pdf", "size": 2048},
            },
            models.AssetUploadResponse,
            check=_check_upload,
        ),
        Case(
            "create_user_asset_upload-model",
            "create_user_asset_upload",
            {
                "user_asset_upload_request": models.UserAssetUploadRequest(
                    name="profile.jpg",
                    type=models.TypeEnum("image/png"),
                    size=1024000,
                    entity_type=models.EntityTypeEnum("USER_AVATAR"),
                )
            },
            models.AssetUploadResponse,
            check=_check_upload,
        ),
        Case(
            "create_user_asset_upload-dict",
            "create_user_asset_upload",
            {
                "user_asset_upload_request": {
                    "name": "cover.webp",
                    "type": "image/webp",
                    "size": 1,
                    "entity_type": "USER_COVER",
                }
            },
            models.AssetUploadResponse,
            check=_check_upload,
        ),
        Case(
            "delete_user_asset",
            "delete_user_asset",
            {"asset_id": ASSET_ID},
            None,
            status=204,
            headers={"Prefer": "code=204"},
        ),
        Case(
            "get_generic_asset",
            "get_generic_asset",
            {"asset_id": ASSET_ID, "slug": SLUG},
            models.AssetDownloadResponse,
            check=_check_download,
        ),
        Case(
            "update_generic_asset-model",
            "update_generic_asset",
            {
                "asset_id": ASSET_ID,
                "slug": SLUG,
                "patched_generic_asset_update_request": models.PatchedGenericAssetUpdateRequest(
                    is_uploaded=True
                ),
            },
            None,
            status=204,
        ),
        Case(
            "update_generic_asset-dict",
            "update_generic_asset",
            {
                "asset_id": ASSET_ID,
                "slug": SLUG,
                "patched_generic_asset_update_request": {"is_uploaded": False},
            },
            None,
            status=204,
            headers={"Prefer": "code=204"},
        ),
        Case(
            "update_generic_asset-no-body",
            "update_generic_asset",
            {"asset_id": ASSET_ID, "slug": SLUG},
            None,
            status=204,
        ),
        Case(
            "update_user_asset-model",
            "update_user_asset",
            {
                "asset_id": ASSET_ID,
                "patched_asset_update_request": models.PatchedAssetUpdateRequest(
                    attributes={
                        "name": "updated_profile.jpg",
                        "type": "image/jpeg",
                        "size": 1024000,
                    },
                    entity_type=models.EntityTypeEnum("USER_AVATAR"),
                ),
            },
            None,
            status=204,
        ),
        Case(
            "update_user_asset-dict",
            "update_user_asset",
            {
                "asset_id": ASSET_ID,
                "patched_asset_update_request": {
                    "attributes": {"name": "x.png"},
                    "entity_type": "USER_COVER",
                },
            },
            None,
            status=204,
        ),
    ]


CASES = _cases()


@pytest.fixture(scope="module", params=TWINS)
def twin(request: pytest.FixtureRequest) -> str:
    """Every test runs against both clients: ``AssetsApi`` and ``AsyncAssetsApi``."""
    return str(request.param)


@pytest.fixture(scope="module")
def api(plane_prism: Any, twin: str) -> Iterator[Any]:
    configuration = plane.Configuration(host=plane_prism.url, retries=0, timeout=30)
    configuration.api_key["ApiKeyAuthentication"] = "test-api-key"
    with open_api(plane, "AssetsApi", configuration, twin) as api:
        yield api


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_operation(api: Any, case: Case) -> None:
    method = getattr(api, case.method + "_with_http_info")
    response = method(**case.kwargs, _headers=case.headers)
    assert_conforms(response, case.status)
    if case.returns is None:
        assert response.data is None
        assert response.raw_data == b""
    else:
        assert isinstance(response.data, case.returns)
        if case.check:
            case.check(response.data)


def test_plain_methods_return_the_data(api: Any) -> None:
    """The methods without ``_with_http_info`` return the parsed model (or None for a 204)."""
    data = api.get_generic_asset(ASSET_ID, SLUG)
    assert isinstance(data, plane.AssetDownloadResponse)
    assert data.asset_url.startswith("https://uploads.example.com/")
    assert api.delete_user_asset(ASSET_ID) is None
    upload = api.create_user_asset_upload(
        {"name": "p.png", "size": 3, "entity_type": "USER_AVATAR"}
    )
    assert isinstance(upload, plane.AssetUploadResponse)


def test_oauth2_access_token_is_accepted(plane_prism: Any, twin: str) -> None:
    """The second security alternative: an OAuth2 bearer token instead of the API key."""
    configuration = plane.Configuration(
        host=plane_prism.url, access_token="test-token", retries=0
    )
    with open_api(plane, "AssetsApi", configuration, twin) as api:
        response = api.get_generic_asset_with_http_info(ASSET_ID, SLUG)
    assert_conforms(response)
    assert isinstance(response.data, plane.AssetDownloadResponse)


def test_declared_error_is_parsed_into_its_model(api: Any) -> None:
    """``Prefer: code=409`` makes Prism answer the declared 409; the client raises with the model."""
    with pytest.raises(plane.ApiException) as caught:
        api.create_generic_asset_upload(
            SLUG,
            {
                "name": "image.jpg",
                "size": 1,
                "external_id": "1",
                "external_source": "x",
            },
            _headers={"Prefer": "code=409"},
        )
    assert caught.value.status == 409
    assert isinstance(caught.value.data, plane.AssetConflictResponse)
    assert caught.value.data.asset_id == UUID(ASSET_ID)


def test_prism_rejects_a_request_that_breaks_the_spec(api: Any) -> None:
    """Control: Prism really validates (an asset_id that is not a uuid is refused)."""
    with pytest.raises(plane.ApiException) as caught:
        api.get_generic_asset("not-a-uuid", SLUG)
    assert caught.value.status == 400
    assert "sl-violations" in {k.lower() for k in caught.value.headers}


def test_prism_rejects_missing_credentials(plane_prism: Any, twin: str) -> None:
    """Control: without credentials Prism answers the declared 401."""
    configuration = plane.Configuration(host=plane_prism.url, retries=0)
    with open_api(plane, "AssetsApi", configuration, twin) as api:
        with pytest.raises(plane.ApiException) as caught:
            api.delete_user_asset(ASSET_ID)
    assert caught.value.status == 401
    assert isinstance(caught.value.data, plane.ErrorResponse)


def test_cases_cover_every_operation_and_argument() -> None:
    """Keeps CASES complete: every operation, every argument, JSON bodies both as a model and a dict."""
    ops = endpoints(assets_api)
    assert {c.method for c in CASES} == set(ops)
    for name, endpoint in ops.items():
        cases = [c for c in CASES if c.method == name]
        used = {k for c in cases for k, v in c.kwargs.items() if v is not None}
        assert used == argument_names(endpoint), name
        body = endpoint.body
        if body is not None and body.kind == "json":
            values = [c.kwargs.get(body.param) for c in cases]
            assert any(isinstance(v, dict) for v in values), name
            assert any(hasattr(v, "model_dump") for v in values), name
