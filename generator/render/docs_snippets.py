"""The curl, Python ``requests`` and JavaScript ``fetch`` examples of a reference page.

Data reaches each language only as literals built here: JSON text (single-quoted for the shell with ``'``
escaped), Python literals (``True``/``None``) and JavaScript object literals, all with strings through
``json.dumps``. Header names are reduced to HTTP token characters.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .docs_filters import json_string

_JS_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_JS_RESERVED = frozenset(
    {"class", "default", "delete", "function", "new", "return", "this", "var", "void"}
)


def _scalar(value: Any, python: bool) -> str:
    if value is None:
        return "None" if python else "null"
    if isinstance(value, bool):
        return (
            ("True" if value else "False") if python else ("true" if value else "false")
        )
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json_string(str(value))


def pretty(
    value: Any, *, python: bool = False, js_keys: bool = False, indent: int = 0
) -> str:
    """JSON laid out as ``json.dumps(indent=2)`` does, as Python (``True``) or a JavaScript object literal."""
    pad, inner = " " * indent, " " * (indent + 2)
    trailing = "," if js_keys else ""
    if isinstance(value, dict) and value:
        items = []
        for k, v in value.items():
            key = str(k)
            shown = (
                key
                if js_keys and _JS_IDENT.fullmatch(key) and key not in _JS_RESERVED
                else json_string(key)
            )
            items.append(
                f"{inner}{shown}: {pretty(v, python=python, js_keys=js_keys, indent=indent + 2)}"
            )
        return "{\n" + (",\n".join(items)) + trailing + "\n" + pad + "}"
    if isinstance(value, (list, tuple)) and value:
        items = [
            inner + pretty(v, python=python, js_keys=js_keys, indent=indent + 2)
            for v in value
        ]
        return "[\n" + ",\n".join(items) + trailing + "\n" + pad + "]"
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return _scalar(value, python)


def _shell_dq(text: str) -> str:
    """Text inside a double-quoted shell word."""
    return re.sub(r'([\\"$`])', r"\\\1", text)


def _shell_sq(text: str) -> str:
    """Text inside a single-quoted shell word."""
    return text.replace("'", "'\\''")


def _indent_rest(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


def curl(
    method: str,
    url: str,
    api_key_header: str,
    bearer: bool,
    env_prefix: str,
    content_type: str,
    body: Any,
) -> str:
    lines: list[str] = []
    tail: list[str] = [f'"{_shell_dq(url)}"']
    bearer_header = f'-H "Authorization: Bearer ${env_prefix}_OAUTH_TOKEN"'
    if api_key_header:
        tail.append(f'-H "{api_key_header}: ${env_prefix}_API_KEY"')
        if bearer:
            lines.append(f"# Or use {bearer_header}")
    elif bearer:
        tail.append(bearer_header)
    if body is not None:
        tail.append(f'-H "Content-Type: {_shell_dq(content_type)}"')
        tail.append(
            "-d '" + _shell_sq(json.dumps(body, indent=2, ensure_ascii=False)) + "'"
        )
    lines.append(f"curl -X {method} \\")
    lines.extend(f"  {part} \\" for part in tail[:-1])
    lines.append(f"  {tail[-1]}")
    return "\n".join(lines)


def python_requests(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: Any,
    returns_body: bool = True,
) -> str:
    """A ``requests`` call; it prints the JSON reply, or the status when the reply has no body (204)."""
    args = [json_string(url)]
    if headers:
        args.append(
            "headers={"
            + ", ".join(f"{json_string(k)}: {json_string(v)}" for k, v in headers)
            + "}"
        )
    if body is not None:
        args.append("json=" + _indent_rest(pretty(body, python=True), 4))
    call = ",\n".join(f"    {a}" for a in args)
    shown = "response.json()" if returns_body else "response.status_code"
    return f"import requests\n\nresponse = requests.{method.lower()}(\n{call}\n)\nprint({shown})"


def javascript_fetch(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    content_type: str,
    body: Any,
    returns_body: bool = True,
) -> str:
    all_headers = list(headers) + (
        [("Content-Type", content_type)] if body is not None else []
    )
    lines = [
        f"const response = await fetch({json_string(url)}, {{",
        f"  method: {json_string(method)},",
    ]
    if all_headers:
        lines.append("  headers: {")
        lines.extend(f"    {json_string(k)}: {json_string(v)}," for k, v in all_headers)
        lines.append("  },")
    if body is not None:
        lines.append(
            "  body: JSON.stringify("
            + _indent_rest(pretty(body, js_keys=True), 2)
            + "),"
        )
    result = (
        "const data = await response.json();"
        if returns_body
        else "console.log(response.status);"
    )
    lines.extend(["});", result])
    return "\n".join(lines)
