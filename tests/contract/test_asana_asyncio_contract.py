"""Contract tests: every operation of the generated asyncio ``asana_asyncio`` client against Prism mocking
specs/asana.yaml.

Prism validates each request (query arrays and booleans, the multipart body, credentials) and answers with
an error status when it breaks the document, so a clean 2xx proves the generated request conforms. The calls
run on one event loop per module (``asyncio.Runner``) so the aiohttp session is reused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import argument_names, assert_conforms, endpoints

asana = pytest.importorskip("asana_asyncio")
from asana_asyncio.api import attachments_api  # noqa: E402

ATTACHMENT_FIELDS = [
    "connected_to_app",
    "created_at",
    "download_url",
    "host",
    "name",
    "parent",
    "parent.created_by",
    "parent.name",
    "parent.resource_subtype",
    "permanent_url",
    "resource_subtype",
    "size",
    "view_url",
]
LIST_FIELDS = ["name", "offset", "path", "uri", "parent.name", "resource_subtype"]
UPLOAD = b"%PDF-1.4 launch plan\r\n\x00\x01\x02 binary bytes\xff"


@dataclass(frozen=True)
class Case:
    """One call: ``method(**kwargs)`` must answer 200 with data of type ``returns``."""

    id: str
    method: str
    kwargs: dict[str, Any]
    returns: str
    check: Callable[[Any], None] | None = None
    headers: dict[str, str] | None = None


def _check_attachment(data: Any) -> None:
    record = data.data
    assert isinstance(record, asana.AttachmentResponse)
    assert record.gid == "12345"
    assert record.resource_type == "attachment"
    assert isinstance(record.parent, asana.AttachmentParent)
    assert isinstance(record.parent.created_by, asana.UserCompact)


def _check_list(data: Any) -> None:
    assert data.data and all(isinstance(i, asana.AttachmentCompact) for i in data.data)
    assert data.data[0].name == "Screenshot.png"
    assert isinstance(data.next_page, asana.NextPage)
    assert data.next_page.offset


def _check_empty(data: Any) -> None:
    assert isinstance(data.data, asana.EmptyResponse)


@pytest.fixture(scope="module")
def upload_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "launch-plan.pdf"
    path.write_bytes(UPLOAD)
    return path


def _cases(upload_path: Path | None) -> list[Case]:
    path = str(upload_path) if upload_path else "launch-plan.pdf"
    return [
        Case(
            "get_attachment-all-params",
            "get_attachment",
            {
                "attachment_gid": "12345",
                "opt_pretty": True,
                "opt_fields": ATTACHMENT_FIELDS,
            },
            "GetAttachment200Response",
            _check_attachment,
        ),
        Case(
            "get_attachment-required-only",
            "get_attachment",
            {"attachment_gid": "12345"},
            "GetAttachment200Response",
            _check_attachment,
        ),
        Case(
            "delete_attachment",
            "delete_attachment",
            {"attachment_gid": "12345", "opt_pretty": False},
            "DeleteAttachment200Response",
            _check_empty,
        ),
        Case(
            "get_attachments_for_object-all-params",
            "get_attachments_for_object",
            {
                "parent": "159874",
                "opt_pretty": True,
                "limit": 50,
                "offset": "eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9",
                "opt_fields": LIST_FIELDS,
            },
            "GetAttachmentsForObject200Response",
            _check_list,
        ),
        Case(
            "get_attachments_for_object-one-opt-field",
            "get_attachments_for_object",
            {"parent": "159874", "limit": 1, "opt_fields": ["name"]},
            "GetAttachmentsForObject200Response",
            _check_list,
        ),
        Case(
            "create_attachment_for_object-file-bytes",
            "create_attachment_for_object",
            {
                "parent": "159874",
                "opt_pretty": True,
                "opt_fields": ATTACHMENT_FIELDS,
                "resource_subtype": "asana",
                "file": UPLOAD,
                "name": "launch-plan.pdf",
                "connect_to_app": False,
            },
            "GetAttachment200Response",
            _check_attachment,
        ),
        Case(
            "create_attachment_for_object-file-path",
            "create_attachment_for_object",
            {"parent": "159874", "file": path},
            "GetAttachment200Response",
            _check_attachment,
        ),
        Case(
            "create_attachment_for_object-file-pathlike",
            "create_attachment_for_object",
            {
                "parent": "159874",
                "file": Path(path),
                "resource_subtype": "asana",
            },
            "GetAttachment200Response",
            _check_attachment,
        ),
        Case(
            "create_attachment_for_object-external-url",
            "create_attachment_for_object",
            {
                "parent": "159874",
                "resource_subtype": "external",
                "url": "https://www.example.com/specs/launch-plan.pdf",
                "name": "launch-plan.pdf",
                "connect_to_app": True,
            },
            "GetAttachment200Response",
            _check_attachment,
        ),
    ]


CASE_IDS = [c.id for c in _cases(None)]


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="module")
def api(asana_prism: Any, runner: asyncio.Runner) -> Iterator[Any]:
    configuration = asana.Configuration(
        host=asana_prism.url, access_token="test-token", retries=0, timeout=30
    )
    client = asana.ApiClient(configuration)
    yield asana.AttachmentsApi(client)
    runner.run(client.close())


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_operation(
    api: Any, runner: asyncio.Runner, upload_path: Path, index: int
) -> None:
    case = _cases(upload_path)[index]
    method = getattr(api, case.method + "_with_http_info")
    response = runner.run(method(**case.kwargs, _headers=case.headers))
    assert_conforms(response)
    assert isinstance(response.data, getattr(asana, case.returns))
    if case.check:
        case.check(response.data)


def test_plain_method_returns_the_model(api: Any, runner: asyncio.Runner) -> None:
    data = runner.run(api.get_attachment("12345", opt_fields=["name", "size"]))
    assert isinstance(data, asana.GetAttachment200Response)
    assert data.data.size == 12345


def test_open_file_upload(api: Any, runner: asyncio.Runner, upload_path: Path) -> None:
    with upload_path.open("rb") as handle:
        data = runner.run(
            api.create_attachment_for_object("159874", file=handle, name="plan.pdf")
        )
    assert isinstance(data, asana.GetAttachment200Response)


def test_iterator_follows_the_offset_cursor(api: Any, runner: asyncio.Runner) -> None:
    """Prism answers every page with the spec's example, the same next offset included: the iterator
    follows it once (the second request carries it, and Prism accepts it), then stops with
    PaginationError rather than asking for the same page for ever."""
    from asana_asyncio.exceptions import PaginationError

    async def collect() -> tuple[list[Any], PaginationError | None]:
        items: list[Any] = []
        try:
            async for item in api.get_attachments_for_object_iter(
                "159874", limit=1, opt_fields=["name"]
            ):
                items.append(item)
        except PaginationError as exc:
            return items, exc
        return items, None

    items, error = runner.run(collect())
    assert error is not None and "repeated" in str(error) and error.pages == 2
    assert len(items) >= 2
    assert all(isinstance(i, asana.AttachmentCompact) for i in items)


def test_prism_rejects_a_request_that_breaks_the_spec(
    api: Any, runner: asyncio.Runner
) -> None:
    """Control: Prism really validates (limit must be between 1 and 100)."""
    with pytest.raises(asana.ApiException) as caught:
        runner.run(api.get_attachments_for_object("159874", limit=500))
    assert caught.value.status == 400
    assert isinstance(caught.value.data, asana.ErrorResponse)


def test_prism_rejects_missing_credentials(
    asana_prism: Any, runner: asyncio.Runner
) -> None:
    """Control: without a token Prism answers the declared 401."""

    async def call() -> None:
        configuration = asana.Configuration(host=asana_prism.url, retries=0)
        async with asana.ApiClient(configuration) as client:
            await asana.AttachmentsApi(client).get_attachment("12345")

    with pytest.raises(asana.ApiException) as caught:
        runner.run(call())
    assert caught.value.status == 401


def test_cases_cover_every_operation_and_argument() -> None:
    """Keeps the cases complete: every operation and every argument, files as bytes and as a path."""
    cases = _cases(Path("x.pdf"))
    ops = endpoints(attachments_api)
    assert {c.method for c in cases} == set(ops)
    for name, endpoint in ops.items():
        mine = [c for c in cases if c.method == name]
        used = {k for c in mine for k, v in c.kwargs.items() if v is not None}
        assert used == argument_names(endpoint), name
    files = [c.kwargs.get("file") for c in cases]
    assert any(isinstance(f, bytes) for f in files)
    assert any(isinstance(f, str) for f in files)
    assert any(isinstance(f, Path) for f in files)
