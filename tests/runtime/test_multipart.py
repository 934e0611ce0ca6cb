"""Streaming multipart encoder: exact bytes, sizes, replayability."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from generator.runtime.endpoint import Body, FormField
from generator.runtime.exceptions import ApiTypeError, ApiValueError
from generator.runtime.multipart import (
    CHUNK_SIZE,
    FileBody,
    MultipartBody,
    field_part,
    file_part,
)
from generator.runtime.request import _multipart

B = "XyZ"


def expected(*parts: tuple[str, bytes]) -> bytes:
    out = b""
    for headers, content in parts:
        out += f"--{B}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{B}--\r\n".encode()


def test_bytes_field_and_text() -> None:
    body = MultipartBody(
        [field_part("name", "é"), file_part("file", b"\x00\x01")], boundary=B
    )
    data = body.read_all()
    assert data == expected(
        ('Content-Disposition: form-data; name="name"', "é".encode()),
        (
            'Content-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: application/octet-stream',
            b"\x00\x01",
        ),
    )
    assert body.content_length == len(data) and body.replayable


def test_path_file_and_tuple(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"PNG")
    body = MultipartBody(
        [
            file_part("a", str(path)),
            file_part("b", path),
            file_part("c", ("notes.txt", "hi", "text/x-notes")),
        ],
        boundary=B,
    )
    data = body.read_all()
    assert data == expected(
        (
            'Content-Disposition: form-data; name="a"; filename="photo.png"\r\nContent-Type: image/png',
            b"PNG",
        ),
        (
            'Content-Disposition: form-data; name="b"; filename="photo.png"\r\nContent-Type: image/png',
            b"PNG",
        ),
        (
            'Content-Disposition: form-data; name="c"; filename="notes.txt"\r\nContent-Type: text/x-notes',
            b"hi",
        ),
    )
    assert body.content_length == len(data)
    assert body.read_all() == data  # replayable


def test_open_files_seekable_and_not(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"0123456789")
    with open(path, "rb") as f:
        f.seek(2)
        body = MultipartBody([file_part("f", f)], boundary=B)
        assert body.replayable and body.content_length == len(body.read_all())
        assert body.read_all().count(b"23456789") == 1

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.data = io.BytesIO(b"streamed")

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    body = MultipartBody([file_part("f", Pipe())], boundary=B)
    assert not body.replayable and body.content_length is None
    assert b"streamed" in body.read_all()
    with pytest.raises(ApiValueError):
        body.read_all()


def test_header_escaping_and_declared_content_type() -> None:
    part = file_part('a"b', ('x"\r\n.bin', b""), None)
    assert part.headers.startswith(
        b'Content-Disposition: form-data; name="a%22b"; filename="x%22%0D%0A.bin"'
    )
    assert b"Content-Type: image/jpeg" in file_part("f", b"", "image/jpeg").headers
    assert (
        b"Content-Type: application/octet-stream"
        in file_part("f", b"", "image/*").headers
    )


def test_bad_values() -> None:
    with pytest.raises(ApiTypeError):
        file_part("f", 123)
    with pytest.raises(ApiTypeError):
        file_part("f", io.StringIO("text"))
    with pytest.raises(ApiValueError):
        file_part("f", "/nonexistent/file")


def test_large_file_is_chunked(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with open(path, "wb") as f:
        f.truncate(3 * CHUNK_SIZE + 5)
    body = FileBody(path)
    sizes = [len(c) for c in body]
    assert (
        max(sizes) == CHUNK_SIZE
        and sum(sizes) == os.path.getsize(path) == body.content_length
    )


def test_fields_from_endpoint_arguments() -> None:
    fields = (
        FormField("meta", "meta", is_json=True),
        FormField("tags", "tags"),
        FormField("files", "files", is_file=True),
        FormField("skipped", "skipped"),
    )
    body = _multipart(
        Body("multipart", "multipart/form-data", fields=fields),
        {
            "meta": {"a": 1},
            "tags": ["x", True],
            "files": [b"1", ("two.txt", b"2")],
            "skipped": None,
        },
    )
    body.boundary = B
    data = body.read_all()
    assert data == expected(
        (
            'Content-Disposition: form-data; name="meta"\r\nContent-Type: application/json',
            b'{"a":1}',
        ),
        ('Content-Disposition: form-data; name="tags"', b"x"),
        ('Content-Disposition: form-data; name="tags"', b"true"),
        (
            'Content-Disposition: form-data; name="files"; filename="files"\r\nContent-Type: application/octet-stream',
            b"1",
        ),
        (
            'Content-Disposition: form-data; name="files"; filename="two.txt"\r\nContent-Type: text/plain',
            b"2",
        ),
    )
