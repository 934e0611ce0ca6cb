"""Django REST framework + drf-spectacular (OpenAPI 3.0, the generator of Plane's real spec):
services/drf_service.py under uvicorn, its ``/api/schema/?format=json`` as drf-spectacular serves it, a
sync and an asyncio client generated from it, every operation called with both. Requests are checked by
DRF's serializers (a wrong body gets DRF's 400 ``{field: [messages]}``) and the service echoes what it
parsed."""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from .conftest import PYTHON, SERVICES, Client, Live, live_service, require, running

TOKEN = "drf-token-ann"


def _start(log: Path) -> contextlib.AbstractContextManager[str]:
    return running(
        [str(PYTHON), "drf_service.py"],
        cwd=SERVICES,
        log=log,
        probe="/api/schema/?format=json",
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    require(PYTHON)
    with live_service(
        "drf", tmp_path_factory.mktemp("drf"), _start, "/api/schema/?format=json"
    ) as service:
        yield service


@pytest.fixture(scope="module")
def client(live: Live, library: str) -> Iterator[Client]:
    c = Client(live, library)
    c.config.api_key["tokenAuth"] = TOKEN
    c.config.api_key_prefix["tokenAuth"] = "Token"
    yield c
    c.close()


def _book(client: Client, isbn: str, **overrides: object) -> object:
    fields: dict[str, object] = {
        "title": "Ulysses",
        "price": Decimal("19.90"),
        "genre": client.model("GenreEnum").FICTION,
        "isbn_code": isbn,
        "published": None,
        "tags": ["classic"],
    }
    fields.update(overrides)
    return client.model("BookRequest")(**fields)


def _isbn() -> str:
    return f"978-{uuid4().int % 10**9}"


def test_spec_is_3_0_and_generates_without_warnings(live: Live) -> None:
    assert live.spec["openapi"].startswith("3.0.")
    assert live.warnings == []


def test_create_retrieve_and_paginated_list(client: Client) -> None:
    books = client.api("BooksApi")
    created = books.books_create(_book(client, _isbn()))
    assert isinstance(created, client.model("Book"))
    assert isinstance(created.id, UUID) and isinstance(created.added, datetime)
    # drf-spectacular writes DecimalField as `type: string, format: decimal`: a Decimal both ways.
    assert created.price == Decimal("19.90") and isinstance(created.price, Decimal)
    assert created.published is None and created.subtitle is None
    assert created.genre is client.model("GenreEnum").FICTION
    assert books.books_retrieve(created.id) == created
    page = books.books_list(genre=["fiction", "poetry"], tag=["classic"], limit=50)
    assert isinstance(page, client.model("PaginatedBookList"))
    assert created.id in {b.id for b in page.results}
    assert page.count == len(page.results) and page.previous is None
    first = books.books_list(limit=1, offset=0)
    assert len(first.results) == 1 and first.count >= 1
    assert books.books_list(genre=["science"]).results == []


def test_required_nullable_alias_and_dates(client: Client) -> None:
    books = client.api("BooksApi")
    isbn = _isbn()
    created = books.books_create(
        {
            "title": "Odyssey",
            "price": "7.5",
            "genre": "poetry",
            "isbnCode": isbn,
            "published": "1614-01-01",
            "subtitle": None,
        }
    )
    assert created.isbn_code == isbn and created.published == date(1614, 1, 1)
    assert created.price == Decimal("7.50") and created.tags == []


def test_update_partial_update_destroy_and_declared_errors(client: Client) -> None:
    books = client.api("BooksApi")
    created = books.books_create(_book(client, _isbn()))
    updated = books.books_update(
        created.id,
        _book(
            client, created.isbn_code, title="Ulysses (2nd)", published=date(1922, 2, 2)
        ),
    )
    assert updated.title == "Ulysses (2nd)" and updated.published == date(1922, 2, 2)
    patched = books.books_partial_update(
        created.id, client.model("PatchedBookRequest")(subtitle="annotated")
    )
    assert patched.subtitle == "annotated" and patched.title == "Ulysses (2nd)"
    with pytest.raises(client.exceptions.ConflictException) as conflict:
        books.books_create(_book(client, created.isbn_code))
    assert conflict.value.data == client.model("Error")(
        code="conflict", message=created.isbn_code
    )
    assert books.books_destroy(str(created.id)) is None
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        books.books_retrieve(created.id)
    assert isinstance(missing.value.data, client.model("Error"))
    assert missing.value.data.message == f"no book {created.id}"


def test_drf_validation_error_body(client: Client) -> None:
    books = client.api("BooksApi")
    with pytest.raises(client.exceptions.BadRequestException) as bad:
        books.books_create(
            {
                "title": "x" * 61,
                "price": "-1",
                "genre": "cooking",
                "isbnCode": "nope",
                "published": None,
            }
        )
    errors = bad.value.data
    assert sorted(errors) == ["genre", "isbnCode", "price", "title"]
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    assert errors["genre"] == ['"cooking" is not a valid choice.']


def test_total_is_a_decimal(client: Client) -> None:
    total = client.api("BooksApi").books_total_price_retrieve()
    assert isinstance(total, client.model("Total")) and isinstance(total.total, Decimal)
    assert total.books >= 0 and total.total >= 0


def test_polymorphic_proxy_serializer(client: Client) -> None:
    pets = client.api("PetsApi")
    dog = pets.pets_adopt_create(
        client.model("PetRequest")(
            client.model("DogRequest")(kind="dog", name="Rex", good_boy=True)
        )
    )
    assert isinstance(dog, client.model("Pet"))
    assert isinstance(dog.root, client.model("Dog")) and dog.root.good_boy is True
    cat = pets.pets_adopt_create(
        client.model("PetRequest").from_dict(
            {"kind": "cat", "name": "Tom", "indoor": False}
        )
    )
    assert isinstance(cat.root, client.model("Cat")) and cat.root.indoor is False


def test_recursive_serializer(client: Client) -> None:
    node = client.model("NodeRequest")
    tree = node(
        name="root",
        children=[node(name="ab", children=[node(name="xyz")]), node(name="c")],
    )
    mirrored = client.api("TreesApi").trees_mirror_create(tree)
    assert isinstance(mirrored, client.model("Node"))
    assert [c.name for c in mirrored.children] == ["c", "ba"]
    assert mirrored.children[1].children[0].name == "zyx"
    assert isinstance(mirrored.children[1].children[0], client.model("Node"))


def test_uploads_and_download(client: Client, tmp_path: Path) -> None:
    files = client.api("FilesApi")
    sheet = tmp_path / f"sheet-{client.library}.csv"
    sheet.write_bytes(b"a,b\n1,2\n")
    info = files.files_create(file=str(sheet), title="numbers")
    assert isinstance(info, client.model("FileInfo"))
    assert (info.field, info.filename, info.content_type, info.size) == (
        "numbers",
        sheet.name,
        "text/csv",
        8,
    )
    binary = bytes(range(256))
    batch = files.files_batch_create(
        files=[("one.bin", binary), ("two.txt", b"two")], label="pair"
    )
    assert [(f.filename, f.size) for f in batch] == [("one.bin", 256), ("two.txt", 3)]
    assert batch[0].sha256 == hashlib.sha256(binary).hexdigest()
    assert files.files_retrieve("one.bin") == binary
    assert files.files_retrieve(sheet.name) == sheet.read_bytes()
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        files.files_retrieve("absent.bin")
    assert missing.value.data.code == "not_found"


def test_form_body_and_204(client: Client) -> None:
    contact = client.api("ContactApi")
    assert (
        contact.contact_create(email="a@example.com", age=30, newsletter=False) is None
    )
    with pytest.raises(client.exceptions.BadRequestException) as bad:
        contact.contact_create(email="not-an-email", age=-1, newsletter=True)
    assert sorted(bad.value.data) == ["age", "email"]


def test_token_and_basic_authentication(live: Live, client: Client) -> None:
    me = client.api("MeApi").me_retrieve()
    assert isinstance(me, client.model("Who")) and (me.user, me.scheme) == (
        "ann",
        "token",
    )
    basic = Client(live, client.library, username="ann", password="pw")
    try:
        assert basic.api("MeApi").me_retrieve().scheme == "basic"
        assert basic.api("BooksApi").books_list(limit=1).count >= 0
    finally:
        basic.close()
    anonymous = Client(live, client.library)
    try:
        with pytest.raises(client.exceptions.UnauthorizedException):
            anonymous.api("MeApi").me_retrieve()
        wrong = base64.b64encode(b"ann:wrong").decode()
        with pytest.raises(client.exceptions.UnauthorizedException):
            anonymous.api("MeApi").me_retrieve(
                _headers={"Authorization": f"Basic {wrong}"}
            )
    finally:
        anonymous.close()


def test_dates_uuids_and_decimals_in_parameters(client: Client) -> None:
    at = datetime(2024, 3, 18, 14, 7, 21, tzinfo=timezone.utc)
    ids = [uuid4(), uuid4()]
    values = client.api("ValuesApi").values_retrieve(
        amount=10.25, at=at, day=date(2024, 2, 29), ids=ids
    )
    assert isinstance(values, client.model("Values"))
    assert values.at == at and values.day == date(2024, 2, 29) and values.ids == ids
    assert values.amount == Decimal("20.50") and isinstance(values.amount, Decimal)


LONG = "12345678901234567890.123456789"  # float(LONG) == 12345678901234567000.0


def test_decimals_round_trip_exactly(client: Client) -> None:
    ledger = client.api("LedgerApi").ledger_create(
        client.model("LedgerRequest")(amount=Decimal(LONG), rate=0.5, count=3)
    )
    assert isinstance(ledger.amount, Decimal)
    assert (
        str(ledger.amount) == "37037036703703703670.370370367"
    )  # 3 * LONG, every digit
    assert ledger.history == [Decimal(LONG), Decimal("-" + LONG)]
    assert ledger.rate == 0.5 and type(ledger.rate) is float
    assert ledger.count == 3 and type(ledger.count) is int


def test_every_operation_was_called(live: Live, client: Client) -> None:
    assert live.called[client.library] == live.operation_ids
    assert len(live.operation_ids) == 16
