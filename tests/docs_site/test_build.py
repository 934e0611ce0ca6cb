"""``clientgen docs-site``: what it builds, from what, and what it refuses (no browser needed here)."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.cli import main
from generator.docs_site import MARKER, SiteProject, navigation
from tests.docs.test_markdown_escaping import SPEC as HOSTILE_SPEC

from .conftest import GENERATED, PACKAGES, ROOT, markdown_pages, page_url


class _Head(HTMLParser):
    """The ``<title>`` text and the ``<meta name=... content=...>`` pairs of an HTML page, unescaped; every
    element the page holds, by tag; and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._open = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._open = tag
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta[str(values["name"])] = str(values.get("content"))

    def handle_endtag(self, tag: str) -> None:
        self._open = ""

    def handle_data(self, data: str) -> None:
        if self._open == "title":
            self.title += data
        elif self._open == "script":
            self.scripts.append(data)


def _head(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("package", PACKAGES)
def test_each_generated_page_is_a_page_of_the_site_and_nothing_else_is(
    package: str, sites: Path
) -> None:
    site = sites / package
    pages = {p.relative_to(site).as_posix() for p in site.rglob("index.html")} - {
        "index.html"
    }
    expected = {page_url(m) + "index.html" for m in markdown_pages(package)} - {
        "index.html"
    }
    assert pages == expected
    assert (site / "index.html").is_file() and (site / MARKER).is_file()
    assert (site / "search" / "search_index.json").is_file()
    # Not the package, nor its build files: only the docs.
    assert not list(site.rglob("*.py"))
    assert not (site / "pyproject.toml").exists() and not (site / package).exists()
    # Nothing from another host: no web fonts, no CDN.
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in index and "fonts.gstatic.com" not in index


def test_the_navigation_groups_each_tag_with_its_reference_pages() -> None:
    nav = navigation(SiteProject("plane", GENERATED / "plane"))
    home, tag, twin, models = nav
    assert home == {"Home": "README.md"}
    assert twin == {
        "AsyncAssets": ["docs/AsyncAssetsApi.md"]
    }  # the asyncio client's page
    assert tag == {
        "Assets": ["docs/AssetsApi.md"]
        + [
            f"docs/reference/{m}.md"
            for m in (
                "create_generic_asset_upload",
                "create_user_asset_upload",
                "delete_user_asset",
                "get_generic_asset",
                "update_generic_asset",
                "update_user_asset",
            )
        ]
    }
    assert models["Models"][0] == "docs/AssetConflictResponse.md"
    assert len(models["Models"]) == 11


def test_the_site_is_built_from_the_files_not_a_second_render(tmp_path: Path) -> None:
    project = tmp_path / "plane"
    shutil.copytree(GENERATED / "plane", project)
    api_page = project / "docs" / "AssetsApi.md"
    api_page.write_text(
        api_page.read_text(encoding="utf-8").replace(
            "All URIs are relative to", "Edited by hand: all URIs are relative to", 1
        ),
        encoding="utf-8",
    )
    assert main(["docs-site", str(project), "--output", str(tmp_path / "site")]) == 0
    built = (
        tmp_path / "site" / "plane" / "docs" / "AssetsApi" / "index.html"
    ).read_text(encoding="utf-8")
    assert "Edited by hand: all URIs are relative to" in built


def test_only_the_markdown_clientgen_wrote_is_in_the_site(tmp_path: Path) -> None:
    """The user's own files in the project folder (issue 13 keeps them there) are not pages."""
    project = tmp_path / "plane"
    shutil.copytree(GENERATED / "plane", project)
    (project / "docs" / "notes.md").write_text("# My notes\n[x](Nowhere.md)\n")
    (project / "NOTES.md").write_text("# Mine\n")
    (project / "venv" / "lib").mkdir(parents=True)
    (project / "venv" / "lib" / "README.md").write_text("# a virtualenv's file\n")
    assert main(["docs-site", str(project), "--output", str(tmp_path / "site")]) == 0
    site = tmp_path / "site" / "plane"
    pages = {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")}
    assert pages == {page_url(m).rstrip("/") or "." for m in markdown_pages("plane")}
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "My notes" not in index and "a virtualenv" not in index


def test_a_broken_link_fails_the_strict_build_and_keeps_the_previous_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "plane"
    shutil.copytree(GENERATED / "plane", project)
    output = tmp_path / "site"
    assert main(["docs-site", str(project), "--output", str(output)]) == 0
    before = (output / "plane" / "index.html").read_bytes()
    with (project / "docs" / "TypeEnum.md").open("a", encoding="utf-8") as page:
        page.write("\n[gone](Missing.md) [no anchor](AssetsApi.md#no_such_operation)\n")
    capsys.readouterr()
    assert main(["docs-site", str(project), "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: MkDocs could not build the site of plane:")
    assert "'docs/TypeEnum.md' contains a link 'Missing.md'" in err
    assert "does not contain an anchor '#no_such_operation'" in err
    assert "Traceback" not in err
    assert (output / "plane" / "index.html").read_bytes() == before
    assert sorted(p.name for p in output.iterdir()) == ["plane"]  # no staging left


def test_a_folder_it_did_not_build_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "site" / "plane"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine\n")
    code = main(
        [
            "docs-site",
            "plane",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--output",
            str(tmp_path / "site"),
        ]
    )
    assert code == 1
    assert "is not a site built by clientgen docs-site" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_unknown_package_and_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = str(ROOT / "pyproject.toml")
    assert main(["docs-site", "nope", "--config", config]) == 1
    assert capsys.readouterr().err == (
        "error: 'nope' is neither a target of "
        f"{config} (plane, pieces_os_client, asana_asyncio) nor a folder\n"
    )
    # --output defaults to site/ in the working folder; a named target builds only that package.
    monkeypatch.chdir(tmp_path)
    assert main(["docs-site", "asana_asyncio", "--config", config]) == 0
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["asana_asyncio"]
    assert capsys.readouterr().out.startswith("asana_asyncio: site/asana_asyncio (")


def test_hostile_spec_text_stays_text_in_the_site(tmp_path: Path) -> None:
    """The front matter is spec text; the theme writes it into <head> unescaped unless the hooks escape
    it. The hostile spec's site builds strictly, and its title, description and keywords arrive as text.
    """
    spec = tmp_path / "nasty.json"
    spec.write_text(json.dumps(HOSTILE_SPEC), encoding="utf-8")
    project = tmp_path / "nasty"
    assert (
        main(["generate", str(spec), "--output", str(project), "--package", "nasty"])
        == 0
    )
    assert main(["docs-site", str(project), "--output", str(tmp_path / "site")]) == 0
    site = tmp_path / "site" / "nasty"
    page = _head(site / "docs" / "reference" / "make_thing" / "index.html")
    title = "Make <b>thing</b> ``` {{ x }}"
    assert page.title == f"{title} - nasty"
    assert page.meta["description"].startswith(f"{title} via Nasty | API.")
    assert page.meta["keywords"].endswith(f", {title.lower()}")
    for path in site.rglob("*.html"):
        parsed = _head(path)
        assert not any("alert(1)" in script for script in parsed.scripts), path
        assert "b" not in parsed.tags, path  # the title's <b> stayed text
    index = json.loads((site / "search" / "search_index.json").read_text())
    titles = [doc["title"] for doc in index["docs"]]
    assert html.escape(title) in titles


def test_site_is_ignored_by_git_and_the_site_source_is_not() -> None:
    def ignored(path: str) -> bool:
        command = ["git", "check-ignore", "-q", "--no-index", path]
        return subprocess.run(command, cwd=ROOT, check=False).returncode == 0

    assert ignored("site/plane/index.html")
    assert not ignored("generator/site/hooks.py")
    assert not ignored("generator/site/overrides/main.html")
