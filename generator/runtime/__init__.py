"""Hand-written client core shared by every generated package.

This package is copied unchanged into each generated client as ``<package>/_runtime/``; it is private to
that client. Modules import each other relatively and depend only on the standard library, pydantic v2 and
urllib3 (sync client) or aiohttp (asyncio client).

- ``endpoint``: metadata a generated API method passes to the client (``Endpoint``, ``Param``, ``Body``, ...)
- ``configuration``: ``BaseConfiguration`` (host, credentials, TLS, timeouts, retry settings)
- ``auth``: ``AuthScheme`` and ``apply_auth()``
- ``exceptions``: the exception tree and ``exception_for_status()``
- ``models``: ``ApiModel``/``ApiRootModel`` pydantic bases and ``to_jsonable()``
- ``serialize``: OpenAPI style/explode serialisation of path, query, header and cookie parameters
- ``multipart``: streaming ``multipart/form-data`` and file bodies
- ``retry``: the pure retry policy
- ``request``: ``build_request()`` turns an endpoint and arguments into a ``PreparedRequest`` (no I/O)
- ``response``: ``ApiResponse``, ``decode_response()`` and ``decoder()`` (its per-endpoint, per-status form)
- ``client_sync``: ``SyncApiClient`` (urllib3)
- ``client_async``: ``AsyncApiClient`` (aiohttp), the asyncio twin of ``SyncApiClient``
- ``pagination``: ``paginate``/``apaginate`` over every item of a cursor-paginated operation
- ``websocket_sync`` / ``websocket_async``: ``connect_websocket``/``aconnect_websocket`` message streams
  (``websocket_sync`` needs ``websockets``; ``websocket_async`` uses aiohttp)
"""
