"""Litestar (OpenAPI 3.1): services/litestar_service.py under uvicorn, its ``/schema/openapi.json`` as
Litestar serves it, a sync and an asyncio client generated from it, every operation called with both.
Requests are checked by Litestar's own validation (its 400 body) and the service echoes what it parsed.

Litestar's ``OAuth2PasswordBearerAuth`` writes a security scheme that breaks the OpenAPI schema (a
password flow without ``scopes``, and http-scheme keys on an oauth2 scheme), so strict generation
refuses the document with those two located errors; ``--lenient`` generates it with them as warnings,
and the client then works (the scheme is still OAuth2: a bearer token)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from .conftest import (
    PYTHON,
    SERVICES,
    Client,
    Live,
    live_service,
    require,
    run_generate,
    running,
)

API_KEY = "litestar-api-key"
SCHEME_PROBLEMS = [
    "/components/securitySchemes/BearerToken/flows/password: 'scopes' is a required property "
    "[warning]",
    "/components/securitySchemes/BearerToken: Unevaluated properties are not allowed "
    "('bearerFormat', 'flows', 'in', 'name', 'scheme' were unexpected) [warning]",
]


def _start(log: Path) -> contextlib.AbstractContextManager[str]:
    return running(
        [str(PYTHON), "litestar_service.py"],
        cwd=SERVICES,
        log=log,
        probe="/schema/openapi.json",
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    require(PYTHON)
    with live_service(
        "litestar",
        tmp_path_factory.mktemp("litestar"),
        _start,
        "/schema/openapi.json",
        lenient=True,
    ) as service:
        yield service


@pytest.fixture(scope="module")
def client(live: Live, library: str) -> Iterator[Client]:
    c = Client(live, library)
    c.config.api_key["apiKey"] = API_KEY
    login = c.api("AuthApi").login_login(username="ann", password="secret")
    c.config.access_token = login.access_token
    yield c
    c.close()


def _book(client: Client, isbn: str, **overrides: object) -> object:
    fields: dict[str, object] = {
        "title": "Dune",
        "price": "9.99",
        "color": client.model("Color").RED,
        "isbn_code": isbn,
        "published": None,
        "tags": ["scifi"],
    }
    fields.update(overrides)
    return client.model("BookIn")(**fields)


def _isbn() -> str:
    return f"978-{uuid4().int % 10**9}"


def test_strict_mode_names_litestars_scheme_flaws(live: Live, tmp_path: Path) -> None:
    assert live.spec["openapi"].startswith("3.1.")
    assert live.warnings == SCHEME_PROBLEMS  # and nothing the generator degrades
    status, errors = run_generate(live.spec_file, tmp_path, "strict", "sync")
    assert status == 1
    assert [e + " [warning]" for e in errors] == SCHEME_PROBLEMS


def test_create_get_and_list_books(client: Client) -> None:
    books = client.api("BooksApi")
    isbn = _isbn()
    created = books.books_create_book(
        _book(client, isbn, size=client.model("Size").NUMBER_2)
    )
    assert isinstance(created, client.model("Book"))
    assert isinstance(created.id, UUID) and isinstance(created.added, datetime)
    assert created.added.tzinfo is not None
    # Litestar writes a Decimal as `type: string` (no format): it stays text.
    assert created.price == "9.99" and created.isbn_code == isbn
    assert created.published is None and created.subtitle is None
    assert created.size == 2 and created.color is client.model("Color").RED
    assert books.books_book_id_get_book(created.id) == created
    assert books.books_book_id_get_book(str(created.id)) == created
    listed = books.books_list_books(
        color=[client.model("Color").RED], tag=["scifi"], limit=50
    )
    assert created.id in {b.id for b in listed}
    assert books.books_list_books(color=[client.model("Color").GREEN]) == []


def test_required_nullable_and_dates(client: Client) -> None:
    books = client.api("BooksApi")
    created = books.books_create_book(
        {
            "title": "Emma",
            "price": "5",
            "color": "blue",
            "isbnCode": _isbn(),
            "published": "1815-12-23",
            "subtitle": "a novel",
        }
    )
    assert created.published == date(1815, 12, 23) and created.subtitle == "a novel"
    before = books.books_list_books(published_before=date(1815, 12, 24), limit=50)
    assert created.id in {b.id for b in before}
    after = books.books_list_books(published_before=date(1815, 12, 23), limit=50)
    assert created.id not in {b.id for b in after}


def test_replace_patch_delete_and_declared_errors(client: Client) -> None:
    books = client.api("BooksApi")
    created = books.books_create_book(_book(client, _isbn()))
    replaced = books.books_book_id_replace_book(
        created.id,
        _book(client, created.isbn_code, title="Dune II", published=date(1985, 1, 1)),
    )
    assert replaced.title == "Dune II" and replaced.published == date(1985, 1, 1)
    assert replaced.added == created.added
    patched = books.books_book_id_patch_book(
        created.id, client.model("BookPatch")(subtitle="Messiah")
    )
    assert patched.subtitle == "Messiah" and patched.title == "Dune II"
    with pytest.raises(client.exceptions.ConflictException) as conflict:
        books.books_create_book(_book(client, created.isbn_code))
    assert conflict.value.data == client.model("ErrorOut")(
        code="conflict", message=created.isbn_code
    )
    assert books.books_book_id_delete_book(created.id) is None
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        books.books_book_id_get_book(created.id)
    assert isinstance(missing.value.data, client.model("ErrorOut"))
    assert missing.value.data.message == f"no book {created.id}"


def test_litestar_validation_error_body(client: Client) -> None:
    books = client.api("BooksApi")
    with pytest.raises(client.exceptions.BadRequestException) as bad_query:
        books.books_list_books(limit=0)
    body = bad_query.value.data
    assert type(body).__name__.endswith("400Response")
    assert body.status_code == 400 and "Validation failed" in body.detail
    assert [e["key"] for e in body.extra] == ["limit"]
    with pytest.raises(client.exceptions.BadRequestException) as bad_body:
        books.books_create_book(
            {
                "title": "",
                "price": "1",
                "color": "red",
                "isbnCode": "x",
                "published": None,
            }
        )
    assert bad_body.value.data.status_code == 400
    assert "title" in str(bad_body.value.data.extra)


def test_tagged_unions(client: Client) -> None:
    shapes = client.api("ShapesApi")
    circle, square = client.model("Circle"), client.model("Square")
    drawing = shapes.shapes_measure_drawing(
        client.model("Drawing")(
            name="d",
            shapes=[circle(shape="circle", radius=2.5), square(shape="square", side=1)],
        )
    )
    assert isinstance(drawing, client.model("Drawing"))
    assert [type(s) for s in drawing.shapes] == [circle, square]
    assert drawing.shapes[0].radius == 2.5
    assert [type(s) for s in shapes.shapes_sample_shapes()] == [circle, square]
    (only,) = shapes.shapes_sample_shapes(kind="square")
    assert isinstance(only, square) and only.side == 2.0


def test_recursive_model(client: Client) -> None:
    category = client.model("Category")
    tree = category(
        name="root",
        children=[
            category(name="a", children=[category(name="a1")]),
            category(name="b"),
        ],
    )
    count = client.api("CategoriesApi").categories_count_count_categories(tree)
    assert count == 4 and isinstance(count, int)


def test_uploads_and_download(client: Client, tmp_path: Path) -> None:
    files = client.api("FilesApi")
    doc = tmp_path / f"doc-{client.library}.pdf"
    doc.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    info = files.files_upload_file(file=str(doc), title="manual", note="v2")
    assert isinstance(info, client.model("FileInfo"))
    assert (info.field, info.filename, info.content_type, info.size) == (
        "manual|v2",
        doc.name,
        "application/pdf",
        265,
    )
    assert info.sha256 == hashlib.sha256(doc.read_bytes()).hexdigest()
    batch = files.files_batch_upload_batch(
        files=[("x.txt", b"xx"), ("y.bin", b"\x00\xfe\xff")], label="pair"
    )
    assert [(f.filename, f.size, f.field) for f in batch] == [
        ("x.txt", 2, "pair"),
        ("y.bin", 3, "pair"),
    ]
    assert files.files_name_download_file(doc.name) == doc.read_bytes()
    assert files.files_name_download_file("hello.bin") == bytes(range(256)) * 4
    with pytest.raises(client.exceptions.NotFoundException) as missing:
        files.files_name_download_file("absent.bin")
    assert missing.value.data.code == "not_found"


def test_url_encoded_form_header_and_204(client: Client) -> None:
    forms = client.api("FormsApi")
    assert (
        forms.feedback_send_feedback(
            x_request_id="r-1",
            email="a@example.com",
            score=5,
            topics=["docs", "speed"],
            agree=True,
        )
        is None
    )
    with pytest.raises(client.exceptions.UnprocessableEntityException) as refused:
        forms.feedback_send_feedback(
            x_request_id="r-2", email="a@example.com", score=9, topics=["x", "y"]
        )
    assert refused.value.data.code == "bad_feedback"
    # A one-item list is one `topics=x` pair, as OpenAPI's form style writes it; Litestar's URL-encoded
    # decoder reads a single pair as a string and refuses it with its own 400.
    with pytest.raises(client.exceptions.BadRequestException) as one_item:
        forms.feedback_send_feedback(
            x_request_id="r-3", email="a@example.com", score=1, topics=["x"]
        )
    assert one_item.value.data.extra == [
        {"message": "Expected `array`, got `str`", "key": "topics", "source": "body"}
    ]


def test_auth_helpers(client: Client) -> None:
    auth = client.api("AuthApi")
    me = auth.me_who_am_i()
    assert isinstance(me, client.model("User")) and (me.name, me.scheme) == (
        "ann",
        "oauth2",
    )
    assert auth.keyed_keyed().scheme == "apiKey"
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.keyed_keyed(_headers={"X-API-Key": "wrong"})
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.login_login(username="ann", password="wrong")
    with pytest.raises(client.exceptions.UnauthorizedException):
        auth.me_who_am_i(_headers={"Authorization": "Bearer not.a.jwt"})
    token = auth.login_login(username="bob", password="secret")
    assert isinstance(token, client.model("OAuth2Login"))
    assert token.token_type.lower() == "bearer" and token.access_token.count(".") == 2


def test_dates_uuids_and_decimals_in_parameters(client: Client) -> None:
    at = datetime(2024, 3, 18, 14, 7, 21, tzinfo=timezone.utc)
    ids = [uuid4(), uuid4()]
    moment = client.api("ValuesApi").moments_day_moment(
        date(2024, 2, 29), at=at, total="1.25", ids=ids
    )
    assert isinstance(moment, client.model("Moment"))
    assert moment.at == at and moment.day == date(2024, 2, 29) and moment.ids == ids
    assert Decimal(moment.total) == Decimal("2.50")


LONG = "12345678901234567890.123456789"  # float(LONG) == 12345678901234567000.0


def test_decimals_round_trip_exactly(client: Client) -> None:
    ledger = client.api("ValuesApi").ledger_ledger(
        client.model("LedgerIn")(amount=Decimal(LONG), rate=0.5, count=3)
    )
    assert isinstance(ledger.amount, Decimal)
    assert (
        str(ledger.amount) == "37037036703703703670.370370367"
    )  # 3 * LONG, every digit
    assert ledger.history == [Decimal(LONG), Decimal("1E+400")]
    assert ledger.rate == 0.5 and type(ledger.rate) is float
    assert ledger.count == 3 and type(ledger.count) is int


def test_every_operation_was_called(live: Live, client: Client) -> None:
    assert live.called[client.library] == live.operation_ids
    assert len(live.operation_ids) == 18
