"""A small Django REST framework service documented by drf-spectacular (OpenAPI 3.0, the generator of
Plane's real spec), for tests/frameworks/test_drf.py. Django is configured in this one file (no database:
the data lives in memory) and served by uvicorn in the frameworks' own virtualenv:
``python drf_service.py PORT``.

DRF's idioms it exercises: ``Serializer`` fields (``required`` vs ``allow_null``, ``source=`` aliases,
``ChoiceField`` enums, ``UUIDField``, ``DateField``, ``DateTimeField``, ``DecimalField`` as a string with
``format: decimal``, ``ListField``), split request/response components (``COMPONENT_SPLIT_REQUEST``, as
Plane uses), a ``ViewSet`` on a router with ``LimitOffsetPagination``, ``PolymorphicProxySerializer``
(a oneOf with a discriminator), a recursive serializer, ``MultiPartParser`` uploads (a ``FileField``, a
``ListField`` of files), ``FormParser`` bodies, a file download, 201/204, declared error serializers, DRF's
own 400 body, and its auth classes (``BasicAuthentication`` and ``TokenAuthentication``) with their
permission checks.
"""

from __future__ import annotations

import hashlib
import sys
import uuid
from datetime import datetime, timezone
from decimal import Decimal, localcontext
from typing import Any

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="drf-test-service-" + "x" * 40,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "rest_framework",
        "drf_spectacular",
    ],
    DATABASES={},
    AUTHENTICATION_BACKENDS=[f"{__name__}.MemoryBackend"],
    USE_TZ=True,
    REST_FRAMEWORK={
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        # Public by default; the views that need a user name their authentication classes.
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "UNAUTHENTICATED_USER": None,
    },
    SPECTACULAR_SETTINGS={
        "TITLE": "Library (Django REST framework)",
        "VERSION": "1.0.0",
        "COMPONENT_SPLIT_REQUEST": True,
        "SERVE_INCLUDE_SCHEMA": False,
    },
)
django.setup()

import uvicorn  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from drf_spectacular.types import OpenApiTypes  # noqa: E402
from drf_spectacular.utils import (  # noqa: E402
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from drf_spectacular.views import SpectacularAPIView  # noqa: E402
from rest_framework import serializers, status, viewsets  # noqa: E402
from rest_framework.authentication import (  # noqa: E402
    BasicAuthentication,
    TokenAuthentication,
)
from rest_framework.decorators import (  # noqa: E402
    action,
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.exceptions import AuthenticationFailed  # noqa: E402
from rest_framework.pagination import LimitOffsetPagination  # noqa: E402
from rest_framework.parsers import FormParser, MultiPartParser  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.routers import SimpleRouter  # noqa: E402

USERS = {"ann": "pw"}
TOKENS = {"drf-token-ann": "ann"}


class MemoryUser:
    """A user without a database row (this service has no database)."""

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def __init__(self, username: str) -> None:
        self.username = username


class MemoryBackend:
    """Django's ``authenticate()`` against ``USERS`` (used by DRF's ``BasicAuthentication``)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None
    ) -> MemoryUser | None:
        if username is not None and USERS.get(username) == password:
            return MemoryUser(username)
        return None

    def get_user(self, user_id: Any) -> None:
        return None


class MemoryTokenAuthentication(TokenAuthentication):
    """DRF's ``TokenAuthentication`` (``Authorization: Token <key>``), keys looked up in memory."""

    def authenticate_credentials(self, key: str) -> tuple[MemoryUser, str]:
        if key not in TOKENS:
            raise AuthenticationFailed("Invalid token.")
        return MemoryUser(TOKENS[key]), key


AUTHENTICATION = [MemoryTokenAuthentication, BasicAuthentication]


class ErrorSerializer(serializers.Serializer):
    """The error body this service declares for its own errors."""

    code = serializers.CharField()
    message = serializers.CharField()


FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="DRF's validation errors: field name to messages",
)
NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No such book")


class BookSerializer(serializers.Serializer):
    """A book."""

    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(max_length=60)
    price = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0")
    )
    genre = serializers.ChoiceField(choices=["fiction", "poetry", "science"])
    isbnCode = serializers.RegexField(r"^\d{3}-\d+$", source="isbn_code")  # noqa: N815
    published = serializers.DateField(allow_null=True)  # required, may be null
    subtitle = serializers.CharField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    added = serializers.DateTimeField(read_only=True)


class CatSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["cat"])
    name = serializers.CharField()
    indoor = serializers.BooleanField()


class DogSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["dog"])
    name = serializers.CharField()
    good_boy = serializers.BooleanField()


PET = PolymorphicProxySerializer(
    component_name="Pet",
    serializers={"cat": CatSerializer, "dog": DogSerializer},
    resource_type_field_name="kind",
)


class NodeSerializer(serializers.Serializer):
    """A tree: nodes hold nodes."""

    name = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["children"] = NodeSerializer(many=True, required=False)
        return fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField()


class BatchSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField())
    label = serializers.CharField()


class FileInfoSerializer(serializers.Serializer):
    field = serializers.CharField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    email = serializers.EmailField()
    age = serializers.IntegerField(min_value=0)
    newsletter = serializers.BooleanField()


class WhoSerializer(serializers.Serializer):
    user = serializers.CharField()
    scheme = serializers.CharField()


BOOKS: dict[uuid.UUID, dict[str, Any]] = {}
FILES: dict[str, bytes] = {"hello.bin": bytes(range(256)) * 4}


class TotalSerializer(serializers.Serializer):
    books = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class Paging(LimitOffsetPagination):
    default_limit = 10
    max_limit = 50


def _missing(book_id: Any) -> Response:
    return Response({"code": "not_found", "message": f"no book {book_id}"}, status=404)


class BookViewSet(viewsets.ViewSet):
    """Books, on a router: list, create, retrieve, update, partial_update, destroy."""

    serializer_class = BookSerializer
    pagination_class = Paging
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    lookup_value_converter = "uuid"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "genre",
                str,
                many=True,
                enum=["fiction", "poetry", "science"],
                description="Any of these genres",
            ),
            OpenApiParameter("tag", str, many=True),
        ],
        responses=BookSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        genres = request.query_params.getlist("genre")
        tags = set(request.query_params.getlist("tag"))
        found = [
            b
            for b in sorted(BOOKS.values(), key=lambda b: b["title"])
            if (not genres or b["genre"] in genres)
            and (not tags or tags & set(b["tags"]))
        ]
        paginator = Paging()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(BookSerializer(page, many=True).data)

    @extend_schema(
        responses={201: BookSerializer, 400: FIELD_ERRORS, 409: ErrorSerializer}
    )
    def create(self, request: Request) -> Response:
        serializer = BookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if any(b["isbn_code"] == data["isbn_code"] for b in BOOKS.values()):
            return Response(
                {"code": "conflict", "message": data["isbn_code"]}, status=409
            )
        book = {
            "tags": [],
            "subtitle": None,
            **data,
            "id": uuid.uuid4(),
            "added": datetime.now(timezone.utc),
        }
        BOOKS[book["id"]] = book
        return Response(BookSerializer(book).data, status=201)

    @extend_schema(responses={200: BookSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: uuid.UUID) -> Response:
        if pk not in BOOKS:
            return _missing(pk)
        return Response(BookSerializer(BOOKS[pk]).data)

    @extend_schema(responses={200: BookSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND})
    def update(self, request: Request, pk: uuid.UUID) -> Response:
        if pk not in BOOKS:
            return _missing(pk)
        serializer = BookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        BOOKS[pk] = {
            **BOOKS[pk],
            "subtitle": None,
            "tags": [],
            **serializer.validated_data,
        }
        return Response(BookSerializer(BOOKS[pk]).data)

    @extend_schema(responses={200: BookSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND})
    def partial_update(self, request: Request, pk: uuid.UUID) -> Response:
        if pk not in BOOKS:
            return _missing(pk)
        serializer = BookSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        BOOKS[pk] = {**BOOKS[pk], **serializer.validated_data}
        return Response(BookSerializer(BOOKS[pk]).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def destroy(self, request: Request, pk: uuid.UUID) -> Response:
        if BOOKS.pop(pk, None) is None:
            return _missing(pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: TotalSerializer})
    @action(detail=False, methods=["get"], url_path="total-price")
    def total_price(self, request: Request) -> Response:
        total = sum((b["price"] for b in BOOKS.values()), Decimal("0"))
        return Response(TotalSerializer({"books": len(BOOKS), "total": total}).data)


@extend_schema(request=PET, responses={201: PET, 400: FIELD_ERRORS})
@api_view(["POST"])
def adopt(request: Request) -> Response:
    kind = request.data.get("kind")
    serializer_class = {"cat": CatSerializer, "dog": DogSerializer}.get(kind)
    if serializer_class is None:
        return Response({"kind": [f"unknown kind {kind!r}"]}, status=400)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response(serializer.data, status=201)


@extend_schema(request=NodeSerializer, responses=NodeSerializer)
@api_view(["POST"])
def mirror_tree(request: Request) -> Response:
    serializer = NodeSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)

    def mirror(node: dict[str, Any]) -> dict[str, Any]:
        children = [mirror(c) for c in reversed(node.get("children", []))]
        return {"name": node["name"][::-1], "children": children}

    return Response(NodeSerializer(mirror(serializer.validated_data)).data)


def _info(field: str, upload: Any) -> dict[str, Any]:
    content = upload.read()
    FILES[upload.name] = content
    return {
        "field": field,
        "filename": upload.name,
        "content_type": upload.content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


@extend_schema(
    request=UploadSerializer, responses={201: FileInfoSerializer, 400: FIELD_ERRORS}
)
@api_view(["POST"])
@parser_classes([MultiPartParser])
def upload_file(request: Request) -> Response:
    serializer = UploadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    info = _info(serializer.validated_data["title"], serializer.validated_data["file"])
    return Response(FileInfoSerializer(info).data, status=201)


@extend_schema(
    request=BatchSerializer,
    responses={201: FileInfoSerializer(many=True), 400: FIELD_ERRORS},
)
@api_view(["POST"])
@parser_classes([MultiPartParser])
def upload_batch(request: Request) -> Response:
    serializer = BatchSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    label = serializer.validated_data["label"]
    infos = [_info(label, f) for f in serializer.validated_data["files"]]
    return Response(FileInfoSerializer(infos, many=True).data, status=201)


@extend_schema(
    responses={
        (200, "application/octet-stream"): OpenApiTypes.BINARY,
        404: NOT_FOUND,
    }
)
@api_view(["GET"])
def download_file(request: Request, name: str) -> Any:
    if name not in FILES:
        return Response({"code": "not_found", "message": name}, status=404)
    return HttpResponse(FILES[name], content_type="application/octet-stream")


@extend_schema(request=ContactSerializer, responses={204: None, 400: FIELD_ERRORS})
@api_view(["POST"])
@parser_classes([FormParser])
def contact(request: Request) -> Response:
    ContactSerializer(data=request.data).is_valid(raise_exception=True)
    return Response(status=204)


@extend_schema(responses=WhoSerializer)
@api_view(["GET"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated])
def who_am_i(request: Request) -> Response:
    scheme = (
        "token"
        if isinstance(request.successful_authenticator, TokenAuthentication)
        else "basic"
    )
    return Response({"user": request.user.username, "scheme": scheme})


class ValuesSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    day = serializers.DateField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    ids = serializers.ListField(child=serializers.UUIDField())


@extend_schema(
    parameters=[
        OpenApiParameter("at", OpenApiTypes.DATETIME, required=True),
        OpenApiParameter("day", OpenApiTypes.DATE, required=True),
        OpenApiParameter("amount", OpenApiTypes.DECIMAL, required=True),
        OpenApiParameter("ids", OpenApiTypes.UUID, many=True, required=True),
    ],
    responses={200: ValuesSerializer, 400: FIELD_ERRORS},
)
@api_view(["GET"])
def echo_values(request: Request) -> Response:
    query = request.query_params
    serializer = ValuesSerializer(
        data={
            "at": query.get("at"),
            "day": query.get("day"),
            "amount": query.get("amount"),
            "ids": query.getlist("ids"),
        }
    )
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data["amount"] *= 2
    return Response(ValuesSerializer(data).data)


class LedgerSerializer(serializers.Serializer):
    """Decimals with more digits than a float holds (``type: string, format: decimal``), beside a float
    and an integer."""

    amount = serializers.DecimalField(max_digits=40, decimal_places=9)
    history = serializers.ListField(
        child=serializers.DecimalField(max_digits=40, decimal_places=9),
        read_only=True,
    )
    rate = serializers.FloatField()
    count = serializers.IntegerField()


@extend_schema(
    request=LedgerSerializer,
    responses={200: LedgerSerializer, 400: FIELD_ERRORS},
)
@api_view(["POST"])
def ledger(request: Request) -> Response:
    serializer = LedgerSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    with localcontext(prec=60):  # every digit kept
        data["history"] = [data["amount"], -data["amount"]]
        data["amount"] *= 3
    return Response(LedgerSerializer(data).data)


router = SimpleRouter(use_regex_path=False)
router.register("books", BookViewSet, basename="books")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/pets/adopt/", adopt),
    path("api/trees/mirror/", mirror_tree),
    path("api/files/", upload_file),
    path("api/files/batch/", upload_batch),
    path("api/files/<str:name>/", download_file),
    path("api/contact/", contact),
    path("api/me/", who_am_i),
    path("api/values/", echo_values),
    path("api/ledger/", ledger),
    path("api/schema/", SpectacularAPIView.as_view()),
]

app = get_asgi_application()

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
