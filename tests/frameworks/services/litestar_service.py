"""A small Litestar service written the way Litestar's docs teach, for tests/frameworks/test_litestar.py.
It runs under uvicorn in the frameworks' own virtualenv: ``python litestar_service.py PORT``.

Litestar's idioms it exercises: msgspec ``Struct`` models (``T | None`` with and without defaults, renamed
fields, tagged unions, a recursive struct), dataclasses, ``Controller`` classes, ``Parameter`` constraints
and ``list[...]`` query parameters, UUID/date/datetime/Decimal, ``Body(media_type=MULTI_PART)`` uploads
(one file, a list of files) and URL-encoded forms, ``File`` downloads, POST's default 201 and DELETE's
204, ``ResponseSpec`` error models, Litestar's own 400 validation body, ``OAuth2PasswordBearerAuth`` (JWT)
and a guard checking an API key declared as a security scheme.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import sys
from datetime import date, datetime, timezone
from decimal import Decimal, localcontext
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import msgspec
import uvicorn
from litestar import (
    Controller,
    Litestar,
    Request,
    Response,
    delete,
    get,
    patch,
    post,
    put,
)
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import Body, KwargDefinition, Parameter
from litestar.security.jwt import OAuth2Login, OAuth2PasswordBearerAuth, Token

API_KEY = "litestar-api-key"


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 2


class BookIn(msgspec.Struct):
    """A book as the client sends it."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    price: Decimal
    color: Color
    isbn_code: str = msgspec.field(name="isbnCode")
    published: date | None  # required, may be null
    size: Size = Size.SMALL
    subtitle: str | None = None  # optional
    tags: list[str] = []


class Book(BookIn):
    id: UUID = msgspec.field(default_factory=uuid4)
    added: datetime = msgspec.field(default_factory=lambda: datetime.now(timezone.utc))


class BookPatch(msgspec.Struct):
    title: str | None = None
    subtitle: str | None = None


@dataclasses.dataclass
class ErrorOut:
    """The error body this service declares for its own errors."""

    code: str
    message: str


class Circle(msgspec.Struct, tag_field="shape", tag="circle"):
    radius: float


class Square(msgspec.Struct, tag_field="shape", tag="square"):
    side: float


class Drawing(msgspec.Struct):
    name: str
    shapes: list[Circle | Square]


class Category(msgspec.Struct):
    """Categories nest."""

    name: str
    children: list[Category] = []


@dataclasses.dataclass
class FileInfo:
    field: str
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclasses.dataclass
class Upload:
    file: UploadFile
    title: str
    note: str | None = None


@dataclasses.dataclass
class Batch:
    files: list[UploadFile]
    label: str


@dataclasses.dataclass
class Feedback:
    email: str
    score: int
    topics: list[str]
    agree: bool = False


@dataclasses.dataclass
class Login:
    username: str
    password: str


@dataclasses.dataclass
class User:
    name: str
    scheme: str


@dataclasses.dataclass
class Moment:
    at: datetime
    day: date
    total: Decimal
    ids: list[UUID]


BOOKS: dict[UUID, Book] = {}
FILES: dict[str, bytes] = {"hello.bin": bytes(range(256)) * 4}


async def _user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    return User(name=token.sub, scheme="oauth2")


oauth2 = OAuth2PasswordBearerAuth[User](
    retrieve_user_handler=_user,
    token_secret="litestar-test-secret-" + "x" * 16,
    token_url="/login",
    exclude=[
        "/login",
        "/schema",
        "/shapes",
        "/categories",
        "/files",
        "/feedback",
        "/moments",
        "/keyed",
    ],
)


def _api_key_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if connection.headers.get("X-API-Key") != API_KEY:
        raise NotAuthorizedException("bad key")


NOT_FOUND = {404: ResponseSpec(data_container=ErrorOut, description="No such book")}


class ServiceError(Exception):
    """Raised by handlers; the app's exception handler answers with the declared ``ErrorOut`` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _service_error(_: Request[Any, Any, Any], exc: ServiceError) -> Response[ErrorOut]:
    return Response(ErrorOut(exc.code, exc.message), status_code=exc.status)


def _book(book_id: UUID) -> Book:
    if book_id not in BOOKS:
        raise ServiceError(404, "not_found", f"no book {book_id}")
    return BOOKS[book_id]


class BookController(Controller):
    path = "/books"
    tags = ["books"]

    @post(
        responses={
            409: ResponseSpec(data_container=ErrorOut, description="The ISBN exists")
        }
    )
    async def create_book(self, data: BookIn) -> Book:
        if any(b.isbn_code == data.isbn_code for b in BOOKS.values()):
            raise ServiceError(409, "conflict", data.isbn_code)
        book = Book(**msgspec.structs.asdict(data))
        BOOKS[book.id] = book
        return book

    @get()
    async def list_books(
        self,
        color: list[Color] | None = None,
        tag: Annotated[list[str] | None, Parameter(query="tag")] = None,
        limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
        published_before: date | None = None,
    ) -> list[Book]:
        found = [
            b
            for b in BOOKS.values()
            if (not color or b.color in color)
            and (not tag or set(tag) & set(b.tags))
            and (
                published_before is None
                or (b.published is not None and b.published < published_before)
            )
        ]
        return sorted(found, key=lambda b: b.title)[:limit]

    @get("/{book_id:uuid}", responses=NOT_FOUND)
    async def get_book(self, book_id: UUID) -> Book:
        return _book(book_id)

    @put("/{book_id:uuid}", responses=NOT_FOUND)
    async def replace_book(self, book_id: UUID, data: BookIn) -> Book:
        old = _book(book_id)
        BOOKS[book_id] = Book(
            **msgspec.structs.asdict(data), id=book_id, added=old.added
        )
        return BOOKS[book_id]

    @patch("/{book_id:uuid}", responses=NOT_FOUND)
    async def patch_book(self, book_id: UUID, data: BookPatch) -> Book:
        _book(book_id)
        changes = {
            k: v for k, v in msgspec.structs.asdict(data).items() if v is not None
        }
        BOOKS[book_id] = msgspec.structs.replace(BOOKS[book_id], **changes)
        return BOOKS[book_id]

    @delete("/{book_id:uuid}", responses=NOT_FOUND)
    async def delete_book(self, book_id: UUID) -> None:
        _book(book_id)
        del BOOKS[book_id]


@post("/shapes", tags=["shapes"])
async def measure_drawing(data: Drawing) -> Drawing:
    return data


@get("/shapes", tags=["shapes"])
async def sample_shapes(
    kind: Literal["circle", "square"] | None = None,
) -> list[Circle | Square]:
    shapes: list[Circle | Square] = [Circle(radius=1.5), Square(side=2.0)]
    return [s for s in shapes if kind is None or type(s).__name__.lower() == kind]


@post("/categories/count", tags=["categories"], status_code=200)
async def count_categories(data: Category) -> int:
    def count(c: Category) -> int:
        return 1 + sum(count(x) for x in c.children)

    return count(data)


async def _info(field: str, upload: UploadFile) -> FileInfo:
    content = await upload.read()
    FILES[upload.filename] = content
    return FileInfo(
        field,
        upload.filename,
        upload.content_type,
        len(content),
        hashlib.sha256(content).hexdigest(),
    )


@post("/files", tags=["files"])
async def upload_file(
    data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> FileInfo:
    info = await _info("file", data.file)
    info.field = f"{data.title}|{data.note}"
    return info


@post("/files/batch", tags=["files"])
async def upload_batch(
    data: Annotated[Batch, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> list[FileInfo]:
    return [await _info(data.label, f) for f in data.files]


@get(
    "/files/{name:str}",
    tags=["files"],
    media_type="application/octet-stream",
    responses=NOT_FOUND,
)
async def download_file(name: str) -> Response[bytes]:
    if name not in FILES:
        raise ServiceError(404, "not_found", name)
    return Response(FILES[name], media_type="application/octet-stream")


@post(
    "/feedback",
    tags=["forms"],
    status_code=204,
    responses={422: ResponseSpec(data_container=ErrorOut, description="Refused")},
)
async def send_feedback(
    data: Annotated[Feedback, Body(media_type=RequestEncodingType.URL_ENCODED)],
    request_id: Annotated[str, Parameter(header="X-Request-Id")],
) -> None:
    if "@" not in data.email or not 1 <= data.score <= 5 or not request_id:
        raise ServiceError(422, "bad_feedback", "email, score 1-5 and a request id")


@post("/login", tags=["auth"], status_code=200)
async def login(
    data: Annotated[Login, Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response[OAuth2Login]:
    if data.password != "secret":
        raise NotAuthorizedException("bad password")
    return oauth2.login(identifier=data.username, response_status_code=200)


@get("/me", tags=["auth"])
async def who_am_i(request: Request[User, Token, Any]) -> User:
    return request.user


@get("/keyed", tags=["auth"], guards=[_api_key_guard], security=[{"apiKey": []}])
async def keyed() -> User:
    return User("key-holder", "apiKey")


@get("/moments/{day:date}", tags=["values"])
async def moment(day: date, at: datetime, total: Decimal, ids: list[UUID]) -> Moment:
    return Moment(at=at, day=day, total=total * 2, ids=ids)


# A Decimal the spec says is one: Litestar writes `type: string` for it, the `format` given here.
Money = Annotated[Decimal, KwargDefinition(schema_extra={"format": "decimal"})]


class LedgerIn(msgspec.Struct):
    amount: Money
    rate: float
    count: int


class Ledger(msgspec.Struct):
    amount: Money
    history: list[Money]
    rate: float
    count: int


@post("/ledger", tags=["values"])
async def ledger(data: LedgerIn) -> Ledger:
    """Triples the amount, exactly; keeps what was sent in ``history``."""
    with localcontext(prec=60):  # every digit kept
        tripled = data.amount * 3
    return Ledger(
        amount=tripled,
        history=[data.amount, Decimal("1E+400")],
        rate=data.rate,
        count=data.count,
    )


app = Litestar(
    route_handlers=[
        BookController,
        measure_drawing,
        sample_shapes,
        count_categories,
        upload_file,
        upload_batch,
        download_file,
        send_feedback,
        login,
        who_am_i,
        keyed,
        moment,
        ledger,
    ],
    on_app_init=[oauth2.on_app_init],
    exception_handlers={ServiceError: _service_error},
    openapi_config=OpenAPIConfig(
        title="Bookshop (Litestar)",
        version="1.0.0",
        components=Components(
            security_schemes={
                "apiKey": SecurityScheme(
                    type="apiKey", name="X-API-Key", security_scheme_in="header"
                )
            }
        ),
    ),
)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
