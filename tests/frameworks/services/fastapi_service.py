"""A small FastAPI service written the way FastAPI's docs teach, for the live round trips in
tests/frameworks/test_fastapi.py. It runs under uvicorn in the frameworks' own virtualenv
(``.frameworks/venv``), never in the project's: ``python fastapi_service.py PORT``.

FastAPI's idioms it exercises: pydantic models with ``T | None`` fields with and without defaults, aliases,
str and int enums, UUID/date/datetime/Decimal, ``list[...]`` query parameters, ``Annotated`` discriminated
unions, a recursive model, ``UploadFile`` / ``list[UploadFile]`` / ``bytes = File()`` uploads with
``Form()`` fields, ``OAuth2PasswordRequestForm``, a ``Response`` download, 201 and 204 status codes,
declared error models (``responses={404: {"model": ...}}``), FastAPI's own 422 body, and its security
helpers (OAuth2 password bearer, HTTP bearer, HTTP basic, API key header).
"""

from __future__ import annotations

import enum
import hashlib
import sys
from datetime import date, datetime, timezone
from decimal import Decimal, localcontext
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import uvicorn
from fastapi import (
    Depends,
    FastAPI,
    File,
    Form,
    Header,
    HTTPException,
    Path,
    Query,
    Response,
    UploadFile,
)
from fastapi.responses import JSONResponse
from fastapi.security import (
    APIKeyHeader,
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
)
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(title="Inventory (FastAPI)", version="1.0.0")

API_KEY = "fastapi-api-key"


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class ItemIn(BaseModel):
    """An item as the client sends it."""

    model_config = ConfigDict(populate_by_name=True)

    name: str = Field(min_length=1, max_length=40)
    price: Decimal = Field(ge=0)
    color: Color
    priority: Priority = Priority.LOW
    sku_code: str = Field(alias="skuCode", pattern=r"^[A-Z]{3}-\d+$")
    due: date | None  # required, may be null
    note: str | None = None  # optional
    tags: list[str] = []


class Item(ItemIn):
    """An item as stored."""

    id: UUID
    created: datetime


class ItemPatch(BaseModel):
    name: str | None = None
    color: Color | None = None
    note: str | None = None


class ErrorOut(BaseModel):
    """The error body this service declares for its own errors."""

    code: str
    message: str


class Cat(BaseModel):
    kind: Literal["cat"]
    name: str
    indoor: bool


class Dog(BaseModel):
    kind: Literal["dog"]
    name: str
    good_boy: bool = Field(alias="goodBoy")


Pet = Annotated[Cat | Dog, Field(discriminator="kind")]


class Adoption(BaseModel):
    pet: Pet
    adopted_on: date


class Node(BaseModel):
    """A tree: nodes hold nodes."""

    name: str
    children: list[Node] = []


class TreeSummary(BaseModel):
    tree: Node
    count: int
    depth: int


class FileInfo(BaseModel):
    field: str
    filename: str | None
    content_type: str | None
    size: int
    sha256: str


class Token(BaseModel):
    access_token: str
    token_type: str
    scope: str


class Who(BaseModel):
    user: str
    scheme: str


class Moment(BaseModel):
    at: datetime
    day: date
    amount: str
    ids: list[UUID]


# A Decimal the spec says is one: pydantic writes `anyOf: [number, string]` (input) and `type: string`
# (output) for it, with `format: decimal` added by the service. JSON numbers would pass through float on
# the way in, so the client sends text; the float and int beside it are parsed as usual.
Money = Annotated[Decimal, Field(json_schema_extra={"format": "decimal"})]


class LedgerIn(BaseModel):
    amount: Money
    rate: float
    count: int


class Ledger(BaseModel):
    amount: Money
    history: list[Money]
    rate: float
    count: int


ITEMS: dict[UUID, Item] = {}
FILES: dict[str, bytes] = {"hello.bin": bytes(range(256)) * 4}

oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"items": "read items"})
bearer = HTTPBearer()
basic = HTTPBasic()
api_key = APIKeyHeader(name="X-API-Key")


def _bearer(creds: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> str:
    """Any token /token issued (one bearer token serves both bearer schemes)."""
    if not creds.credentials.startswith("token-for-"):
        raise HTTPException(401, "bad token")
    return creds.credentials


NOT_FOUND = {404: {"model": ErrorOut, "description": "No such item"}}


def _missing(item_id: UUID) -> JSONResponse:
    body = ErrorOut(code="not_found", message=f"no item {item_id}")
    return JSONResponse(status_code=404, content=body.model_dump())


@app.post(
    "/items",
    status_code=201,
    tags=["items"],
    response_model=Item,
    responses={409: {"model": ErrorOut, "description": "The SKU exists"}},
)
def create_item(item: ItemIn, _: Annotated[str, Depends(_bearer)]) -> Any:
    if any(i.sku_code == item.sku_code for i in ITEMS.values()):
        body = ErrorOut(code="conflict", message=f"sku {item.sku_code} exists")
        return JSONResponse(status_code=409, content=body.model_dump())
    stored = Item(**item.model_dump(), id=uuid4(), created=datetime.now(timezone.utc))
    ITEMS[stored.id] = stored
    return stored


@app.get("/items", tags=["items"])
def list_items(
    color: Annotated[list[Color], Query()] = [],  # noqa: B006 - FastAPI's idiom
    tag: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    due_before: date | None = None,
) -> list[Item]:
    found = [
        i
        for i in ITEMS.values()
        if (not color or i.color in color)
        and (not tag or set(tag) & set(i.tags))
        and (due_before is None or (i.due is not None and i.due < due_before))
    ]
    return sorted(found, key=lambda i: i.name)[:limit]


@app.get("/items/{item_id}", tags=["items"], response_model=Item, responses=NOT_FOUND)
def get_item(item_id: UUID) -> Any:
    return ITEMS[item_id] if item_id in ITEMS else _missing(item_id)


@app.put("/items/{item_id}", tags=["items"], response_model=Item, responses=NOT_FOUND)
def replace_item(item_id: UUID, item: ItemIn) -> Any:
    if item_id not in ITEMS:
        return _missing(item_id)
    ITEMS[item_id] = Item(
        **item.model_dump(), id=item_id, created=ITEMS[item_id].created
    )
    return ITEMS[item_id]


@app.patch("/items/{item_id}", tags=["items"], response_model=Item, responses=NOT_FOUND)
def patch_item(item_id: UUID, patch: ItemPatch) -> Any:
    if item_id not in ITEMS:
        return _missing(item_id)
    changes = patch.model_dump(exclude_unset=True)
    ITEMS[item_id] = ITEMS[item_id].model_copy(update=changes)
    return ITEMS[item_id]


@app.delete("/items/{item_id}", status_code=204, tags=["items"], responses=NOT_FOUND)
def delete_item(item_id: UUID) -> Response:
    if ITEMS.pop(item_id, None) is None:
        return _missing(item_id)
    return Response(status_code=204)


@app.post("/adoptions", status_code=201, tags=["pets"])
def adopt(adoption: Adoption) -> Adoption:
    return adoption


@app.get("/pets", tags=["pets"])
def list_pets(kind: Literal["cat", "dog"] | None = None) -> list[Pet]:
    pets: list[Cat | Dog] = [
        Cat(kind="cat", name="Tom", indoor=True),
        Dog(kind="dog", name="Rex", goodBoy=True),
    ]
    return [p for p in pets if kind is None or p.kind == kind]


@app.post("/trees/summary", tags=["trees"])
def summarize_tree(tree: Node) -> TreeSummary:
    def count(node: Node) -> int:
        return 1 + sum(count(c) for c in node.children)

    def depth(node: Node) -> int:
        return 1 + max((depth(c) for c in node.children), default=0)

    return TreeSummary(tree=tree, count=count(tree), depth=depth(tree))


async def _info(field: str, upload: UploadFile) -> FileInfo:
    data = await upload.read()
    FILES[upload.filename or field] = data
    return FileInfo(
        field=field,
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@app.post("/files", status_code=201, tags=["files"])
async def upload_file(
    file: UploadFile,
    title: Annotated[str, Form()],
    description: Annotated[str | None, Form()] = None,
) -> FileInfo:
    info = await _info("file", file)
    info.field = f"{title}|{description}"
    return info


@app.post("/files/batch", status_code=201, tags=["files"])
async def upload_files(
    files: list[UploadFile], labels: Annotated[list[str], Form()]
) -> list[FileInfo]:
    out = [await _info(label, f) for label, f in zip(labels, files, strict=True)]
    return out


@app.post("/files/raw", tags=["files"])
def upload_bytes(
    data: Annotated[bytes, File()], name: Annotated[str, Form()]
) -> FileInfo:
    FILES[name] = data
    return FileInfo(
        field="data",
        filename=None,
        content_type=None,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@app.get(
    "/files/{name}",
    tags=["files"],
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        404: {"model": ErrorOut},
    },
)
def download_file(name: Annotated[str, Path(pattern=r"^[\w.-]+$")]) -> Response:
    if name not in FILES:
        body = ErrorOut(code="not_found", message=name)
        return JSONResponse(status_code=404, content=body.model_dump())
    return Response(FILES[name], media_type="application/octet-stream")


@app.post("/token", tags=["auth"])
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    if form.password != "secret":
        raise HTTPException(400, "Incorrect username or password")
    return Token(
        access_token=f"token-for-{form.username}",
        token_type="bearer",
        scope=" ".join(form.scopes),
    )


@app.get("/me", tags=["auth"])
def who_am_i(token: Annotated[str, Depends(oauth2)]) -> Who:
    if not token.startswith("token-for-"):
        raise HTTPException(401, "bad token")
    return Who(user=token.removeprefix("token-for-"), scheme="oauth2")


@app.get("/basic", tags=["auth"])
def basic_user(creds: Annotated[HTTPBasicCredentials, Depends(basic)]) -> Who:
    if creds.password != "pw":
        raise HTTPException(401, "bad password", headers={"WWW-Authenticate": "Basic"})
    return Who(user=creds.username, scheme="basic")


@app.get("/keyed", tags=["auth"])
def keyed(key: Annotated[str, Depends(api_key)]) -> Who:
    if key != API_KEY:
        raise HTTPException(403, "bad key")
    return Who(user="key-holder", scheme="apiKey")


@app.post("/subscribe", status_code=204, tags=["forms"])
def subscribe(
    email: Annotated[str, Form()],
    weekly: Annotated[bool, Form()],
    topics: Annotated[list[str], Form()],
    x_request_id: Annotated[str, Header()],
) -> Response:
    if "@" not in email or not topics or not x_request_id:
        raise HTTPException(400, "bad subscription")
    return Response(status_code=204)


@app.get("/moments/{day}", tags=["values"])
def moment(
    day: date,
    at: datetime,
    amount: Decimal,
    ids: Annotated[list[UUID], Query()],
) -> Moment:
    return Moment(at=at, day=day, amount=str(amount * 2), ids=ids)


@app.post("/ledger", tags=["values"])
def ledger(entry: LedgerIn) -> Ledger:
    """Triples the amount, exactly; keeps what was sent in ``history``."""
    with localcontext(prec=60):  # every digit kept
        tripled = entry.amount * 3
    return Ledger(
        amount=tripled,
        history=[entry.amount, Decimal("1E+400")],
        rate=entry.rate,
        count=entry.count,
    )


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
