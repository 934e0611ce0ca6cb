"""Validation never reaches for the network: a listener on 127.0.0.1 that every URL in the specs points at
must see no connection, whatever the spec holds and whichever validator pass runs."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import clientgen


class Listener:
    """Accepts connections on 127.0.0.1 and counts them (answering as a JSON server would)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    conn.sendall(
                        b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
                        b'{"type": "string"}'
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


# Each spec has another error too, so the full validator (the one that follows references) runs.
UNDECLARED = """\
  /b/{id}:
    get:
      operationId: b
      responses: {'200': {description: ok}}
"""

SPECS = {
    "ref-in-a-default-3.0": """\
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                default:
                  $ref: URL/default.json
"""
    + UNDECLARED,
    "ref-in-an-example-3.1": """\
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
"""
    + UNDECLARED
    + """\
components:
  schemas:
    X:
      $schema: URL/meta
      $id: URL/x
      type: object
      default: {$ref: URL/default.json}
      examples: [{$ref: URL/example.json}]
""",
    "dialect-3.1": """\
openapi: 3.1.0
info: {title: T, version: "1"}
jsonSchemaDialect: URL/dialect
paths:
"""
    + UNDECLARED,
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_validation_fetches_nothing(
    name: str, listener: Listener, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPECS[name].replace("URL", f"http://127.0.0.1:{listener.port}"))
    for command in (
        ["validate", str(spec)],
        ["generate", str(spec), "--output", "out", "--package", "p", "--lenient"],
    ):
        result = clientgen(*command, cwd=tmp_path, timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        assert "path parameter 'id'" in result.stderr  # the other error was found
    assert listener.connections == 0
