"""FastAPI (OpenAPI 3.1): services/fastapi_service.py under uvicorn, its ``/openapi.json`` as FastAPI serves
it, a sync and an asyncio client generated from it, every operation called with both. Requests are
checked by FastAPI's own validation (a wrong body, part or parameter gets its 422) and the service
echoes what it parsed."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from .conftest import PYTHON, SERVICES, Client, Live, live_service, require, running

API_KEY = "fastapi-api-key"


def _start(log: Path) -> contextlib.AbstractContextManager[str]:
    return running(
        [str(PYTHON), "fastapi_service.py"],
        cwd=SERVICES,
        log=log,
        probe="/openapi.json",
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    require(PYTHON)
    with live_service(
        "fastapi", tmp_path_factory.mktemp("fastapi"), _start, "/openapi.json"
    ) as service:
        yield service


@pytest.fixture(scope="module")
def client(live: Live, library: str) -> Iterator[Client]:
    c = Client(live, library, username="ann", password="pw")
    c.config.api_key["APIKeyHeader"] = API_KEY
    token = c.api("AuthApi").login_token_post(
        username="ann", password="secret", scope="items"
    )
    c.config.access_token = token.access_token
    yield c
    c.close()


def _item(client: Client, sku: str, **overrides: object) -> object:
    fields: dict[str, object] = {
        "name": "lamp",
        "price": "12.50",
        "color": client.model("Color").BLUE,
        "sku_code": sku,
        "due": None,
        "tags": ["home", "light"],
    }
    fields.update(overrides)
    return client.model("ItemIn")(**fields)


def test_spec_is_3_1_and_generates_without_warnings(live: Live) -> None:
    assert live.spec["openapi"].startswith("3.1.")
    assert live.warnings == []


def test_create_get_and_list_items(client: Client) -> None:
    items = client.api("ItemsApi")
    sku = f"ABC-{uuid4().int % 10**6}"
    created = items.create_item_items_post(
        _item(client, sku, priority=client.model("Priority").NUMBER_2)
    )
    assert isinstance(created, client.model("Item"))
    assert isinstance(created.id, UUID) and isinstance(created.created, datetime)
    assert created.created.tzinfo is not None
    assert created.sku_code == sku and created.due is None and created.note is None
    # FastAPI serialises a Decimal as a string (type: string in its output schema).
    assert created.price == "12.50" and created.color is client.model("Color").BLUE
    assert created.priority == 2
    fetched = items.get_item_items_item_id_get(created.id)
    assert fetched == created
    assert items.get_item_items_item_id_get(str(created.id)) == created
    listed = items.list_items_items_get(
        color=[client.model("Color").BLUE, client.model("Color").RED],
        tag=["light"],
        limit=100,
    )
    assert created.id in {i.id for i in listed}
    assert all(isinstance(i, client.model("Item")) for i in listed)
    assert items.list_items_items_get(color=[client.model("Color").GREEN]) == []


def test_required_nullable_and_dates_round_trip(client: Client) -> None:
    items = client.api("ItemsApi")
    due = date(2031, 5, 17)
    created = items.create_item_items_post(
        {
            "name": "desk",
            "price": 3,
            "color": "red",
            "skuCode": f"DSK-{uuid4().int % 10**6}",
            "due": due.isoformat(),
            "note": "wobbly",
        }
    )
    assert created.due == due and created.note == "wobbly" and created.price == "3"
    before = items.list_items_items_get(due_before=date(2031, 5, 18), limit=100)
    assert created.id in {i.id for i in before}
    after = items.list_items_items_get(due_before=date(2031, 5, 17), limit=100)
    assert created.id not in {i.id for i in after}


def test_replace_patch_and_delete(client: Client) -> None:
    items = client.api("ItemsApi")
    created = items.create_item_items_post(_item(client, f"RPL-{uuid4().int % 10**6}"))
    replaced = items.replace_item_items_item_id_put(
        created.id, _item(client, created.sku_code, name="lamp 2", due=date(2030, 1, 1))
    )
    assert replaced.name == "lamp 2" and replaced.due == date(2030, 1, 1)
    assert replaced.id == created.id and replaced.created == created.created
    patched = items.patch_item_items_item_id_patch(
        created.id, client.model("ItemPatch")(note="patched")
    )
    assert patched.note == "patched" and patched.name == "lamp 2"
    assert items.delete_item_items_item_id_delete(created.id) is None
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        items.delete_item_items_item_id_delete(created.id)
    error = missing.value.data
    assert isinstance(error, client.model("ErrorOut")) and error.code == "not_found"


def test_declared_error_models(client: Client) -> None:
    items = client.api("ItemsApi")
    nowhere = uuid4()
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        items.get_item_items_item_id_get(nowhere)
    assert missing.value.data == client.model("ErrorOut")(
        code="not_found", message=f"no item {nowhere}"
    )
    sku = f"DUP-{uuid4().int % 10**6}"
    items.create_item_items_post(_item(client, sku))
    with pytest.raises(client.exceptions.ConflictException) as conflict:
        items.create_item_items_post(_item(client, sku))
    assert conflict.value.status == 409 and conflict.value.data.code == "conflict"


def test_fastapi_validation_error_body(client: Client) -> None:
    items = client.api("ItemsApi")
    with pytest.raises(client.exceptions.UnprocessableEntityException) as bad_query:
        items.list_items_items_get(limit=0)
    body = bad_query.value.data
    assert isinstance(body, client.model("HTTPValidationError"))
    (detail,) = body.detail
    assert isinstance(detail, client.model("ValidationError"))
    assert detail.loc == ["query", "limit"] and detail.type == "greater_than_equal"
    with pytest.raises(client.exceptions.UnprocessableEntityException) as bad_body:
        items.create_item_items_post(
            {"name": "", "price": "-1", "color": "red", "skuCode": "nope", "due": None}
        )
    locs = sorted(tuple(d.loc) for d in bad_body.value.data.detail)
    assert locs == [("body", "name"), ("body", "price"), ("body", "skuCode")]


def test_discriminated_union_and_aliases(client: Client) -> None:
    pets = client.api("PetsApi")
    dog = client.model("Dog")(kind="dog", name="Rex", good_boy=False)
    adoption = pets.adopt_adoptions_post(
        client.model("Adoption")(pet=dog, adopted_on=date(2024, 2, 29))
    )
    assert isinstance(adoption.pet, client.model("Dog"))
    assert adoption.pet.good_boy is False and adoption.adopted_on == date(2024, 2, 29)
    cat = pets.adopt_adoptions_post(
        {
            "pet": {"kind": "cat", "name": "Tom", "indoor": True},
            "adopted_on": "2024-01-01",
        }
    )
    assert isinstance(cat.pet, client.model("Cat")) and cat.pet.indoor is True
    listed = pets.list_pets_pets_get()
    assert [type(p).__name__ for p in listed] == ["Cat", "Dog"]
    assert listed[1].good_boy is True
    assert [p.name for p in pets.list_pets_pets_get(kind="dog")] == ["Rex"]


def test_recursive_model(client: Client) -> None:
    node = client.model("NodeInput")
    tree = node(
        name="root",
        children=[node(name="a", children=[node(name="a1")]), node(name="b")],
    )
    summary = client.api("TreesApi").summarize_tree_trees_summary_post(tree)
    assert isinstance(summary, client.model("TreeSummary"))
    assert (summary.count, summary.depth) == (4, 3)
    assert isinstance(summary.tree, client.model("NodeOutput"))
    assert summary.tree.children[0].children[0].name == "a1"


def test_uploads_and_download(client: Client, tmp_path: Path) -> None:
    files = client.api("FilesApi")
    photo = tmp_path / f"photo-{client.library}.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    one = files.upload_file_files_post(file=str(photo), title="cover", description=None)
    assert isinstance(one, client.model("FileInfo"))
    assert (one.filename, one.content_type, one.size) == (photo.name, "image/png", 264)
    assert one.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert one.field == "cover|None"
    many = files.upload_files_files_batch_post(
        files=[("a.txt", b"alpha"), ("b.bin", b"\x00\xff")], labels=["first", "second"]
    )
    assert [(f.field, f.filename, f.size) for f in many] == [
        ("first", "a.txt", 5),
        ("second", "b.bin", 2),
    ]
    assert many[0].content_type == "text/plain"
    raw = files.upload_bytes_files_raw_post(
        data=b"\x00\x01\x02", name=f"raw-{client.library}.bin"
    )
    assert (raw.size, raw.sha256) == (3, hashlib.sha256(b"\x00\x01\x02").hexdigest())
    assert (
        files.download_file_files_name_get(f"raw-{client.library}.bin")
        == b"\x00\x01\x02"
    )
    assert files.download_file_files_name_get(photo.name) == photo.read_bytes()
    assert files.download_file_files_name_get("hello.bin") == bytes(range(256)) * 4
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        files.download_file_files_name_get("nothing.bin")
    assert missing.value.data.message == "nothing.bin"


def test_auth_helpers(client: Client) -> None:
    auth = client.api("AuthApi")
    me = auth.who_am_i_me_get()
    assert isinstance(me, client.model("Who")) and (me.user, me.scheme) == (
        "ann",
        "oauth2",
    )
    assert auth.basic_user_basic_get().user == "ann"
    assert auth.keyed_keyed_get().scheme == "apiKey"
    with pytest.raises(client.exceptions.BadRequestException):
        auth.login_token_post(username="ann", password="wrong")
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.who_am_i_me_get(_headers={"Authorization": "Bearer nope"})
    token = auth.login_token_post(
        username="bob", password="secret", grant_type="password"
    )
    assert isinstance(token, client.model("Token"))
    assert (token.access_token, token.token_type, token.scope) == (
        "token-for-bob",
        "bearer",
        "",
    )


def test_form_body_with_header_and_204(client: Client) -> None:
    forms = client.api("FormsApi")
    result = forms.subscribe_subscribe_post(
        x_request_id="req-1",
        email="a@example.com",
        weekly=True,
        topics=["news", "sales"],
    )
    assert result is None
    with pytest.raises(client.exceptions.UnprocessableEntityException) as bad:
        forms.subscribe_subscribe_post(
            x_request_id="req-2", email="a@example.com", weekly=True, topics=[]
        )
    assert ("body", "topics") in {tuple(d.loc) for d in bad.value.data.detail}


def test_dates_uuids_and_decimals_in_parameters(client: Client) -> None:
    at = datetime(2024, 3, 18, 14, 7, 21, 500000, tzinfo=timezone.utc)
    ids = [uuid4(), uuid4()]
    moment = client.api("ValuesApi").moment_moments_day_get(
        date(2024, 2, 29), at=at, amount="10.25", ids=ids
    )
    assert isinstance(moment, client.model("Moment"))
    assert moment.at == at and moment.day == date(2024, 2, 29)
    assert moment.ids == ids and all(isinstance(i, UUID) for i in moment.ids)
    assert Decimal(moment.amount) == Decimal("20.50")


LONG = "12345678901234567890.123456789"  # float(LONG) == 12345678901234567000.0


def test_decimals_round_trip_exactly(client: Client) -> None:
    # `anyOf: [number, string]` in requests, `type: string` out; with `format: decimal`: Decimal both ways.
    ledger = client.api("ValuesApi").ledger_ledger_post(
        client.model("LedgerIn")(amount=Decimal(LONG), rate=0.5, count=3)
    )
    assert isinstance(ledger.amount, Decimal)
    assert (
        str(ledger.amount) == "37037036703703703670.370370367"
    )  # 3 * LONG, every digit
    assert ledger.history == [Decimal(LONG), Decimal("1E+400")]
    assert ledger.rate == 0.5 and type(ledger.rate) is float
    assert ledger.count == 3 and type(ledger.count) is int
    # Without the format, FastAPI's `type: string` output is text: the digits are all there.
    items = client.api("ItemsApi")
    created = items.create_item_items_post(
        _item(client, f"DEC-{uuid4().int % 10**6}", price=Decimal(LONG))
    )
    assert created.price == LONG


def test_every_operation_was_called(live: Live, client: Client) -> None:
    assert live.called[client.library] == live.operation_ids
    assert len(live.operation_ids) == 20
