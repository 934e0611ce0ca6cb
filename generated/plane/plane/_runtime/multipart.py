"""Streaming request bodies: ``multipart/form-data`` and single files.

A file value may be ``bytes``, a path (``str``/``os.PathLike``), an open binary file, or a tuple
``(filename, content[, content_type])`` whose content is one of those (or ``str`` text). Files are read in
64 KiB chunks while the body is sent, never whole. ``content_length`` is known up front when every part's
size is (paths are stat'ed, seekable files measured); otherwise it is None and the body is sent chunked.
``replayable`` says whether the body can be sent again (bytes, paths, seekable files): retries and
redirects rely on it.
"""

from __future__ import annotations

import io
import mimetypes
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from .exceptions import ApiTypeError, ApiValueError

__all__ = [
    "CHUNK_SIZE",
    "FileBody",
    "MultipartBody",
    "Part",
    "Source",
    "StreamingBody",
    "field_part",
    "file_part",
    "source_for",
]

CHUNK_SIZE = 64 * 1024
_DEFAULT_FILE_TYPE = "application/octet-stream"


class Source:
    """Where one part's bytes come from."""

    size: int | None = None
    replayable: bool = True
    filename: str | None = None

    def chunks(self) -> Iterator[bytes]:
        raise NotImplementedError


class _BytesSource(Source):
    def __init__(self, data: bytes, filename: str | None = None) -> None:
        self.data = data
        self.size = len(data)
        self.filename = filename

    def chunks(self) -> Iterator[bytes]:
        view = memoryview(self.data)
        for start in range(0, len(view), CHUNK_SIZE):
            yield bytes(view[start : start + CHUNK_SIZE])


class _PathSource(Source):
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            self.size = os.stat(self.path).st_size
        except OSError as exc:
            raise ApiValueError(
                f"cannot read file {self.path!r}: {exc.strerror}"
            ) from exc
        self.filename = os.path.basename(self.path)

    def chunks(self) -> Iterator[bytes]:
        with open(self.path, "rb") as f:
            yield from _read_chunks(f)


class _FileSource(Source):
    def __init__(self, fileobj: BinaryIO) -> None:
        if isinstance(fileobj, io.TextIOBase):
            raise ApiTypeError("files must be opened in binary mode ('rb')")
        self.fileobj = fileobj
        name = getattr(fileobj, "name", None)
        self.filename = os.path.basename(name) if isinstance(name, str) else None
        self.start: int | None = None
        try:
            if fileobj.seekable():
                self.start = fileobj.tell()
                self.size = fileobj.seek(0, os.SEEK_END) - self.start
                fileobj.seek(self.start)
        except (AttributeError, OSError):
            self.start = None
        self.replayable = self.start is not None
        self._used = False

    def chunks(self) -> Iterator[bytes]:
        if self.start is not None:
            self.fileobj.seek(self.start)
        elif self._used:
            raise ApiValueError("a non-seekable file cannot be sent twice")
        self._used = True
        yield from _read_chunks(self.fileobj)


def _read_chunks(f: BinaryIO) -> Iterator[bytes]:
    while True:
        chunk = f.read(CHUNK_SIZE)
        if not chunk:
            return
        if not isinstance(chunk, bytes):
            raise ApiTypeError("files must be opened in binary mode ('rb')")
        yield chunk


def source_for(value: Any) -> tuple[Source, str | None]:
    """The source for a file value, and the content type a tuple value names (or None)."""
    if isinstance(value, tuple):
        if len(value) not in (2, 3):
            raise ApiTypeError(
                "a file tuple is (filename, content) or (filename, content, content_type)"
            )
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) == 3 else None
        if isinstance(content, str):  # in a tuple, a str is the file's text, not a path
            source: Source = _BytesSource(content.encode("utf-8"))
        else:
            source, _ = source_for(content)
        source.filename = filename
        return source, content_type
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _BytesSource(bytes(value)), None
    if isinstance(value, (str, os.PathLike)):
        return _PathSource(value), None
    if hasattr(value, "read"):
        return _FileSource(cast(BinaryIO, value)), None
    raise ApiTypeError(
        f"unsupported file value of type {type(value).__name__}: "
        "use bytes, a path, an open binary file or (filename, content[, content_type])"
    )


def _header_param(text: str) -> str:
    """Quote a Content-Disposition parameter value the way browsers do (HTML5 multipart), and NUL too."""
    return (
        text.replace("\\", "\\\\")
        .replace('"', "%22")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace("\x00", "%00")
    )


def _content_type(value: str) -> str:
    """A part's content type, refused (``ApiValueError``) when a line break or NUL would end its header."""
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ApiValueError(
            f"multipart content type {value[:100]!r} contains a line break or NUL"
        )
    return value


@dataclass(slots=True)
class Part:
    """One part: its header block (ending with the blank line) and its content."""

    headers: bytes
    source: Source


def file_part(name: str, value: Any, content_type: str | None = None) -> Part:
    """A file part. Content type: the tuple's, else ``content_type`` when concrete, else guessed from the
    filename, else ``application/octet-stream``. Bytes without a filename are named after the field.
    """
    source, tuple_type = source_for(value)
    filename = source.filename or name
    declared = (
        content_type
        if content_type and "*" not in content_type and "," not in content_type
        else None
    )
    chosen = (
        tuple_type
        or declared
        or mimetypes.guess_type(filename)[0]
        or _DEFAULT_FILE_TYPE
    )
    headers = (
        f'Content-Disposition: form-data; name="{_header_param(name)}"; filename="{_header_param(filename)}"\r\n'
        f"Content-Type: {_content_type(chosen)}\r\n\r\n"
    )
    return Part(headers.encode("utf-8"), source)


def field_part(name: str, value: str | bytes, content_type: str | None = None) -> Part:
    """A non-file part (text, or JSON with ``content_type="application/json"``)."""
    headers = f'Content-Disposition: form-data; name="{_header_param(name)}"\r\n'
    if content_type:
        headers += f"Content-Type: {_content_type(content_type)}\r\n"
    data = value.encode("utf-8") if isinstance(value, str) else value
    return Part((headers + "\r\n").encode("utf-8"), _BytesSource(data))


class StreamingBody:
    """A request body produced chunk by chunk."""

    content_type: str | None = None
    content_length: int | None = None
    replayable: bool = True

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError

    def read_all(self) -> bytes:
        """The whole body in memory (for tests and small bodies only)."""
        return b"".join(self)


class MultipartBody(StreamingBody):
    """A ``multipart/form-data`` body streamed part by part."""

    def __init__(self, parts: Sequence[Part], boundary: str | None = None) -> None:
        self.parts = list(parts)
        self.boundary = boundary or secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        self.replayable = all(p.source.replayable for p in self.parts)
        sizes = [p.source.size for p in self.parts]
        if all(size is not None for size in sizes):
            delimiter = len(self.boundary) + 4  # "--" boundary "\r\n"
            self.content_length = sum(
                delimiter + len(p.headers) + cast(int, p.source.size) + 2
                for p in self.parts
            ) + (len(self.boundary) + 6)
        else:
            self.content_length = None

    def __iter__(self) -> Iterator[bytes]:
        for part in self.parts:
            yield f"--{self.boundary}\r\n".encode("ascii") + part.headers
            yield from part.source.chunks()
            yield b"\r\n"
        yield f"--{self.boundary}--\r\n".encode("ascii")


class FileBody(StreamingBody):
    """A single file or bytes sent as the whole body (``application/octet-stream`` and the like)."""

    def __init__(self, value: Any, content_type: str | None = None) -> None:
        self.source, tuple_type = source_for(value)
        self.content_type = tuple_type or content_type
        self.content_length = self.source.size
        self.replayable = self.source.replayable

    def __iter__(self) -> Iterator[bytes]:
        return self.source.chunks()
