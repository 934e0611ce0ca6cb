"""The docs sites of the three committed packages, built once per session with ``clientgen docs-site``
from ``generated/`` (as ``make docs-site`` does), and what the browser tests need to look at them.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
PACKAGES = ("plane", "pieces_os_client", "asana_asyncio")
SEEDS = ROOT / "tests" / "docs" / "seeds"  # the committed copy of the shared seeds


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding ``<package>/``, the built site of each package."""
    output = tmp_path_factory.mktemp("sites")
    code = main(
        ["docs-site", "--config", str(ROOT / "pyproject.toml"), "--output", str(output)]
    )
    assert code == 0
    return output


def page_url(markdown_path: str) -> str:
    """The site path (``use_directory_urls``) of a generated Markdown file (relative to its project)."""
    if markdown_path == "README.md":
        return ""
    return markdown_path.removesuffix(".md") + "/"


def markdown_pages(package: str) -> list[str]:
    """Every Markdown file of a generated project, relative to it: README.md and docs/**/*.md."""
    project = GENERATED / package
    return ["README.md"] + sorted(
        p.relative_to(project).as_posix() for p in (project / "docs").rglob("*.md")
    )


def api_pages(package: str) -> list[str]:
    """The tag (API class) pages of a generated project: ``docs/<Tag>Api.md`` headed ``# <package>.<Tag>Api``."""
    project = GENERATED / package
    return sorted(
        f"docs/{p.name}"
        for p in (project / "docs").glob("*.md")
        if p.read_text(encoding="utf-8").startswith(f"# {package}.{p.stem}\n")
    )


def front_matter(path: Path) -> dict[str, str]:
    match = re.match(r"---\n(.*?)\n---\n", path.read_text(encoding="utf-8"), re.S)
    assert match, f"{path}: no front matter"
    data = yaml.safe_load(match[1])
    assert isinstance(data, dict)
    return data


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_server(sites: Path) -> Iterator[str]:
    """The base URL of a loopback HTTP server serving ``sites`` (``<base>/<package>/...``)."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(sites))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
