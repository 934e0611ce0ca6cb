"""The generated API docs reproduce seeds 000, 003 and 004 line for line, except for listed, reasoned changes.

Every differing line (a seed line missing from our output, or an output line missing from the seed) must
match one entry of ALLOWED for its seed, and every entry must be used, so the list cannot go stale. Run
with ``-s`` to see, per seed, how many lines differ and why.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

import pytest

from .conftest import seed


@dataclass(frozen=True)
class Allowed:
    """A seed line (``old``) our output changes or drops, and/or a line (``new``) our output adds."""

    seed: str
    old: str | None  # regex the removed seed line fully matches; None: a pure insertion
    new: str | None  # regex the added line fully matches; None: a pure deletion
    reason: str


_PLANE_RETURN = r"(AssetUploadResponse|AssetDownloadResponse)"
_VOID = "plane: our spec declares a JSON success body the seed's spec left undeclared (seed: void)"
_ACCEPT = "plane: our spec declares application/json bodies on its responses (seed: none, so Not defined)"
_TRUE = "a JSON literal inside a Python example is not Python: true → True"
_VALID = (
    "example value valid for its parameter (the spec's own example / an enum member)"
)
_FIELDS_LIST = "opt_fields example as a real list, not a list holding one JSON string"
_REQUIRED = "a model example built with its required fields (Seed() fails validation)"
_HOST = "bearer example re-creates Configuration WITH the host (the seed dropped it, losing the host)"
_STR_MD = "List[str] is a primitive container: bold type without the seed's dead link to str.md"
_UUID = "format: uuid is typed uuid.UUID (README: how formats are typed); a string argument is still sent as is"

ALLOWED = [
    # --- seed 000 (plane, sync) ---
    Allowed("000", r"> (\w+)\(.*\)", rf"> {_PLANE_RETURN} \w+\(.*\)", _VOID),
    Allowed(
        "000",
        None,
        rf"from plane\.models\.asset_(upload|download)_response import {_PLANE_RETURN}",
        _VOID,
    ),
    Allowed(
        "000",
        r"        api_instance\.\w+\(.*\)",
        r"        api_response = api_instance\.\w+\(.*\)",
        _VOID,
    ),
    Allowed(
        "000", None, r'        print\("The response of AssetsApi->\w+:\\n"\)', _VOID
    ),
    Allowed("000", None, r"        pprint\(api_response\)", _VOID),
    Allowed(
        "000",
        r"void \(empty response body\)",
        rf"\[\*\*{_PLANE_RETURN}\*\*\]\({_PLANE_RETURN}\.md\)",
        _VOID,
    ),
    Allowed(
        "000",
        r" - \*\*Accept\*\*: Not defined",
        r" - \*\*Accept\*\*: application/json",
        _ACCEPT,
    ),
    Allowed(
        "000",
        r"    asset_id = 'asset_id_example' # str \| ",
        r"    asset_id = '550e8400-e29b-41d4-a716-446655440000' # UUID \| ",
        _VALID + " (asset_id is a uuid); " + _UUID,
    ),
    Allowed(
        "000",
        r"    asset_id = '550e8400-e29b-41d4-a716-446655440000' # str \| Asset ID",
        r"    asset_id = '550e8400-e29b-41d4-a716-446655440000' # UUID \| Asset ID",
        _UUID,
    ),
    Allowed(
        "000",
        r" \*\*asset_id\*\* \| \*\*str\*\*\|.*",
        r" \*\*asset_id\*\* \| \*\*UUID\*\*\|.*",
        _UUID,
    ),
    Allowed(
        "000",
        r'    patched_generic_asset_update_request = \{"is_uploaded":true\} .*',
        r'    patched_generic_asset_update_request = \{"is_uploaded":True\} .*',
        _TRUE,
    ),
    # --- seed 003 (pieces_os_client, sync) ---
    Allowed(
        "003",
        r"    \w+ = pieces_os_client\.(\w+)\(\) # \1 \|.*",
        r"    \w+ = pieces_os_client\.(\w+)\(\w+=.+\) # \1 \|.*",
        _REQUIRED,
    ),
    Allowed(
        "003",
        r"    asset = '[0-9a-f-]{36}' # str \| .*",
        r"    asset = '[0-9a-f-]{36}' # UUID \| .*",
        _UUID,
    ),
    Allowed(
        "003",
        r" \*\*asset\*\* \| \*\*str\*\*\|.*",
        r" \*\*asset\*\* \| \*\*UUID\*\*\|.*",
        _UUID,
    ),
    # --- seed 004 (asana_asyncio, asyncio) ---
    Allowed("004", None, r'    host = "https://app\.asana\.com/api/1\.0",', _HOST),
    Allowed(
        "004",
        r"    opt_pretty = true # bool \|.*",
        r"    opt_pretty = True # bool \|.*",
        _TRUE,
    ),
    Allowed(
        "004",
        r"    opt_fields = \['\[\\\"connected_to_app\\\".*\]'\] # List\[str\] \|.*",
        r"    opt_fields = \['connected_to_app', 'created_at', .*'view_url'\] # List\[str\] \|.*",
        _FIELDS_LIST,
    ),
    Allowed(
        "004",
        r"    resource_subtype = 'resource_subtype_example' # str \|.*",
        r"    resource_subtype = 'external' # str \|.*",
        _VALID + " (resource_subtype is an enum)",
    ),
    Allowed(
        "004",
        r" \*\*opt_fields\*\* \| \[\*\*List\[str\]\*\*\]\(str\.md\)\|.*",
        r" \*\*opt_fields\*\* \| \*\*List\[str\]\*\*\|.*",
        _STR_MD,
    ),
]

PAGES = {
    "000": ("plane", "docs/AssetsApi.md"),
    "003": ("pieces_os_client", "docs/AssetsApi.md"),
    "004": ("asana_asyncio", "docs/AttachmentsApi.md"),
}


def differing_lines(old: str, new: str) -> list[tuple[str, str]]:
    """('-', line) for each seed line we lose, ('+', line) for each line we add."""
    out = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), lineterm="", n=0
    ):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append((line[0], line[1:]))
    return out


def _covering(seed_id: str, side: str, line: str) -> Allowed | None:
    for entry in ALLOWED:
        pattern = entry.old if side == "-" else entry.new
        if (
            entry.seed == seed_id
            and pattern is not None
            and re.fullmatch(pattern, line)
        ):
            return entry
    return None


@pytest.mark.parametrize("seed_id", sorted(PAGES))
def test_api_doc_matches_seed(seed_id: str, docs: dict[str, dict[str, str]]) -> None:
    package, path = PAGES[seed_id]
    diff = differing_lines(seed(seed_id), docs[package][path])
    unexplained = []
    reasons: Counter[str] = Counter()
    used = set()
    for side, line in diff:
        entry = _covering(seed_id, side, line)
        if entry is None:
            unexplained.append(f"{side}{line}")
        else:
            reasons[entry.reason] += 1
            used.add(id(entry))
    removed = sum(1 for side, _ in diff if side == "-")
    print(
        f"\nseed {seed_id} ({path} of {package}): {removed} seed lines changed/removed, {len(diff) - removed} added"
    )
    for reason, count in reasons.most_common():
        print(f"  {count:3d}  {reason}")
    message = "lines differ from the seed without an allowed reason:\n"
    assert not unexplained, message + "\n".join(unexplained)
    stale = [e for e in ALLOWED if e.seed == seed_id and id(e) not in used]
    assert not stale, f"allow-list entries no longer needed: {stale}"
