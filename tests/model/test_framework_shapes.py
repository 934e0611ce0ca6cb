"""Schema shapes that web frameworks emit and the generator once got wrong (issue 15), each checked where a
user would notice: the generated annotation, the parsed response, and the bytes sent.

- A required field written ``anyOf``/``oneOf: [T, {type: null}]`` (FastAPI's ``x: T | None`` without a
  default, pydantic's and Litestar's too) is ``T | None`` and still required.
- A 3.1 string with a non-text ``contentMediaType`` and no ``contentEncoding`` (FastAPI's ``UploadFile`` and
  ``bytes = File()``) is a file: typed ``FileInput`` and sent as a file part, not as text.
- An array of files (``list[UploadFile]``; 3.0's ``items: {format: binary}``) is sent as one file part per
  file.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import io
import json
import sys
import typing
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from generator.build import load_api
from generator.cli import main
from generator.model.types import ArrayType, Nullable, ObjectModel, Primitive
from tests.support.recording_server import RecordedRequest, RecordingServer

SPEC31: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "shapes", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "get_thing",
                "parameters": [
                    {
                        "name": "since",
                        "in": "query",
                        "required": True,
                        "schema": {
                            "anyOf": [
                                {"type": "string", "format": "date"},
                                {"type": "null"},
                            ]
                        },
                    }
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"}
                            }
                        },
                    }
                },
            }
        },
        "/download": {
            "get": {
                "operationId": "download",
                "responses": {
                    "200": {
                        "description": "Litestar's Response[bytes]: a plain string schema",
                        "content": {
                            "application/octet-stream": {"schema": {"type": "string"}}
                        },
                    },
                    "404": {
                        "description": "NestJS's @ApiProduces applies to its error too",
                        "content": {
                            "application/octet-stream": {
                                "schema": {"$ref": "#/components/schemas/Other"}
                            }
                        },
                    },
                },
            }
        },
        "/download-text": {
            "get": {
                "operationId": "download_text",
                "responses": {
                    "200": {
                        "description": "text under a non-text/* media type",
                        "content": {"application/yaml": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/upload": {
            "post": {
                "operationId": "upload",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {"$ref": "#/components/schemas/Upload"}
                        }
                    },
                },
                "responses": {"204": {"description": "stored"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Other": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
            },
            "Thing": {
                "type": "object",
                "required": ["count", "other", "either", "note"],
                "properties": {
                    "count": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    "other": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Other"},
                            {"type": "null"},
                        ]
                    },
                    "either": {
                        "anyOf": [
                            {"type": "integer"},
                            {"type": "string"},
                            {"type": "null"},
                        ]
                    },
                    "note": {"type": "string"},
                },
            },
            "Upload": {
                "type": "object",
                "required": ["file", "raw", "files", "title"],
                "properties": {
                    "file": {
                        "type": "string",
                        "contentMediaType": "application/octet-stream",
                    },
                    "raw": {"type": "string", "contentMediaType": "image/png"},
                    "files": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "contentMediaType": "application/octet-stream",
                        },
                    },
                    "title": {"type": "string"},
                    "maybe": {
                        "anyOf": [
                            {
                                "type": "string",
                                "contentMediaType": "application/octet-stream",
                            },
                            {"type": "null"},
                        ]
                    },
                },
            },
        }
    },
}

SPEC30: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "shapes30", "version": "1"},
    "paths": {
        "/upload": {
            "post": {
                "operationId": "upload_many",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["files"],
                                "properties": {
                                    "files": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                    },
                                    "tags": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "stored"}},
            }
        }
    },
}


def _generate(
    tmp: Path, spec: dict[str, Any], package: str, library: str
) -> ModuleType:
    path = tmp / f"{package}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    out = tmp / package
    assert (
        main(
            [
                "generate",
                str(path),
                "--output",
                str(out),
                "--package",
                package,
                "--library",
                library,
            ]
        )
        == 0
    )
    sys.path.insert(0, str(out))
    return importlib.import_module(package)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("shapes")
    built = {
        "sync": _generate(tmp, SPEC31, "shapes_sync", "sync"),
        "asyncio": _generate(tmp, SPEC31, "shapes_asyncio", "asyncio"),
        "30": _generate(tmp, SPEC30, "shapes30", "sync"),
        "tmp": tmp,
    }
    yield built
    for name in ("shapes_sync", "shapes_asyncio", "shapes30"):
        sys.path.remove(str(tmp / name))
        for module in [m for m in sys.modules if m.split(".")[0] == name]:
            del sys.modules[module]


def _call(pkg: ModuleType, library: str, host: str, method: str, **args: Any) -> Any:
    """``DefaultApi(client).<method>(**args)`` with a sync or an asyncio client of ``pkg``."""
    config = pkg.Configuration(host=host)
    if library == "sync":
        with pkg.ApiClient(config) as client:
            return getattr(pkg.DefaultApi(client), method)(**args)

    async def call() -> Any:
        async with pkg.ApiClient(config) as client:
            return await getattr(pkg.DefaultApi(client), method)(**args)

    return asyncio.run(call())


# -- 1. required-but-nullable ------------------------------------------------------------------------------


def test_required_any_of_with_null_is_nullable_and_required(
    packages: dict[str, Any],
) -> None:
    thing = packages["sync"].Thing
    fields = thing.model_fields
    assert fields["count"].annotation == (int | None)
    assert fields["either"].annotation == (int | str | None)
    assert typing.get_args(fields["other"].annotation)[1] is type(None)
    assert all(fields[n].is_required() for n in ("count", "other", "either"))
    value = thing.model_validate(
        {"count": None, "other": None, "either": None, "note": "n"}
    )
    assert (value.count, value.other, value.either) == (None, None, None)
    with pytest.raises(pydantic.ValidationError):
        thing.model_validate(
            {"note": "n"}
        )  # still required: null is a value, absence is not


def test_required_nullable_model_types(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC31), encoding="utf-8")
    api = load_api(path)
    thing = api.model("Thing")
    assert isinstance(thing, ObjectModel)
    by_name = {f.wire_name: f for f in thing.fields}
    for name in ("count", "other", "either"):
        assert isinstance(by_name[name].type, Nullable) and by_name[name].required
    assert not isinstance(by_name["note"].type, Nullable)
    # A query string cannot carry null: a required parameter takes a value (the null variant is dropped).
    (op,) = [o for t in api.tags for o in t.operations if o.method_name == "get_thing"]
    assert op.params[0].type == Primitive("date", "date") and op.params[0].required


def test_a_null_in_a_required_nullable_field_is_parsed_sync_and_asyncio(
    packages: dict[str, Any],
) -> None:
    reply = {"count": None, "other": None, "either": None, "note": "n"}
    for library in ("sync", "asyncio"):
        pkg = packages[library]
        with RecordingServer() as server:
            server.enqueue(200, json=reply)
            thing = _call(pkg, library, server.url, "get_thing", since=date(2024, 1, 2))
            (request,) = server.requests
        assert request.query_params == [("since", "2024-01-02")]
        assert isinstance(thing, pkg.Thing)
        assert (thing.count, thing.other, thing.either) == (None, None, None)


# -- 2. contentMediaType is binary; 3. arrays of files ----------------------------------------------------


def _parts(request: RecordedRequest) -> list[tuple[str, str | None, str | None, bytes]]:
    """(field name, filename or None, part Content-Type or None, content) of a multipart body."""
    content_type = request.header("Content-Type") or ""
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    out = []
    for chunk in request.body.split(b"--" + boundary)[1:-1]:
        head, _, content = chunk[2:-2].partition(b"\r\n\r\n")
        headers = dict(
            line.split(": ", 1) for line in head.decode().split("\r\n") if line
        )
        disposition = headers["Content-Disposition"]
        name = disposition.split('name="', 1)[1].split('"', 1)[0]
        filename = (
            disposition.split('filename="', 1)[1].split('"', 1)[0]
            if "filename=" in disposition
            else None
        )
        out.append((name, filename, headers.get("Content-Type"), content))
    return out


def test_content_media_type_strings_are_files_in_signatures(
    packages: dict[str, Any],
) -> None:
    method = packages["sync"].DefaultApi.upload
    hints = inspect.signature(method).parameters
    assert hints["file"].annotation == "FileInput"
    assert hints["raw"].annotation == "FileInput"
    assert hints["files"].annotation == "list[FileInput]"
    assert hints["maybe"].annotation == "FileInput | None"
    assert hints["title"].annotation == "str"


def test_content_media_type_and_file_arrays_are_sent_as_file_parts(
    packages: dict[str, Any], tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n")
    for library in ("sync", "asyncio"):
        pkg = packages[library]
        args = {
            "file": ("a.bin", b"\x00\xff\x01"),
            "raw": str(photo),
            "files": [b"one", ("two.txt", b"two")],
            "title": "t",
            "maybe": b"\xfe",
        }
        with RecordingServer() as server:
            server.enqueue(204)
            _call(pkg, library, server.url, "upload", **args)
            (request,) = server.requests
        assert _parts(request) == [
            ("file", "a.bin", "application/octet-stream", b"\x00\xff\x01"),
            ("raw", "photo.png", "image/png", b"\x89PNG\r\n"),
            ("files", "files", "application/octet-stream", b"one"),
            ("files", "two.txt", "text/plain", b"two"),
            ("title", None, None, b"t"),
            ("maybe", "maybe", "application/octet-stream", b"\xfe"),
        ], library


def test_openapi30_binary_items_are_sent_as_file_parts(
    packages: dict[str, Any],
) -> None:
    pkg = packages["30"]
    hints = inspect.signature(pkg.DefaultApi.upload_many).parameters
    assert hints["files"].annotation == "list[FileInput]"
    assert hints["tags"].annotation == "list[str] | None"
    with RecordingServer() as server:
        server.enqueue(204)
        with pkg.ApiClient(pkg.Configuration(host=server.url)) as client:
            pkg.DefaultApi(client).upload_many(
                files=[("a.csv", b"1,2"), b"\x00"], tags=["x", "y"]
            )
        (request,) = server.requests
    assert _parts(request) == [
        ("files", "a.csv", "text/csv", b"1,2"),
        ("files", "files", "application/octet-stream", b"\x00"),
        ("tags", None, None, b"x"),
        ("tags", None, None, b"y"),
    ]


def test_content_media_type_model(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC31), encoding="utf-8")
    api = load_api(path)
    upload = api.model("Upload")
    assert isinstance(upload, ObjectModel)
    by_name = {f.wire_name: f.type for f in upload.fields}
    assert by_name["file"] == Primitive("bytes", "binary")
    assert by_name["raw"] == Primitive("bytes", "binary")
    assert by_name["files"] == ArrayType(Primitive("bytes", "binary"))
    assert api.warnings == ()


def test_a_string_under_a_binary_media_type_is_downloaded_as_bytes(
    packages: dict[str, Any],
) -> None:
    payload = bytes(range(256))
    for library in ("sync", "asyncio"):
        pkg = packages[library]
        with RecordingServer() as server:
            server.enqueue(200, payload, {"Content-Type": "application/octet-stream"})
            server.enqueue(200, "a: é\n".encode(), {"Content-Type": "application/yaml"})
            assert _call(pkg, library, server.url, "download") == payload
            assert _call(pkg, library, server.url, "download_text") == "a: é\n"
            # A model declared under a binary media type is still that model (sent as JSON).
            server.enqueue(404, json={"name": "gone"})
            with pytest.raises(pkg.exceptions.NotFoundException) as missing:
                _call(pkg, library, server.url, "download")
            assert missing.value.data == pkg.Other(name="gone")


# -- never silently wrong: what the types cannot express is warned about, located -------------------------

DEGRADED = """\
openapi: 3.1.0
info: {title: degraded, version: "1"}
paths:
  /x:
    get:
      operationId: getX
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Odd"}
components:
  schemas:
    Odd:
      type: object
      properties:
        tuple: {type: array, prefixItems: [{type: integer}]}
        pattern: {type: object, patternProperties: {"^x-": {type: integer}}}
        dep:
          type: object
          properties: {a: {type: string}, b: {type: string}}
          dependentRequired: {a: [b]}
        cond: {type: string, if: {minLength: 3}, then: {pattern: "^a"}}
        loose: {type: object, unevaluatedProperties: false}
        b64: {type: string, contentEncoding: base64}
        js: {type: string, contentMediaType: application/json}
        png: {type: string, contentMediaType: image/png}
        dyn: {$dynamicRef: "#meta"}
        pinned:
          oneOf: [{$ref: "#/components/schemas/A"}, {$ref: "#/components/schemas/B"}]
          discriminator: {propertyName: kind}
        loose_union:
          oneOf: [{$ref: "#/components/schemas/A"}, {$ref: "#/components/schemas/C"}]
          discriminator: {propertyName: kind}
    A:
      type: object
      required: [kind]
      properties: {kind: {const: a}}
    B:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [b]}}
    C:
      type: object
      properties: {kind: {type: string}}
"""


def test_degraded_keywords_are_warned_with_their_location(tmp_path: Path) -> None:
    spec = tmp_path / "degraded.yaml"
    spec.write_text(DEGRADED, encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(
            ["generate", str(spec), "--output", str(tmp_path / "out"), "--package", "d"]
        )
    assert status == 0
    where = f"{spec}:"
    props = "/components/schemas/Odd/properties"
    assert err.getvalue().splitlines() == [
        f"{where}18:16: {props}/tuple: prefixItems is ignored: the array is typed by `items` "
        "(else Any); positions are not checked [warning]",
        f"{where}19:18: {props}/pattern: patternProperties is ignored: properties matching its "
        "patterns are not typed (kept as Any) [warning]",
        f"{where}21:11: {props}/dep: dependentRequired is not checked: the properties it names stay "
        "optional [warning]",
        f"{where}24:15: {props}/cond: if/then/else is not checked: the value is typed by the schema's "
        "other keywords [warning]",
        f"{where}25:16: {props}/loose: unevaluatedProperties is not checked: properties not declared "
        "are kept untyped [warning]",
        f"{where}26:14: {props}/b64: contentEncoding 'base64' is not decoded: typed as str, the "
        "encoded text [warning]",
        f"{where}27:13: {props}/js: contentMediaType 'application/json' is not parsed: typed as str, "
        "the text as sent [warning]",
        f"{where}29:14: {props}/dyn: $dynamicRef is not followed: typed as Any [warning]",
        f"{where}34:11: {props}/loose_union: discriminator 'kind' is not used by an inline oneOf: "
        "generated as a plain union (pydantic tries each variant in turn) [warning]",
    ]


# -- nullable components reached by $ref --------------------------------------------------------------------

NULLABLE_COMPONENTS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "nullable components", "version": "1"},
    "paths": {
        "/lamp": {
            "get": {
                "operationId": "get_lamp",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Lamp"}
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            # drf-spectacular's nullable ChoiceField: the choices plus null, as one enum component.
            "Mode": {"type": "string", "enum": ["on", "off", None], "nullable": True},
            "Owner": {
                "type": "object",
                "nullable": True,
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            "Lamp": {
                "type": "object",
                "required": ["mode", "owner"],
                "properties": {
                    "mode": {"$ref": "#/components/schemas/Mode"},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                },
            },
        }
    },
}


def test_a_ref_to_a_nullable_enum_or_object_component_accepts_null(
    tmp_path: Path,
) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(NULLABLE_COMPONENTS), encoding="utf-8")
    lamp = load_api(path).model("Lamp")
    assert isinstance(lamp, ObjectModel)
    by_name = {f.wire_name: f for f in lamp.fields}
    assert all(isinstance(by_name[n].type, Nullable) for n in ("mode", "owner"))
    assert all(by_name[n].required for n in ("mode", "owner"))

    pkg = _generate(tmp_path, NULLABLE_COMPONENTS, "nullable_components", "sync")
    try:
        model = pkg.Lamp
        value = model.from_json('{"mode": null, "owner": null}')
        assert (value.mode, value.owner) == (None, None)
        value = model.from_json('{"mode": "on", "owner": {"name": "ada"}}')
        assert value.mode == pkg.Mode.ON and value.owner.name == "ada"
        with pytest.raises(pydantic.ValidationError):
            model.from_json('{"mode": "dim", "owner": null}')
        with pytest.raises(pydantic.ValidationError):
            model.from_json('{"owner": null}')  # null is a value; absence is not
    finally:
        sys.path.remove(str(tmp_path / "nullable_components"))
        for module in [
            m for m in sys.modules if m.split(".")[0] == "nullable_components"
        ]:
            del sys.modules[module]
