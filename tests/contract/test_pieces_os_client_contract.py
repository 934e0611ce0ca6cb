"""Contract tests: every operation of the generated ``pieces_os_client`` client against Prism mocking
specs/pieces_os.yaml.

Prism cannot generate responses for Pieces' recursive models, so it serves a copy of the document with a
schema-valid example on each success response (``tests.support.prism.with_response_examples``); requests are
validated against the unchanged schemas. The four WebSocket operations are exercised through their plain
HTTP GET form (Prism does not speak WebSocket).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.prism import (
    SPECS,
    example_instance,
    injected_examples,
    load_document,
    resolve,
)
from tests.support.twins import TWINS, open_api

from .conftest import argument_names, assert_conforms, endpoints

pieces = pytest.importorskip("pieces_os_client")
assets_api = pytest.importorskip("pieces_os_client.api.assets_api")

ASSET_ID = "2254f2c8-5797-40e8-ac56-41166dc0e159"
DOCUMENT = load_document(SPECS["pieces_os_client"])


def schema_example(name: str) -> Any:
    """A schema-valid instance of a component schema, as plain JSON data."""
    return example_instance(
        DOCUMENT, resolve(DOCUMENT, {"$ref": f"#/components/schemas/{name}"})
    )


@dataclass(frozen=True)
class Case:
    """One call: ``method(**kwargs)`` must answer 200 with data of type ``returns``."""

    id: str
    method: str
    kwargs: dict[str, Any]
    returns: type
    check: Callable[[Any], None] | None = None


def _seed_model() -> Any:
    m = pieces
    return m.Seed(
        type=m.SeedTypeEnum.SEEDED_ASSET,
        asset=m.SeededAsset(
            application=m.Application(
                id="0f3bd4f4-2b2b-4c7b-9a52-4f3b0a3b8d11",
                name=m.ApplicationNameEnum.VS_CODE,
                version="1.95.0",
                platform=m.PlatformEnum.LINUX,
                onboarded=True,
                privacy=m.PrivacyEnum.OPEN,
            ),
            format=m.SeededFormat(
                fragment=m.SeededFragment(
                    string=m.TransferableString(raw="print('hello world')")
                )
            ),
        ),
    )


SEED_DICT = {
    "type": "SEEDED_FORMAT",
    "asset": {
        "application": schema_example("Application"),
        "format": {"file": {"bytes": {"raw": [104, 105]}}},
    },
}


def _check_assets(data: Any) -> None:
    assert data.iterable and isinstance(data.iterable[0], pieces.Asset)
    assert data.iterable[0].id
    assert isinstance(data.iterable[0].formats, pieces.Formats)


def _check_asset(data: Any) -> None:
    assert data.id
    assert isinstance(data.created, pieces.GroupedTimestamp)
    assert isinstance(data.mechanism, pieces.MechanismEnum)


def _check_seed(data: Any) -> None:
    assert isinstance(data.type, pieces.SeedTypeEnum)


def _cases() -> list[Case]:
    m = pieces
    asset = schema_example("Asset")
    return [
        Case(
            "assets_snapshot-all-params",
            "assets_snapshot",
            {"transferables": True, "suggested": False, "pseudo": True},
            m.Assets,
            _check_assets,
        ),
        Case("assets_snapshot-no-params", "assets_snapshot", {}, m.Assets),
        Case(
            "assets_create_new_asset-model",
            "assets_create_new_asset",
            {"transferables": False, "seed": _seed_model()},
            m.Asset,
            _check_asset,
        ),
        Case(
            "assets_create_new_asset-dict",
            "assets_create_new_asset",
            {"seed": SEED_DICT},
            m.Asset,
            _check_asset,
        ),
        Case(
            "assets_delete_asset-text-plain",
            "assets_delete_asset",
            {"asset": ASSET_ID},
            str,
            lambda data: data == ASSET_ID,
        ),
        Case(
            "assets_draft-model",
            "assets_draft",
            {"transferables": True, "seed": _seed_model()},
            m.Seed,
            _check_seed,
        ),
        Case("assets_draft-dict", "assets_draft", {"seed": SEED_DICT}, m.Seed),
        Case(
            "assets_get_recommended_assets-model-get-body",
            "assets_get_recommended_assets",
            {
                "seeded_assets_recommendation": m.SeededAssetsRecommendation(
                    assets=m.Assets.from_dict({"iterable": [asset]}),
                    interactions=m.InteractedAssets(
                        iterable=[m.InteractedAsset(asset=asset["id"])]
                    ),
                )
            },
            m.Assets,
            _check_assets,
        ),
        Case(
            "assets_get_recommended_assets-dict-get-body",
            "assets_get_recommended_assets",
            {
                "seeded_assets_recommendation": {
                    "assets": {"iterable": []},
                    "interactions": {"iterable": []},
                }
            },
            m.Assets,
        ),
        Case(
            "assets_get_related_assets-model-get-body",
            "assets_get_related_assets",
            {"assets": m.Assets(iterable=[m.Asset.from_dict(asset)])},
            m.Assets,
            _check_assets,
        ),
        Case(
            "assets_get_related_assets-dict-get-body",
            "assets_get_related_assets",
            {"assets": {"iterable": [asset]}},
            m.Assets,
        ),
        Case(
            "assets_identifiers_snapshot",
            "assets_identifiers_snapshot",
            {"pseudo": False},
            m.FlattenedAssets,
        ),
        Case("assets_pseudo_snapshot", "assets_pseudo_snapshot", {}, m.PseudoAssets),
        Case(
            "assets_search_assets",
            "assets_search_assets",
            {
                "query": "parse openapi",
                "transferables": False,
                "searchable_tags": "openapi,python",
                "pseudo": True,
            },
            m.SearchedAssets,
            lambda data: isinstance(data.exact, int),
        ),
        Case(
            "assets_search_with_filters-model",
            "assets_search_with_filters",
            {
                "transferables": True,
                "pseudo": False,
                "assets_search_with_filters_input": m.AssetsSearchWithFiltersInput(
                    query="openapi",
                    casing=False,
                    space=m.AssetSearchSpace(
                        identifers=m.FlattenedAssets(
                            iterable=[m.ReferencedAsset(id=ASSET_ID)]
                        )
                    ),
                ),
            },
            m.AssetsSearchWithFiltersOutput,
        ),
        Case(
            "assets_search_with_filters-dict",
            "assets_search_with_filters",
            {
                "assets_search_with_filters_input": {
                    "query": "openapi",
                    "filters": {"iterable": [{"tags": ["python"]}], "type": "AND"},
                }
            },
            m.AssetsSearchWithFiltersOutput,
        ),
        Case(
            "assets_specific_asset_formats_snapshot",
            "assets_specific_asset_formats_snapshot",
            {"asset": ASSET_ID, "transferables": True},
            m.Formats,
            lambda data: data.iterable and isinstance(data.iterable[0], m.Format),
        ),
        Case(
            "assets_specific_asset_snapshot",
            "assets_specific_asset_snapshot",
            {"asset": ASSET_ID, "transferables": False},
            m.Asset,
            _check_asset,
        ),
        Case(
            "assets_stream_identifiers-http",
            "assets_stream_identifiers",
            {},
            m.StreamedIdentifiers,
        ),
        Case(
            "get_assets_stream_transferables-http",
            "get_assets_stream_transferables",
            {},
            m.Assets,
            _check_assets,
        ),
        Case("stream_assets-http", "stream_assets", {}, m.Assets, _check_assets),
        Case(
            "workstream_suggestions_stream-http",
            "workstream_suggestions_stream",
            {},
            m.WorkstreamSuggestions,
        ),
    ]


CASES = _cases()


@pytest.fixture(scope="module", params=TWINS)
def api(pieces_prism: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``AssetsApi`` and ``AsyncAssetsApi`` in turn: every test runs against both clients."""
    configuration = pieces.Configuration(host=pieces_prism.url, retries=0, timeout=30)
    with open_api(pieces, "AssetsApi", configuration, request.param) as api:
        yield api


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_operation(api: Any, case: Case) -> None:
    method = getattr(api, case.method + "_with_http_info")
    response = method(**case.kwargs)
    assert_conforms(response)
    assert isinstance(response.data, case.returns), type(response.data)
    if case.check:
        assert case.check(response.data) is not False


def test_delete_returns_the_text_body(api: Any) -> None:
    """``text/plain`` response: the plain method returns the deleted id as str."""
    assert api.assets_delete_asset(ASSET_ID) == ASSET_ID


def test_plain_method_returns_the_model(api: Any) -> None:
    data = api.assets_specific_asset_snapshot(ASSET_ID, transferables=True)
    assert isinstance(data, pieces.Asset)
    assert isinstance(data.formats, pieces.Formats)


@pytest.mark.parametrize(
    ("method", "body"),
    [
        (
            "assets_get_recommended_assets",
            {"seeded_assets_recommendation": {"assets": {"iterable": "not a list"}}},
        ),
        ("assets_get_related_assets", {"assets": {"iterable": [{"id": 1}]}}),
    ],
)
def test_get_body_is_sent_and_validated(api: Any, method: str, body: Any) -> None:
    """Control: the JSON body of a GET really reaches Prism (an invalid one is refused)."""
    with pytest.raises(pieces.ApiException) as caught:
        getattr(api, method)(**body)
    assert caught.value.status in (400, 422)
    assert "body" in (caught.value.body or "")


def test_prism_rejects_a_request_that_breaks_the_spec(api: Any) -> None:
    """Control: Prism really validates (the asset path parameter must be a uuid)."""
    with pytest.raises(pieces.ApiException) as caught:
        api.assets_specific_asset_snapshot("not-a-uuid")
    assert caught.value.status in (400, 422)


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


def test_served_response_examples_match_their_schemas() -> None:
    """The examples Prism serves in place of the recursive response schemas are valid for them."""
    import copy

    from openapi_schema_validator import OAS30Validator

    document = copy.deepcopy(DOCUMENT)
    checked = 0
    for operation, code, media in injected_examples(document):
        schema = {"allOf": [media["schema"]], "components": document["components"]}
        validator = OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(media["example"])]
        assert not errors, (operation["operationId"], code, errors[:3])
        checked += 1
    assert checked >= 15
