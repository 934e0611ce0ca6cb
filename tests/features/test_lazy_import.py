"""Fast, lazy import: ``import pieces_os_client`` and ``pieces_os_client.AssetsApi`` load no model module
until a call needs one, while every public import form, ``dir()`` and ``mypy --strict`` keep working.

Each check runs in a fresh interpreter, so nothing imported by other tests hides a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.recording_server import RecordingServer

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"


def run_fresh(code: str, package: str = "pieces_os_client") -> dict[str, object]:
    """Run ``code`` in a new interpreter that sees only ``generated/<package>``; it prints one JSON line."""
    env = dict(os.environ, PYTHONPATH=str(GENERATED / package))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


LOADED = """
def loaded(prefix):
    return sorted(m for m in sys.modules if m.startswith(prefix))
"""


def test_import_package_loads_no_model_module() -> None:
    out = run_fresh("import sys, json\n" + LOADED + """
import pieces_os_client
after_import = loaded("pieces_os_client.")
api = pieces_os_client.AssetsApi
after_api = loaded("pieces_os_client.")
print(json.dumps({"import": after_import, "api": after_api}))
""")
    for stage in ("import", "api"):
        modules = out[stage]
        assert isinstance(modules, list)
        assert not [m for m in modules if m.startswith("pieces_os_client.models")], (
            stage,
            modules,
        )
    assert out["import"] == []  # the package's own __init__ imports nothing at all
    assert "pieces_os_client.api.assets_api" in out["api"]


def test_models_load_on_first_call_only(server: RecordingServer) -> None:
    server.enqueue(200, json={"iterable": []})
    out = run_fresh("import sys, json\n" + LOADED + f"""
import pieces_os_client
config = pieces_os_client.Configuration(host={server.url!r})
with pieces_os_client.ApiClient(config) as client:
    api = pieces_os_client.AssetsApi(client)
    before = loaded("pieces_os_client.models.")
    result = api.assets_snapshot()
    after = loaded("pieces_os_client.models.")
print(json.dumps({{"before": before, "after": after, "type": type(result).__name__}}))
""")
    assert out["before"] == []
    assert out["type"] == "Assets"
    after = out["after"]
    assert isinstance(after, list) and "pieces_os_client.models.assets" in after
    # only what the Assets type needs, not the whole package
    total = len(
        list((GENERATED / "pieces_os_client/pieces_os_client/models").glob("*.py"))
    )
    assert len(after) < total - 1


def test_every_public_import_form_works() -> None:
    out = run_fresh("""
import json, sys
import pieces_os_client
from pieces_os_client import Asset
from pieces_os_client.models.asset import Asset as AssetFromModule
from pieces_os_client.models import Asset as AssetFromModels
import pieces_os_client.models
names = dir(pieces_os_client)
model_names = dir(pieces_os_client.models)
print(json.dumps({
    "same": Asset is AssetFromModule is AssetFromModels is pieces_os_client.Asset
            is pieces_os_client.models.Asset,
    "in_dir": all(n in names for n in ("Asset", "Assets", "AssetsApi", "ApiClient",
                                       "Configuration", "StreamedIdentifiers")),
    "in_models_dir": all(n in model_names for n in ("Asset", "Assets", "Seed")),
    "all": "Asset" in pieces_os_client.__all__ and "Asset" in pieces_os_client.models.__all__,
    "star": len([n for n in pieces_os_client.models.__all__]),
}))
""")
    assert out["same"] is True
    assert out["in_dir"] is True
    assert out["in_models_dir"] is True
    assert out["all"] is True
    assert isinstance(out["star"], int) and out["star"] > 50


def test_star_import_and_unknown_name() -> None:
    out = run_fresh("""
import json
ns = {}
exec("from pieces_os_client.models import *", ns)
import pieces_os_client
try:
    pieces_os_client.NoSuchModel
    error = None
except AttributeError as exc:
    error = str(exc)
print(json.dumps({"star_has_asset": "Asset" in ns, "error": error}))
""")
    assert out["star_has_asset"] is True
    assert out["error"] and "NoSuchModel" in str(out["error"])


@pytest.mark.parametrize("package", ["asana_asyncio", "plane"])
def test_other_packages_are_lazy_too(package: str) -> None:
    out = run_fresh(
        f"""
import json, sys
import {package}
{package}.ApiClient
api = [n for n in dir({package}) if n.endswith("Api")][0]
getattr({package}, api)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("{package}.models"))))
""",
        package,
    )
    assert out == []


def _mypy(tmp_path: Path, target: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPYPATH=str(GENERATED / "pieces_os_client"))
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-color-output",
            "--show-error-codes",
            str(target),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_mypy_strict_sees_lazy_names(tmp_path: Path) -> None:
    snippet = tmp_path / "user_code.py"
    snippet.write_text(textwrap.dedent("""
            import pieces_os_client
            import pieces_os_client.models
            from pieces_os_client import Asset, AssetsApi
            from pieces_os_client.models.asset import Asset as AssetFromModule


            def first_name(assets: pieces_os_client.Assets) -> str | None:
                asset: pieces_os_client.Asset = assets.iterable[0]
                same: pieces_os_client.models.Asset = asset
                also: AssetFromModule = same
                return also.name


            def api(client: pieces_os_client.ApiClient) -> AssetsApi:
                return pieces_os_client.AssetsApi(client)


            def make(data: dict[str, object]) -> Asset:
                return pieces_os_client.models.Asset.from_dict(data)
            """))
    good = _mypy(tmp_path, snippet)
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = tmp_path / "wrong_code.py"
    wrong.write_text("import pieces_os_client\n\nx: pieces_os_client.Asset = 1\n")
    bad = _mypy(tmp_path, wrong)
    assert bad.returncode == 1
    assert "wrong_code.py:3: error" in bad.stdout and "[assignment]" in bad.stdout


def test_mypy_strict_rejects_a_misspelt_lazy_name(tmp_path: Path) -> None:
    wrong = tmp_path / "typo.py"
    wrong.write_text(
        "import pieces_os_client.models\n\n"
        "y: int = pieces_os_client.models.Aset\n"
        "from pieces_os_client import Assett\n"
    )
    result = _mypy(tmp_path, wrong)
    assert "typo.py:3: error" in result.stdout
    assert "typo.py:4: error" in result.stdout


@pytest.mark.parametrize("package", ["plane", "pieces_os_client"])
def test_neither_transport_is_imported_until_its_client_is_used(package: str) -> None:
    """A package with both clients imports neither urllib3 nor aiohttp on import (nor on naming either
    client's API class); building the sync client imports urllib3 only, the asyncio one aiohttp.
    """
    out = run_fresh(
        "import sys, json\n" f"import {package} as pkg\n" """
def transports():
    return sorted(m for m in ("urllib3", "aiohttp", "websockets") if m in sys.modules)

stages = {"import": transports()}
pkg.AssetsApi, pkg.AsyncAssetsApi, pkg.Configuration, pkg.ApiException
stages["names"] = transports()
pkg.AssetsApi(pkg.ApiClient()).api_client.close()
stages["sync"] = transports()
print(json.dumps(stages))
""",
        package,
    )
    # The sync and asyncio client modules are where each transport is imported.
    assert out == {"import": [], "names": [], "sync": ["urllib3"]}
    out = run_fresh(
        f"import sys, json, asyncio\nimport {package} as pkg\n" """
async def main():
    async with pkg.AsyncApiClient() as client:
        pkg.AsyncAssetsApi(client)
asyncio.run(main())
print(json.dumps(sorted(m for m in ("urllib3", "aiohttp") if m in sys.modules)))
""",
        package,
    )
    assert out == ["aiohttp"]


def test_the_asyncio_client_without_its_extra_names_the_install_command(
    tmp_path: Path,
) -> None:
    """Without aiohttp installed (a ``plane`` install without ``[asyncio]``), the sync client works and
    ``AsyncApiClient`` fails with the pip command that adds it."""
    blocker = tmp_path / "aiohttp"
    blocker.mkdir()
    (blocker / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'aiohttp'\", name='aiohttp')\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{GENERATED / 'plane'}")
    code = """
import plane
with plane.ApiClient() as client:
    plane.AssetsApi(client)
try:
    plane.AsyncApiClient
except ModuleNotFoundError as exc:
    print(exc.name, "|", exc)
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "aiohttp | AsyncApiClient needs aiohttp: pip install 'plane[asyncio]'"
    )
