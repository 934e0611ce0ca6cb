"""The Jinja environment: templates hold layout only, so undefined names are errors."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from . import TEMPLATES, filters

_DIGEST_SIZE = hashlib.sha256().digest_size


class _CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache with each file led by the SHA-256 of the rest: a damaged file (truncated, or a
    changed byte that would still unmarshal into different template text) is recompiled, never read.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                data = f.read()
        except OSError:
            return
        digest, body = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if hashlib.sha256(body).digest() == digest:
            bucket.bytecode_from_string(body)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write the file beside its final name and rename it: a reader never sees half a file."""
        body = bucket.bytecode_to_string()
        name = self._get_cache_filename(bucket)
        try:  # a cache that cannot be written is no cache, not an error
            fd, temporary = tempfile.mkstemp(
                dir=os.path.dirname(name), prefix=os.path.basename(name), suffix=".tmp"
            )
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(body).digest() + body)
            os.replace(temporary, name)
        except OSError:
            with contextlib.suppress(OSError):
                os.remove(temporary)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs in the user's cache folder (compiling them costs about 0.3 s a
    build). The cache is keyed by each template's source, so an edited template is recompiled, and each
    file is checked against its digest, so a damaged one is too; without a writable cache folder,
    templates are simply compiled every time."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    if not os.path.isabs(root):
        return None  # no home folder to keep a cache in (never a relative folder in the project)
    folder = Path(root) / "clientgen" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _CheckedBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


@cache
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["py"] = filters.py_literal
    env.filters["docstring"] = filters.docstring
    env.filters["comment"] = filters.comment
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
