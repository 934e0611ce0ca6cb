"""NestJS + @nestjs/swagger (OpenAPI 3.0): nestjs/src/main.ts compiled with tsc and run with Node 20, its
``/openapi.json`` as @nestjs/swagger serves it, a sync and an asyncio client generated from it,
every operation called with both. Requests are checked by class-validator through NestJS's global
ValidationPipe (its 400 body) and the service echoes what it parsed.

The service is compiled into ``nestjs/dist`` when ``dist/main.js`` is missing or older than the sources
(tsc; about 3 s of CPU)."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from .conftest import NESTJS, Client, Live, live_service, require, running

API_KEY = "nestjs-api-key"
SPEC_PATH = "/openapi.json"


def _build() -> Path:
    """``dist/main.js``, compiled when older than ``src`` or ``tsconfig.json``."""
    require(NESTJS / "node_modules" / ".bin" / "tsc")
    main = NESTJS / "dist" / "main.js"
    sources = [NESTJS / "tsconfig.json", *sorted((NESTJS / "src").glob("*.ts"))]
    if not main.exists() or main.stat().st_mtime < max(
        s.stat().st_mtime for s in sources
    ):
        result = subprocess.run(
            [str(NESTJS / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json"],
            cwd=NESTJS,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return main


def _start(log: Path) -> contextlib.AbstractContextManager[str]:
    main = _build()
    return running(["node", str(main)], cwd=NESTJS, log=log, probe=SPEC_PATH)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_service(
        "nestjs", tmp_path_factory.mktemp("nestjs"), _start, SPEC_PATH
    ) as service:
        yield service


@pytest.fixture(scope="module")
def client(live: Live, library: str) -> Iterator[Client]:
    c = Client(live, library, username="ann", password="pw")
    c.config.api_key["apiKey"] = API_KEY
    token = c.api("AuthApi").auth_controller_login(
        {"username": "ann", "password": "secret"}
    )
    c.config.access_token = token.access_token
    yield c
    c.close()


def _item(client: Client, sku: str, **overrides: object) -> object:
    fields: dict[str, object] = {
        "name": "kettle",
        "price": Decimal("24.99"),
        "color": client.model("Color").GREEN,
        "sku_code": sku,
        "due_date": None,
    }
    fields.update(overrides)
    return client.model("CreateItemDto")(**fields)


def _sku() -> str:
    return f"KTL-{uuid4().int % 10**6}"


def test_spec_is_3_0_and_generates_without_warnings(live: Live) -> None:
    assert live.spec["openapi"].startswith("3.0.")
    assert live.warnings == []


def test_create_get_and_list_items(client: Client) -> None:
    items = client.api("ItemsApi")
    sku = _sku()
    created = items.items_controller_create(_item(client, sku, tags=["kitchen"]))
    assert isinstance(created, client.model("ItemDto"))
    assert isinstance(created.id, UUID) and isinstance(created.created_at, datetime)
    assert created.price == Decimal("24.99") and created.sku_code == sku
    assert created.due_date is None and created.note is None
    assert created.color is client.model("Color").GREEN and created.tags == ["kitchen"]
    assert items.items_controller_get(created.id) == created
    listed = items.items_controller_list(
        color=[client.model("Color").GREEN, client.model("Color").RED], limit=100
    )
    assert created.id in {i.id for i in listed}
    assert all(i.color in ("green", "red") for i in listed)


def test_required_nullable_dates_and_aliases(client: Client) -> None:
    items = client.api("ItemsApi")
    created = items.items_controller_create(
        {
            "name": "mug",
            "price": "3.00",
            "color": "blue",
            "skuCode": _sku(),
            "dueDate": "2030-12-31",
            "note": "chipped",
        }
    )
    assert created.due_date == date(2030, 12, 31) and created.note == "chipped"
    assert created.price == Decimal("3.00")


def test_replace_update_remove_and_declared_errors(client: Client) -> None:
    items = client.api("ItemsApi")
    created = items.items_controller_create(_item(client, _sku()))
    replaced = items.items_controller_replace(
        created.id,
        _item(client, created.sku_code, name="kettle 2", due_date=date(2031, 1, 2)),
    )
    assert replaced.name == "kettle 2" and replaced.due_date == date(2031, 1, 2)
    assert replaced.created_at == created.created_at
    updated = items.items_controller_update(
        created.id, client.model("UpdateItemDto")(note="descaled")
    )
    assert updated.note == "descaled" and updated.name == "kettle 2"
    with pytest.raises(client.exceptions.ConflictException) as conflict:
        items.items_controller_create(_item(client, created.sku_code))
    assert conflict.value.data == client.model("ErrorDto")(
        code="conflict", message=created.sku_code
    )
    assert items.items_controller_remove(created.id) is None
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        items.items_controller_get(str(created.id))
    assert isinstance(missing.value.data, client.model("ErrorDto"))
    assert missing.value.data.message == f"no item {created.id}"


def test_validation_pipe_error_body(client: Client) -> None:
    items = client.api("ItemsApi")
    with pytest.raises(client.exceptions.BadRequestException) as bad:
        items.items_controller_create(
            {
                "name": "",
                "price": "lots",
                "color": "mauve",
                "skuCode": "nope",
                "dueDate": None,
                "extra": 1,
            }
        )
    body = bad.value.data
    assert isinstance(body, client.model("ValidationErrorDto"))
    assert body.status_code == 400 and body.error == "Bad Request"
    assert "property extra should not exist" in body.message
    assert any(m.startswith("price ") for m in body.message)
    assert any(m.startswith("skuCode ") for m in body.message)
    with pytest.raises(client.exceptions.BadRequestException):
        items.items_controller_get("not-a-uuid")


def test_discriminated_union(client: Client) -> None:
    pets = client.api("PetsApi")
    cat = pets.pets_controller_adopt(
        client.model("CatDto")(kind="cat", name="Tom", lives=7)
    )
    assert isinstance(cat, client.model("CatDto")) and cat.lives == 7
    dog = pets.pets_controller_adopt({"kind": "dog", "name": "Rex", "fetches": False})
    assert isinstance(dog, client.model("DogDto")) and dog.fetches is False
    assert [type(p).__name__ for p in pets.pets_controller_list()] == [
        "CatDto",
        "DogDto",
    ]
    with pytest.raises(client.exceptions.ConflictException) as refused:
        pets.pets_controller_adopt({"kind": "cow", "name": "Daisy"})
    assert refused.value.data.code == "bad_pet"


def test_recursive_dto(client: Client) -> None:
    node = client.model("NodeDto")
    tree = node(
        name="r", children=[node(name="a", children=[node(name="a1")]), node(name="b")]
    )
    stats = client.api("TreesApi").trees_controller_stats(tree)
    assert isinstance(stats, client.model("TreeStatsDto"))
    assert (stats.nodes, stats.depth) == (4, 3)
    assert stats.tree.children[0].children[0].name == "a1"


def test_uploads_and_download(client: Client, tmp_path: Path) -> None:
    files = client.api("FilesApi")
    image = tmp_path / f"pic-{client.library}.gif"
    image.write_bytes(b"GIF89a" + bytes(range(200)))
    one = files.files_controller_upload(file=str(image), title="logo")
    assert isinstance(one, client.model("FileInfoDto"))
    assert (one.field, one.filename, one.mimetype, one.size) == (
        "logo",
        image.name,
        "image/gif",
        206,
    )
    assert one.sha256 == hashlib.sha256(image.read_bytes()).hexdigest()
    many = files.files_controller_upload_many(
        files=[("a.json", b'{"a": 1}'), ("b.bin", b"\x00\x01\xff")]
    )
    assert [(f.filename, f.mimetype, f.size) for f in many] == [
        ("a.json", "application/json", 8),
        ("b.bin", "application/octet-stream", 3),
    ]
    assert files.files_controller_download("b.bin") == b"\x00\x01\xff"
    assert files.files_controller_download(image.name) == image.read_bytes()
    assert files.files_controller_download("hello.bin") == bytes(range(256)) * 4
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        files.files_controller_download("absent.bin")
    assert missing.value.data.code == "not_found"


def test_url_encoded_form_with_header_and_204(client: Client) -> None:
    forms = client.api("FormsApi")
    assert (
        forms.signup_controller_signup(
            x_request_id="r-1", email="a@example.com", age=30
        )
        is None
    )
    with pytest.raises(client.exceptions.BadRequestException) as bad:
        forms.signup_controller_signup(x_request_id="r-2", email="nope", age=7)
    assert len(bad.value.data.message) == 2


def test_guards_and_security_schemes(client: Client) -> None:
    auth = client.api("AuthApi")
    me = auth.auth_controller_me()
    assert isinstance(me, client.model("WhoDto")) and (me.user, me.scheme) == (
        "ann",
        "bearer",
    )
    assert auth.auth_controller_basic().scheme == "basic"
    assert auth.auth_controller_keyed().scheme == "apiKey"
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.auth_controller_me(_headers={"Authorization": "Bearer nope"})
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.auth_controller_keyed(_headers={"X-API-Key": "nope"})
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.auth_controller_login(
            client.model("LoginDto")(username="ann", password="x")
        )
    token = auth.auth_controller_login({"username": "bob", "password": "secret"})
    assert isinstance(token, client.model("TokenDto")) and token.token_type == "bearer"


def test_dates_uuids_and_decimals_in_parameters(client: Client) -> None:
    at = datetime(2024, 3, 18, 14, 7, 21, 250000, tzinfo=timezone.utc)
    ids = [uuid4(), uuid4()]
    moment = client.api("ValuesApi").moments_controller_moment(
        date(2024, 2, 29), at=at, amount=Decimal("10.25"), ids=ids
    )
    assert isinstance(moment, client.model("MomentDto"))
    assert moment.at == at and moment.day == date(2024, 2, 29) and moment.ids == ids
    assert moment.amount == Decimal("20.50")


LONG = "12345678901234567890.123456789"  # float(LONG) == 12345678901234567000.0


def test_decimals_round_trip_exactly(client: Client) -> None:
    items = client.api("ItemsApi")
    created = items.items_controller_create(_item(client, _sku(), price=Decimal(LONG)))
    assert isinstance(created.price, Decimal) and str(created.price) == LONG
    # Sent in fixed-point notation ("0.0000001"): class-validator's IsNumberString refuses "1E-7".
    tiny = items.items_controller_create(_item(client, _sku(), price=Decimal("1E-7")))
    assert tiny.price == Decimal("1E-7")


def test_every_operation_was_called(live: Live, client: Client) -> None:
    assert live.called[client.library] == live.operation_ids
    assert len(live.operation_ids) == 18
