"""Plane's reference pages carry every element of seeds 001 and 002."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from .conftest import seed

PAGES = {
    "001": "docs/reference/create_user_asset_upload.md",
    "002": "docs/reference/create_generic_asset_upload.md",
}


def front_matter(page: str) -> dict[str, str]:
    match = re.match(r"---\n(.*?)\n---\n", page, re.S)
    assert match, "no front matter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def plain(page: str) -> str:
    """The page without Markdown emphasis/code marks, for comparing with the seeds' rendered text."""
    return page.replace("`", "").replace("*", "")


def fenced_blocks(page: str, info: str) -> list[str]:
    return re.findall(rf"^(`{{3,}}){info}\n(.*?)^\1$", page, re.S | re.M)


def seed_code_lines(text: str) -> list[str]:
    """The lines of the seed's curl, Python and JavaScript examples, without layout or tab labels."""
    start = text.index("curl -X POST")
    end = text.index("const data = await response.json();") + len(
        "const data = await response.json();"
    )
    lines = []
    for line in text[start:end].splitlines():
        line = re.sub(r"(?<=['\);])(python|javascript)$", "", line.strip())
        line = line.removesuffix(" \\").removesuffix("\\").strip()
        if line:
            lines.append(line)
    return lines


@pytest.fixture
def plane(docs: dict[str, dict[str, str]]) -> dict[str, str]:
    return docs["plane"]


def test_front_matter_001(plane: dict[str, str]) -> None:
    text = seed("001")
    expected = {}
    for key in ("title", "description", "keywords"):
        (line,) = [ln for ln in text.splitlines() if ln.startswith(key + " ")]
        expected[key] = line[len(key) + 1 :]
    assert front_matter(plane[PAGES["001"]]) == expected
    assert "\n# Create user asset upload\n" in plane[PAGES["001"]]


def test_front_matter_002(plane: dict[str, str]) -> None:
    data = front_matter(plane[PAGES["002"]])
    title = seed("002").splitlines()[0].strip()
    assert data["title"] == title
    assert data["description"].startswith(f"{title} via Plane API.")
    assert data["keywords"].endswith(", assets, " + title.lower())
    assert f"\n# {title}\n" in plane[PAGES["002"]]


@pytest.mark.parametrize(
    ("seed_id", "method", "path", "summary"),
    [
        (
            "001",
            "POST",
            "/api/v1/assets/user-assets/",
            "Generate presigned URL for user asset upload",
        ),
        (
            "002",
            "POST",
            "/api/v1/workspaces/{slug}/assets/",
            "Generate presigned URL for generic asset upload",
        ),
    ],
)
def test_method_path_summary(
    seed_id: str, method: str, path: str, summary: str, plane: dict[str, str]
) -> None:
    text = seed(seed_id).replace(" ", "")
    assert (method + path).replace(" ", "") in text and summary.replace(" ", "") in text
    page = plain(plane[PAGES[seed_id]])
    assert f"\n{method} {path}\n" in page
    assert f"\n{summary}\n" in page


def test_parameters_001(plane: dict[str, str]) -> None:
    text = seed("001")
    block = text[
        text.index("Body Parameters") + len("Body Parameters") : text.index("Scopes")
    ]
    page = plain(plane[PAGES["001"]])
    lines = [ln.strip().lstrip("•").strip() for ln in block.splitlines() if ln.strip()]
    assert len(lines) == 11
    for line in lines:
        assert line in page, line
    # enum lines are list items under their field
    assert "\n  - `image/jpeg` - JPEG\n" in plane[PAGES["001"]]
    assert "\n  - `USER_COVER` - User Cover\n" in plane[PAGES["001"]]


def test_parameters_002(plane: dict[str, str]) -> None:
    text = seed("002")
    page = plain(plane[PAGES["002"]])
    found = re.findall(
        r"^(\w+):(required|optional)(string|integer|boolean|number)(.*)$", text, re.M
    )
    assert len(found) == 7
    for name, presence, kind, description in found:
        assert f"- {name} ({presence}, {kind}): {description}\n" in page, name
    assert "## Path Parameters" in page and "## Body Parameters" in page


@pytest.mark.parametrize("seed_id", sorted(PAGES))
def test_scopes(seed_id: str, plane: dict[str, str]) -> None:
    assert "assets:write" in seed(seed_id)
    assert "## Scopes\n\n- `assets:write`\n" in plane[PAGES[seed_id]]


@pytest.mark.parametrize("seed_id", sorted(PAGES))
def test_code_examples(seed_id: str, plane: dict[str, str]) -> None:
    page = plane[PAGES[seed_id]]
    code = "\n".join(
        block
        for info in ("bash", "python", "javascript")
        for _, block in fenced_blocks(page, info)
    )
    ours = {ln.strip().removesuffix(" \\").strip() for ln in code.splitlines()}
    missing = [ln for ln in seed_code_lines(seed(seed_id)) if ln not in ours]
    assert not missing, missing
    # the alternative auth hint is a comment line of its own, so the continued curl command stays valid
    assert '# Or use -H "Authorization: Bearer $PLANE_OAUTH_TOKEN"' in code


@pytest.mark.parametrize("seed_id", sorted(PAGES))
def test_python_example_is_python(seed_id: str, plane: dict[str, str]) -> None:
    (block,) = [b for _, b in fenced_blocks(plane[PAGES[seed_id]], "python")]
    compile(block, "example.py", "exec")


@pytest.mark.parametrize("seed_id", sorted(PAGES))
def test_response_example(seed_id: str, plane: dict[str, str]) -> None:
    text = seed(seed_id)
    start = text.index("{", text.rindex("response.json();"))
    expected = json.loads(text[start:])
    ((_, block),) = fenced_blocks(plane[PAGES[seed_id]], "json")
    assert json.loads(block) == expected
    assert "## Response" in plane[PAGES[seed_id]]


def test_every_plane_operation_has_a_page(plane: dict[str, str]) -> None:
    pages = sorted(p for p in plane if p.startswith("docs/reference/"))
    assert len(pages) == 6
