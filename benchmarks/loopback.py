"""A minimal, fast HTTP/1.1 server on 127.0.0.1 for the client-overhead and upload benchmarks.

Raw asyncio protocol: keep-alive, Content-Length and chunked request bodies (drained without buffering, so a
200 MB upload costs the server nothing), canned responses chosen by method and path prefix. It has no routing
framework and no parsing beyond the request line and the two framing headers, so the clients are measured,
not the server. Run it in its own process: ``python benchmarks/loopback.py [--port N]`` prints
``listening PORT`` on stdout and serves until killed or until ``--lifetime`` seconds have passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

__all__ = ["ASSET", "ATTACHMENT", "SEED", "route", "serve"]

# A small but complete Pieces `Asset` (every required field, nested formats/preview/original).
_TS = {"value": "2024-05-01T12:00:00.000Z"}
_FORMAT_REF = {"id": "6c0b1f0e-9a51-4d8e-8f3e-0e1f2a3b4c5d"}
ASSET = {
    "id": "2254f2c8-5797-40e8-ac56-41166dc0e159",
    "name": "Parse an OpenAPI document",
    "creator": "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b",
    "created": _TS,
    "updated": _TS,
    "formats": {"iterable": []},
    "preview": {"base": {"id": _FORMAT_REF["id"]}},
    "original": {"id": _FORMAT_REF["id"]},
    "mechanism": "MANUAL",
}
# The JSON body of the POST benchmark (a Pieces `Seed`).
SEED = {
    "type": "SEEDED_ASSET",
    "asset": {
        "application": None,
        "format": {"fragment": {"string": {"raw": "x = 1"}}},
    },
}
# Asana's attachment record (the upload benchmark's response).
ATTACHMENT = {
    "data": {"gid": "12345", "resource_type": "attachment", "name": "upload.bin"}
}


def _response(body: object, status: str = "200 OK") -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    return head.encode() + payload


_ASSET_RESPONSE = _response(ASSET)
_ATTACHMENT_RESPONSE = _response(ATTACHMENT)
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"


def route(method: str, path: str) -> bytes:
    """The canned response bytes for one request."""
    if path.startswith("/assets"):
        return _ASSET_RESPONSE  # GET /assets/{asset}, POST /assets/create
    if path.startswith("/attachments"):
        return _ATTACHMENT_RESPONSE
    return _NOT_FOUND


class _Http(asyncio.Protocol):
    """One connection: a small state machine over the received bytes (head, then body by length or chunks)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.state = "head"
        self.remaining = 0  # body bytes (or current chunk bytes) still to skip
        self.reply = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        if self.state == "body" and not buf and len(data) <= self.remaining:
            self.remaining -= len(
                data
            )  # fast path for large uploads: skip without copying
            if self.remaining == 0:
                self._finish()
            return
        buf += data
        while self._step():
            pass

    def _step(self) -> bool:
        buf = self.buffer
        if self.state == "head":
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = bytes(buf[:end]).decode("latin-1")
            del buf[: end + 4]
            lines = head.split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length, chunked = 0, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding" and "chunked" in value.lower():
                    chunked = True
            self.reply = route(method, path)
            if chunked:
                self.state = "chunk-size"
            elif length:
                self.state, self.remaining = "body", length
            else:
                self._finish()
            return True
        if self.state == "body":
            n = min(len(buf), self.remaining)
            del buf[:n]
            self.remaining -= n
            if self.remaining == 0:
                self._finish()
                return True
            return False
        if self.state == "chunk-size":
            end = buf.find(b"\r\n")
            if end < 0:
                return False
            size = int(bytes(buf[:end]).split(b";")[0], 16)
            del buf[: end + 2]
            if size == 0:
                self.state = "trailer"
            else:
                self.state, self.remaining = "chunk", size + 2  # the chunk and its CRLF
            return True
        if self.state == "chunk":
            n = min(len(buf), self.remaining)
            del buf[:n]
            self.remaining -= n
            if self.remaining == 0:
                self.state = "chunk-size"
                return True
            return False
        if self.state == "trailer":
            end = buf.find(b"\r\n")
            if end < 0:
                return False
            line = bytes(buf[:end])
            del buf[: end + 2]
            if not line:
                self._finish()
            return True
        return False

    def _finish(self) -> None:
        assert self.transport is not None
        self.transport.write(self.reply)
        self.state = "head"


async def serve(port: int = 0, lifetime: float = 3600.0, ready: object = None) -> None:
    """Serve on 127.0.0.1:port; print ``listening PORT``; stop after ``lifetime`` seconds."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Http, "127.0.0.1", port, backlog=1024)
    actual = server.sockets[0].getsockname()[1]
    print(f"listening {actual}", flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), lifetime)
        except asyncio.TimeoutError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--lifetime",
        type=float,
        default=3600.0,
        help="seconds before the server stops itself",
    )
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.port, args.lifetime))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
