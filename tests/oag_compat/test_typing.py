"""The compatibility surface stays typed: the generated packages (unions, servers, signing, checked
arguments) are ``mypy --strict`` clean, and user code using OpenAPI Generator's forms type-checks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_CODE = """
from kennel import ApiClient, Configuration, DogsApi, Pet, Cat, Shade, Size
from kennel.signing import HttpSigningConfiguration, SCHEME_HS2019

config = Configuration(server_index=1, server_variables={"region": "us"})
client = ApiClient.get_default()
shade = Shade([1, 2, 3])
value: list[int] | str | None = shade.actual_instance
pet = Pet(Cat(pet_type="kitty", purrs=True))
text: str = pet.to_json()
size: Size = Size.MINUS_LARGE
dogs = DogsApi(client)
host: str = config.get_host_from_settings(0, {"region": "eu"})
data = client.sanitize_for_serialization(pet)
"""


def _mypy(cwd: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
        + ["--cache-dir", str(cwd / ".mypy"), *targets],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_generated_packages_are_mypy_strict_clean(generated: Path) -> None:
    for package in ("kennel", "kennel_async"):
        result = _mypy(generated / package, package)
        assert result.returncode == 0, result.stdout + result.stderr


def test_user_code_type_checks(generated: Path) -> None:
    (generated / "kennel" / "user_code.py").write_text(USER_CODE)
    result = _mypy(generated / "kennel", "user_code.py")
    assert result.returncode == 0, result.stdout + result.stderr
