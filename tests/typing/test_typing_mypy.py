"""``mypy --strict`` over each generated package, and over user code written against it: a correct
snippet type-checks, a wrong one fails with exactly the expected error codes on the expected lines.

mypy runs from a temporary directory with ``MYPYPATH`` pointing at ``generated/<package>`` and its cache
in a temporary directory, so nothing is written under ``generated/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
PACKAGES = ("plane", "pieces_os_client", "asana_asyncio")
_ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")
_EXPECT = re.compile(r"#\s*E:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(
    package: str, cache_dir: Path, workdir: Path, *targets: str
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPYPATH=str(GENERATED / package))
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(cache_dir),
            "--no-color-output",
            "--no-error-summary",
            "--show-error-codes",
            *targets,
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert not (GENERATED / package / ".mypy_cache").exists()
    return result


def _errors(output: str, filename: str | None = None) -> set[tuple[int, str]]:
    found = set()
    for line in output.splitlines():
        match = _ERROR.match(line.strip())
        if match and (filename is None or Path(match["file"]).name == filename):
            found.add((int(match["line"]), match["code"]))
    return found


def _expected(source: str) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for code in match.group(1).split(","):
                expected.add((number, code.strip()))
    return expected


@pytest.mark.parametrize("package", PACKAGES)
def test_package_is_mypy_strict_clean(
    package: str, cache_dir: Path, tmp_path: Path
) -> None:
    result = _mypy(package, cache_dir, tmp_path, "-p", package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


GOOD = {
    "plane": """
        from __future__ import annotations

        from plane import (
            ApiClient,
            AssetDownloadResponse,
            AssetsApi,
            AssetUploadResponse,
            Configuration,
            EntityTypeEnum,
            ErrorResponse,
            GenericAssetUploadRequest,
            UserAssetUploadRequest,
        )
        from plane.api_response import ApiResponse
        from plane.exceptions import ApiConnectionError, ApiException, NotFoundException


        def main() -> None:
            config = Configuration(
                host="http://localhost:8000", api_key={"ApiKeyAuthentication": "k"}
            )
            config.api_key_prefix["ApiKeyAuthentication"] = "Token"
            with ApiClient(config) as client:
                client.set_default_header("X-Trace", "1")
                api = AssetsApi(client)
                request = UserAssetUploadRequest(
                    name="a.png", size=3, entity_type=EntityTypeEnum.USER_AVATAR
                )
                upload: AssetUploadResponse = api.create_user_asset_upload(request)
                target: str = upload.upload_data.url
                fields: dict[str, str] = upload.upload_data.fields
                api.create_generic_asset_upload(
                    "ws", GenericAssetUploadRequest(name="b", size=1, project_id=None)
                )
                api.create_generic_asset_upload("ws", {"name": "b", "size": 1})
                download = api.get_generic_asset(
                    "id", "ws", _request_timeout=(1.0, 5.0), _retries=0
                )
                name: str | None = download.asset_name
                info: ApiResponse[AssetDownloadResponse] = (
                    api.get_generic_asset_with_http_info("id", "ws")
                )
                status: int = info.status_code
                raw: bytes = info.raw_data
                api.delete_user_asset("id")
                api.update_generic_asset("id", "ws", {"is_uploaded": True})
                as_dict: dict[str, object] = download.to_dict()
                kind = request.entity_type
                if not kind.is_known:  # a value newer than the spec
                    unlisted: str = kind.value
                    print(unlisted)
                print(target, fields, name, status, raw, as_dict)
            try:
                AssetsApi().delete_user_asset("x")
            except NotFoundException as exc:
                code: int | None = exc.status
                if isinstance(exc.data, ErrorResponse):
                    message: str | None = exc.data.error
                    print(code, message)
            except ApiException as exc:
                print(exc.body, exc.headers)
            except ApiConnectionError as exc:
                print(exc.method, exc.url)
        """,
    "pieces_os_client": """
        from __future__ import annotations

        from uuid import UUID

        from pieces_os_client import ApiClient, Asset, Assets, AssetsApi, Configuration, Seed
        from pieces_os_client.exceptions import ServiceException


        def main() -> None:
            with ApiClient(Configuration(host="http://localhost:1000")) as client:
                api = AssetsApi(client)
                snapshot: Assets = api.assets_snapshot(transferables=False)
                first: Asset = snapshot.iterable[0]
                asset_id: UUID = first.id
                deleted: str = api.assets_delete_asset(asset_id)
                related = api.assets_get_related_assets(Assets(iterable=[]))
                count: int = len(related.iterable)
                drafted: Seed = api.assets_draft(seed={"type": "UNKNOWN"})
                print(deleted, count, drafted.to_json())
                with api.stream_assets_ws() as stream:
                    for message in stream:
                        latest: Assets = message
                        print(latest.iterable)
            try:
                AssetsApi().assets_pseudo_snapshot()
            except ServiceException as exc:
                print(exc.status, exc.body)
        """,
    "asana_asyncio": """
        from __future__ import annotations

        import asyncio

        from asana_asyncio import ApiClient, AttachmentsApi, Configuration
        from asana_asyncio.exceptions import ApiException


        async def main() -> None:
            config = Configuration(access_token="t")
            async with ApiClient(config) as client:
                api = AttachmentsApi(client)
                found = await api.get_attachment("1", opt_fields=["name", "size"])
                if found.data is not None:
                    gid: str | None = found.data.gid
                    size: int | None = found.data.size
                    print(gid, size)
                await api.create_attachment_for_object(parent="1", file=b"bytes")
                await api.create_attachment_for_object(parent="1", file="/tmp/a.txt")
                with open("/tmp/a.txt", "rb") as f:
                    await api.create_attachment_for_object(parent="1", file=f)
                info = await api.get_attachment_with_http_info("1")
                status: int = info.status_code
                print(status)
                async for item in api.get_attachments_for_object_iter(
                    "123", limit=50, _max_pages=100
                ):
                    name: str | None = item.name
                    print(name)
                raw = await api.delete_attachment_without_preload_content("1")
                body: bytes = await raw.read()
                print(body)
            try:
                await AttachmentsApi().delete_attachment("1")
            except ApiException as exc:
                print(exc.status)


        asyncio.run(main())
        """,
}

BAD = {
    "plane": """
        from __future__ import annotations

        from plane import ApiClient, AssetsApi, EntityTypeEnum, UserAssetUploadRequest


        def main() -> None:
            with ApiClient() as client:
                api = AssetsApi(client)
                api.delete_user_asset(123)  # E: arg-type
                download = api.get_generic_asset("id", "ws")
                print(download.no_such_field)  # E: attr-defined
                count: int = download.asset_url  # E: assignment
                api.get_generic_asset("only-one")  # E: call-arg
                UserAssetUploadRequest(
                    name="a", size="big", entity_type=EntityTypeEnum.USER_AVATAR  # E: arg-type
                )
                api.delete_user_asset("id", _retries="3")  # E: arg-type
                print(count)
        """,
    "pieces_os_client": """
        from __future__ import annotations

        from pieces_os_client import ApiClient, AssetsApi


        def main() -> None:
            with ApiClient() as client:
                api = AssetsApi(client)
                deleted: int = api.assets_delete_asset("x")  # E: assignment
                snapshot = api.assets_snapshot(transferables="yes")  # E: arg-type
                print(snapshot.iterable[0].missing)  # E: attr-defined
                print(deleted)
        """,
    "asana_asyncio": """
        from __future__ import annotations

        from asana_asyncio import ApiClient, AttachmentsApi


        async def main() -> None:
            async with ApiClient() as client:
                api = AttachmentsApi(client)
                await api.get_attachment(12345)  # E: arg-type
                found = await api.get_attachment("1")
                print(found.data.nope if found.data else None)  # E: attr-defined
                print(api.get_attachment("1").data)  # E: attr-defined
                await api.get_attachment("1", opt_fields="name,size")  # E: arg-type
                await api.create_attachment_for_object(parent="1", file=3.5)  # E: arg-type
        """,
}


def _write(tmp_path: Path, package: str, source: str) -> tuple[Path, str]:
    text = textwrap.dedent(source).lstrip("\n")
    path = tmp_path / f"user_{package}.py"
    path.write_text(text)
    return path, text


@pytest.mark.parametrize("package", PACKAGES)
def test_user_code_type_checks(package: str, cache_dir: Path, tmp_path: Path) -> None:
    path, _ = _write(tmp_path, package, GOOD[package])
    result = _mypy(package, cache_dir, tmp_path, path.name)
    assert _errors(result.stdout, path.name) == set(), result.stdout + result.stderr
    assert "error:" not in result.stdout, result.stdout


@pytest.mark.parametrize("package", PACKAGES)
def test_wrong_user_code_fails_with_expected_codes(
    package: str, cache_dir: Path, tmp_path: Path
) -> None:
    path, text = _write(tmp_path, package, BAD[package])
    result = _mypy(package, cache_dir, tmp_path, path.name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _errors(result.stdout, path.name) == _expected(text), result.stdout


TWIN_GOOD = """
    from __future__ import annotations

    import asyncio

    from pieces_os_client import (
        Assets,
        AsyncApiClient,
        AsyncAssetsApi,
        Configuration,
        Seed,
    )
    from pieces_os_client.api_response import ApiResponse
    from pieces_os_client.exceptions import ServiceException


    async def main() -> None:
        async with AsyncApiClient(Configuration(host="http://localhost:1000")) as client:
            api = AsyncAssetsApi(client)
            snapshot: Assets = await api.assets_snapshot(transferables=False)
            deleted: str = await api.assets_delete_asset(snapshot.iterable[0].id)
            drafted: Seed = await api.assets_draft(seed={"type": "UNKNOWN"})
            info: ApiResponse[Assets] = await api.assets_snapshot_with_http_info()
            status: int = info.status_code
            raw = await api.assets_snapshot_without_preload_content()
            body: bytes = await raw.read()
            async with api.stream_assets_ws(_receive_timeout=5.0) as stream:
                async for message in stream:
                    latest: Assets = message
                    print(latest.iterable)
            print(deleted, drafted, status, body)
        try:
            await AsyncAssetsApi().assets_pseudo_snapshot()
        except ServiceException as exc:
            print(exc.status, exc.body)


    asyncio.run(main())
    """

TWIN_BAD = """
    from __future__ import annotations

    from pieces_os_client import AsyncApiClient, AsyncAssetsApi


    async def main() -> None:
        async with AsyncApiClient() as client:
            api = AsyncAssetsApi(client)
            print(api.assets_snapshot().iterable)  # E: attr-defined
            deleted: int = await api.assets_delete_asset("x")  # E: assignment
            await api.assets_snapshot(transferables="yes")  # E: arg-type
            print(deleted)
    """


def test_asyncio_twin_user_code_type_checks(cache_dir: Path, tmp_path: Path) -> None:
    """The asyncio twin of a package with both clients is as typed as the sync one: right code passes
    ``mypy --strict``, wrong code fails with exactly the expected codes."""
    path, _ = _write(tmp_path, "pieces_os_client", TWIN_GOOD)
    result = _mypy("pieces_os_client", cache_dir, tmp_path, path.name)
    assert _errors(result.stdout, path.name) == set(), result.stdout + result.stderr
    path, text = _write(tmp_path, "pieces_os_client", TWIN_BAD)
    result = _mypy("pieces_os_client", cache_dir, tmp_path, path.name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _errors(result.stdout, path.name) == _expected(text), result.stdout
