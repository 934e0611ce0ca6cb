"""The built docs sites in a real browser: Debian's Chromium (headless), driven by Playwright, over a
loopback HTTP server.

For each package: every page loads with no console error, no failed request and no error status; the
navigation links every page and reaches every tag page; searching an operation id finds the operation's
page. On Plane's reference pages (seeds 001 and 002) the curl / Python / JavaScript tabs switch and show the
seeds' examples, the response example is the seed's, the front matter is the page's metadata, and the copy
button puts the code on the clipboard. Screenshots of an API page and a reference page at 1280×800 are
written to the test's temporary folder and must not be blank.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image, ImageStat

from generator.config import load_targets

from .conftest import (
    GENERATED,
    PACKAGES,
    ROOT,
    api_pages,
    front_matter,
    markdown_pages,
    page_url,
    seed,
)

CHROMIUM = Path("/usr/bin/chromium")
# The flags this machine needs: no sandbox as root, and none of Chromium's own background connections
# (the network is closed; they would fail, many at a time).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
SEARCH_WAIT_S = 15.0
REFERENCE_SEEDS = {
    "001": "docs/reference/create_user_asset_upload.md",
    "002": "docs/reference/create_generic_asset_upload.md",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


class Problems:
    """Everything a page reports going wrong: console errors, uncaught exceptions, failed requests and
    responses with an error status; and the requests still under way, which :meth:`settle` waits for (a
    request cut short by the next navigation would count as failed)."""

    def __init__(self, page: Any) -> None:
        self.seen: list[str] = []
        self.pending: set[Any] = set()
        self.search_indexes = (
            0  # search indexes fetched (each page load's search worker fetches one)
        )
        self._page = page
        page.on("request", lambda r: self.pending.add(r))
        page.on("requestfinished", lambda r: self._finished(r))
        page.on("requestfailed", lambda r: self.pending.discard(r))
        page.on(
            "console",
            lambda m: m.type == "error" and self.seen.append(f"console: {m.text}"),
        )
        page.on("pageerror", lambda e: self.seen.append(f"page error: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.seen.append(f"failed: {r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and self.seen.append(f"{r.status}: {r.url}"),
        )

    def _finished(self, request: Any) -> None:
        self.pending.discard(request)
        if request.url.endswith("/search/search_index.json"):
            self.search_indexes += 1

    def settle(self, search_indexes: int, seconds: float = 15.0) -> None:
        """Wait until the page has fetched its search index (its search worker starts after ``load``) and
        no request is under way."""
        for _ in range(int(seconds * 50)):
            if self.search_indexes >= search_indexes and not self.pending:
                return
            self._page.wait_for_timeout(20)
        raise AssertionError(
            f"requests still under way: {[r.url for r in self.pending]}"
            f" (search indexes fetched: {self.search_indexes}, expected {search_indexes})"
        )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=VIEWPORT, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.problems = Problems(page)
    try:
        yield page
    finally:
        context.close()


def _open(page: Any, url: str) -> None:
    """Load ``url`` and everything it fetches (the search worker fetches the index after ``load``)."""
    indexes = page.problems.search_indexes
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    page.problems.settle(search_indexes=indexes + 1)


def _first_heading(path: Path) -> str:
    """The text of a Markdown file's first level-1 heading (after its front matter)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[1]
    (line,) = [ln for ln in text.splitlines() if ln.startswith("# ")][:1]
    return line[2:].replace("**", "").replace("`", "").strip()


@pytest.mark.parametrize("package", PACKAGES)
def test_every_page_loads_without_errors(
    package: str, page: Any, site_server: str
) -> None:
    pages = markdown_pages(package)
    for markdown in pages:
        _open(page, f"{site_server}/{package}/{page_url(markdown)}")
        heading = page.locator("article h1").first.inner_text()
        assert heading == _first_heading(GENERATED / package / markdown), markdown
    assert len(pages) > 10
    assert page.problems.seen == []


@pytest.mark.parametrize("package", PACKAGES)
def test_navigation_links_every_page_and_reaches_every_tag_page(
    package: str, page: Any, site_server: str
) -> None:
    home = f"{site_server}/{package}/"
    _open(page, home)
    links = page.locator(".md-nav--primary a.md-nav__link[href]")
    linked = {
        href.split("#")[0]
        for href in links.evaluate_all("(links) => links.map((a) => a.href)")
    }
    expected = {home + page_url(p) for p in markdown_pages(package)}
    assert expected <= linked
    tags = api_pages(package)
    assert tags
    for api_page in tags:
        tag_class = Path(api_page).stem
        _open(page, home)
        section = page.locator(".md-nav--primary .md-nav__item--section").filter(
            has=page.locator(f'a.md-nav__link[href="{page_url(api_page)}"]')
        )
        assert section.locator("> .md-nav__link").first.inner_text().strip() == (
            tag_class.removesuffix("Api")
        )
        indexes = page.problems.search_indexes
        section.locator(f'a.md-nav__link[href="{page_url(api_page)}"]').click()
        page.wait_for_url(home + page_url(api_page))
        # Let the tag page finish loading (its search worker too) before the next navigation, which
        # would otherwise cut those requests short and count them as failed.
        page.problems.settle(search_indexes=indexes + 1)
        assert page.locator("article h1").first.inner_text() == f"{package}.{tag_class}"
    assert page.problems.seen == []


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id).lower()


def _operations(package: str) -> list[tuple[str, str]]:
    """(operation id, the URL path of its page) for every operation of the package's spec: its reference
    page when it has one, else its section of the tag page."""
    (target,) = [
        t for t in load_targets(ROOT / "pyproject.toml") if t.package == package
    ]
    spec = yaml.safe_load(target.spec.read_text(encoding="utf-8"))
    found = []
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            method = _snake(operation["operationId"])
            reference = f"docs/reference/{method}.md"
            if (GENERATED / package / reference).is_file():
                found.append((operation["operationId"], page_url(reference)))
                continue
            (api_page,) = [
                p
                for p in api_pages(package)
                if not p.startswith("docs/Async")  # the asyncio twin's page repeats it
                and f"\n# **{method}**\n"
                in (GENERATED / package / p).read_text(encoding="utf-8")
            ]
            found.append((operation["operationId"], f"{page_url(api_page)}#{method}"))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_search_for_an_operation_id_finds_its_page(
    package: str, page: Any, site_server: str
) -> None:
    home = f"{site_server}/{package}/"
    _open(page, home)
    search = page.locator("input.md-search__input")
    operations = _operations(package)
    assert operations
    # Typed, the first query waits for the search worker to have built its index (a query filled in
    # before then is not run again once it has).
    search.click()
    page.keyboard.type(operations[0][0][:3])
    page.locator(".md-search-result__item").first.wait_for(timeout=SEARCH_WAIT_S * 1000)
    results = page.locator(".md-search-result__item a[href]")
    for operation_id, target in operations:
        search.fill("")  # no result left from the query before
        search.press("End")  # the theme runs the query on a key's release
        page.wait_for_function(
            "() => !document.querySelector('.md-search-result__item')"
        )
        search.fill(operation_id)
        search.press("End")
        hrefs: list[str] = []
        deadline = page.evaluate("Date.now()") + SEARCH_WAIT_S * 1000
        while page.evaluate("Date.now()") < deadline:
            hrefs = [
                re.sub(r"\?h=[^#]*", "", h)
                for h in results.evaluate_all("(as) => as.map((a) => a.href)")
            ]
            if home + target in hrefs:
                break
            # The theme lists the best-ranked pages first and more as the list is scrolled (a
            # package with both clients has two API pages naming each operation).
            page.evaluate(
                "() => { const w = document.querySelector('.md-search__scrollwrap');"
                " if (w) w.scrollTop = w.scrollHeight; }"
            )
            page.wait_for_timeout(100)
        assert home + target in hrefs, (operation_id, hrefs)
    assert page.problems.seen == []


def _code_lines(text: str) -> list[str]:
    """An example's lines without layout: stripped, without line continuations or the seeds' tab labels
    glued to a line's end, blank lines dropped."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"(?<=['\);])(python|javascript)$", "", line.strip())
        line = line.removesuffix(" \\").removesuffix("\\").strip()
        if line:
            lines.append(line)
    return lines


def _seed_examples(seed_id: str) -> dict[str, list[str]]:
    """The lines of a reference seed's curl, Python and JavaScript examples."""
    text = seed(seed_id)
    end = "const data = await response.json();"
    code = text[text.index("curl -X POST") : text.index(end) + len(end)]
    python_at, javascript_at = code.index("import requests"), code.index(
        "const response = await fetch("
    )
    return {
        "curl": _code_lines(code[:python_at]),
        "Python": _code_lines(code[python_at:javascript_at]),
        "JavaScript": _code_lines(code[javascript_at:]),
    }


@pytest.mark.parametrize("seed_id", sorted(REFERENCE_SEEDS))
def test_reference_page_tabs_switch_and_show_the_seed_examples(
    seed_id: str, page: Any, site_server: str
) -> None:
    markdown = REFERENCE_SEEDS[seed_id]
    _open(page, f"{site_server}/plane/{page_url(markdown)}")
    tabs = page.locator(".tabbed-set")
    assert tabs.count() == 1
    labels = tabs.locator(".tabbed-labels label")
    assert labels.all_inner_texts() == ["curl", "Python", "JavaScript"]
    blocks = tabs.locator(".tabbed-block")
    expected = _seed_examples(seed_id)
    # The seeds put the alternative-auth hint inside the continued curl command, which ends the command
    # there; the page puts it on the line before.
    hint = '# Or use -H "Authorization: Bearer $PLANE_OAUTH_TOKEN"'
    expected["curl"] = [hint] + [ln for ln in expected["curl"] if ln != hint]
    for order in ([1, 2, 0], [2, 0, 1]):  # every tab, switched to from every other
        for index in order:
            labels.nth(index).click()
            shown = [blocks.nth(i).is_visible() for i in range(3)]
            assert shown == [i == index for i in range(3)]
            label = labels.nth(index).inner_text()
            code = blocks.nth(index).locator("code").inner_text()
            assert _code_lines(code) == expected[label], label
    text = seed(seed_id)
    response = json.loads(text[text.index("{", text.rindex("response.json();")) :])
    shown_json = page.locator("article .highlight code").last.inner_text()
    assert json.loads(shown_json) == response
    assert page.problems.seen == []


def test_front_matter_is_each_reference_page_s_metadata(
    page: Any, site_server: str
) -> None:
    references = [p for p in markdown_pages("plane") if p.startswith("docs/reference/")]
    assert len(references) == 6
    for markdown in references:
        meta = front_matter(GENERATED / "plane" / markdown)
        _open(page, f"{site_server}/plane/{page_url(markdown)}")
        assert page.title() == f"{meta['title']} - plane"
        head = page.locator("head")
        for name in ("description", "keywords"):
            content = head.locator(f'meta[name="{name}"]').get_attribute("content")
            assert content == meta[name], (markdown, name)
        assert page.locator("article h1").inner_text() == meta["title"]


def _python_block(markdown: str) -> str:
    (block,) = re.findall(r"^```python\n(.*?)^```$", markdown, re.S | re.M)
    return block


def test_copy_button_copies_the_code(page: Any, site_server: str) -> None:
    markdown = REFERENCE_SEEDS["001"]
    _open(page, f"{site_server}/plane/{page_url(markdown)}")
    tabs = page.locator(".tabbed-set")
    tabs.locator(".tabbed-labels label", has_text="Python").click()
    block = tabs.locator(".tabbed-block").nth(1)
    block.hover()
    block.locator('button[data-md-type="copy"]').click()
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = _python_block((GENERATED / "plane" / markdown).read_text("utf-8"))
    assert copied.rstrip("\n") == expected.rstrip("\n")
    assert "import requests" in copied
    assert page.problems.seen == []


def _blank(path: Path) -> bool:
    """Whether a screenshot shows (next to) nothing: one colour, or almost no contrast."""
    with Image.open(path) as image:
        grey = image.convert("L")
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        few_colours = colours is not None and len(colours) < 16
        return few_colours or ImageStat.Stat(grey).stddev[0] < 8


def test_screenshots_of_an_api_page_and_a_reference_page(
    page: Any, site_server: str, tmp_path: Path
) -> None:
    shots = {
        "plane-AssetsApi.png": "docs/AssetsApi.md",
        "plane-create_user_asset_upload.png": REFERENCE_SEEDS["001"],
    }
    for name, markdown in shots.items():
        _open(page, f"{site_server}/plane/{page_url(markdown)}")
        page.screenshot(path=str(tmp_path / name))
    page.goto("about:blank")
    page.screenshot(path=str(tmp_path / "blank.png"))
    assert _blank(tmp_path / "blank.png")  # the check can tell an empty page
    for name in shots:
        with Image.open(tmp_path / name) as image:
            assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
        assert not _blank(tmp_path / name), name
    print(f"\nscreenshots in {tmp_path}")
