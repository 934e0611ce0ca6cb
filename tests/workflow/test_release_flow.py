"""The release flow on a real package index: publish plane 1.0.0, install it by version and call it; make a
breaking spec change, see the build refuse a patch bump, publish 2.0.0, and check what pip resolves.

Everything happens in a temporary copy of the project (one target: plane), so generated/ is untouched. The
index is pypiserver, started here on 127.0.0.1; packages are published with ``make publish``. The fresh
virtualenv gets plane only from that index; its dependencies come from a wheelhouse ``pip download`` fills
once (from pip's cache after the first run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tarfile
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.recording_server import RecordingServer  # noqa: E402

BIN = Path(sys.executable).parent
VENV = BIN.parent


def _run(
    cmd: list[str], cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def _ok(cmd: list[str], cwd: Path | None = None, **env: str) -> str:
    result = _run(cmd, cwd, **env)
    assert result.returncode == 0, f"{cmd}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def index(tmp_path: Path) -> Iterator[str]:
    """pypiserver on 127.0.0.1 (uploads without authentication), its URL."""
    packages = tmp_path / "index"
    packages.mkdir()
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "pypi-server"), "run", "-i", "127.0.0.1", "-p", str(port)]
        + ["-a", ".", "-P", ".", str(packages)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("pypiserver did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "plane.yaml", project / "specs" / "plane.yaml")
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    (project / "pyproject.toml").write_text(
        '[[tool.clientgen.targets]]\nspec = "specs/plane.yaml"\npackage = "plane"\n'
        'library = "sync"\nversion = "1.0.0"\n'
    )
    return project


def _set_version(project: Path, version: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index('version = "')
    end = text.index('"', start + len('version = "'))
    pyproject.write_text(text[:start] + f'version = "{version}' + text[end:])


def _publish(project: Path, index: str) -> None:
    # The Makefile's tools are this test run's virtualenv; a stamp newer than pyproject.toml tells make
    # that virtualenv is installed.
    os.utime(project / "pyproject.toml", (1, 1))
    (project / ".stamp").touch()
    _ok(
        [
            "make",
            "-s",
            "publish",
            f"VENV={VENV}",
            f"INSTALLED={project / '.stamp'}",
            f"REPOSITORY_URL={index}/",
            "PACKAGE=plane",
        ],
        project,
        TWINE_USERNAME="publisher",
        TWINE_PASSWORD="secret",
    )


CALL = """
    import json, sys
    import plane
    config = plane.Configuration(host=sys.argv[1], api_key={"ApiKeyAuthentication": "key-1"})
    with plane.ApiClient(config) as client:
        result = plane.AssetsApi(client).get_generic_asset("a1", "ws")
        print(json.dumps({"version": plane.__version__, "url": result.asset_url}))
"""


def test_publish_install_break_refuse_bump_and_resolve(
    tmp_path: Path, index: str
) -> None:
    project = _project(tmp_path)
    _ok([sys.executable, "-m", "generator", "build"], project)
    _publish(project, index)

    # A fresh virtualenv: plane from the local index only, its dependencies from a local wheelhouse.
    wheels = tmp_path / "wheels"
    _ok(
        [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(wheels)]
        + ["pydantic==2.14.3", "urllib3==2.8.0", "typing-extensions"]
    )
    fresh = tmp_path / "fresh"
    _ok([sys.executable, "-m", "venv", str(fresh)])
    python = fresh / "bin" / "python"
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--isolated"]
    from_index = ["--index-url", f"{index}/simple/", "--find-links", str(wheels)]
    _ok(pip + ["install", "--quiet", *from_index, "plane==1.0.0"])

    with RecordingServer() as server:
        server.enqueue(
            200,
            json={
                "asset_id": "0b8f7c1e-5a4d-4f3b-9c2e-1d6a7b8c9d0e",
                "asset_url": "https://files.example/a1",
            },
        )
        out = _ok([str(python), "-I", "-c", textwrap.dedent(CALL), server.url])
        (request,) = server.requests
    assert '"version": "1.0.0"' in out and "https://files.example/a1" in out
    assert (request.method, request.target) == (
        "GET",
        "/api/v1/workspaces/ws/assets/a1/",
    )
    assert request.header("User-Agent").startswith("plane/1.0.0 python/")

    # A breaking change: an operation removed. A patch bump is refused and nothing is written.
    spec = yaml.safe_load((project / "specs" / "plane.yaml").read_text())
    del spec["paths"]["/api/v1/assets/user-assets/{asset_id}/"]["delete"]
    (project / "specs" / "plane.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    _set_version(project, "1.0.1")
    refused = _run([sys.executable, "-m", "generator", "build"], project)
    assert refused.returncode == 1
    assert "needs a major version bump" in refused.stderr
    assert "set `version` in [tool.clientgen] to 2.0.0 or later" in refused.stderr
    assert (
        "[operation-removed] DELETE /api/v1/assets/user-assets/{asset_id}/ removed"
        in refused.stderr
    )
    init = project / "generated" / "plane" / "plane" / "__init__.py"
    assert '__version__ = "1.0.0"' in init.read_text()

    _set_version(project, "2.0.0")
    _ok([sys.executable, "-m", "generator", "build"], project)
    _publish(project, index)

    def resolves(requirement: str) -> list[str]:
        dest = tmp_path / f"resolve-{len(list(tmp_path.glob('resolve-*')))}"
        _ok(
            pip
            + ["download", "--quiet", "--no-deps", "--dest", str(dest)]
            + ["--index-url", f"{index}/simple/", requirement]
        )
        return sorted(p.name for p in dest.iterdir())

    assert resolves("plane<2") == ["plane-1.0.0-py3-none-any.whl"]
    assert resolves("plane") == ["plane-2.0.0-py3-none-any.whl"]

    with urllib.request.urlopen(f"{index}/packages/plane-2.0.0.tar.gz") as response:
        (tmp_path / "plane-2.0.0.tar.gz").write_bytes(response.read())
    with tarfile.open(tmp_path / "plane-2.0.0.tar.gz") as sdist:
        member = sdist.extractfile("plane-2.0.0/CHANGELOG.md")
        assert member is not None
        changelog = member.read().decode()
    assert changelog.index("## [2.0.0]") < changelog.index("## [1.0.0]")
    assert "### Breaking" in changelog.split("## [1.0.0]")[0]
    assert "(`plane.AssetsApi.delete_user_asset`)" in changelog

    _ok(pip + ["install", "--quiet", "--upgrade", *from_index, "plane"])
    out = _ok(
        [
            str(python),
            "-I",
            "-c",
            "import plane; print(plane.__version__, "
            "hasattr(plane.AssetsApi, 'delete_user_asset'))",
        ]
    )
    assert out.split() == ["2.0.0", "False"]
