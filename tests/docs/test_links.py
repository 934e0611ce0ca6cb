"""Every relative link and anchor in the generated Markdown of the three packages resolves."""

from __future__ import annotations

import re

import pytest

from .markdown_tools import anchors, fences, links, resolve

PACKAGES = ("plane", "pieces_os_client", "asana_asyncio")


@pytest.mark.parametrize("package", PACKAGES)
def test_relative_links_resolve(package: str, docs: dict[str, dict[str, str]]) -> None:
    files = docs[package]
    anchor_sets = {path: anchors(text) for path, text in files.items()}
    broken = []
    checked = 0
    for page, text in files.items():
        for href in links(text):
            if "://" in href or href.startswith("mailto:"):
                continue
            target, fragment = resolve(page, href)
            checked += 1
            if target not in files:
                broken.append(f"{page}: {href} (no file {target})")
            elif fragment and fragment not in anchor_sets[target]:
                broken.append(f"{page}: {href} (no anchor #{fragment} in {target})")
    assert checked > 50
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_doc_page_is_linked_from_the_readme(
    package: str, docs: dict[str, dict[str, str]]
) -> None:
    files = docs[package]
    linked = {resolve("README.md", href)[0] for href in links(files["README.md"])}
    unlinked = sorted(p for p in files if p != "README.md" and p not in linked)
    assert not unlinked


def test_anchor_forms() -> None:
    text = '# **create_user_asset_upload**\n\n<a id="ApiKeyAuthentication"></a>\n## Installation & Usage\n'
    assert {
        "create_user_asset_upload",
        "ApiKeyAuthentication",
        "installation--usage",
    } <= anchors(text)


@pytest.mark.parametrize("package", PACKAGES)
def test_readme_example_is_a_script(
    package: str, docs: dict[str, dict[str, str]]
) -> None:
    """The README's getting-started examples compile as plain scripts: the sync client's, and the
    asyncio client's inside ``asyncio.run`` (asana_asyncio's only example; the twin's in a package with
    both).

    The feature sections' examples (first line ``# Runs against ...``) are run by tests/features.
    """
    blocks = [
        f.content
        for f in fences(docs[package]["README.md"])
        if f.info == "python"
        and "ApiClient" in f.content
        and not f.content.startswith("# Runs against ")
    ]
    for block in blocks:
        compile(block, "README example", "exec")
    clients = [
        ("asyncio.run(main())" in b, "AsyncApiClient(" in b, "AsyncAssetsApi(" in b)
        for b in blocks
    ]
    if package == "asana_asyncio":
        assert clients == [(True, False, False)]  # its only client is named ApiClient
    else:
        assert clients == [(False, False, False), (True, True, True)]
    assert ("## Asyncio client" in docs[package]["README.md"]) == (
        package != "asana_asyncio"
    )


def test_readme_mentions_websocket_and_pagination(
    docs: dict[str, dict[str, str]],
) -> None:
    assert "## WebSocket streams" in docs["pieces_os_client"]["README.md"]
    assert "## Pagination" in docs["asana_asyncio"]["README.md"]
    assert "## WebSocket streams" not in docs["plane"]["README.md"]
    assert "## Pagination" not in docs["plane"]["README.md"]


@pytest.mark.parametrize("package", PACKAGES)
def test_readme_states_the_runtime_defaults(
    package: str, docs: dict[str, dict[str, str]]
) -> None:
    """The retry and timeout defaults the README quotes are the shipped runtime's (fed from it)."""
    from generator.runtime import configuration, retry

    readme = docs[package]["README.md"]
    for text in (
        f"`backoff_initial` ({retry.DEFAULT_BACKOFF_INITIAL:g} s)",
        f"`backoff_max` ({retry.DEFAULT_BACKOFF_MAX:g} s)",
        f"`retry_after_max` ({retry.DEFAULT_RETRY_AFTER_MAX:g} s)",
        f"up to {retry.DEFAULT_JITTER * 100:g} %",
        f"(default {retry.DEFAULT_MAX_RETRIES}; 0 disables them)",
        f"seconds for the whole call (default {configuration.DEFAULT_TIMEOUT:g})",
    ):
        assert text in readme, text


@pytest.mark.parametrize("package", PACKAGES)
def test_readme_names_what_the_retry_policy_retries(
    package: str, docs: dict[str, dict[str, str]]
) -> None:
    """The methods and statuses the README says are retried are those the shipped policy retries."""
    from generator.runtime.retry import RetryPolicy

    readme = " ".join(docs[package]["README.md"].split())
    found = re.search(
        r"the statuses ([\d, ]+) and 5xx, for the idempotent methods \(([A-Z, ]+)\)",
        readme,
    )
    assert found is not None
    statuses = {int(s) for s in found.group(1).split(", ")}
    methods = set(found.group(2).split(", "))
    policy = RetryPolicy()
    every_method = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH")
    assert methods == {
        m for m in every_method if policy.should_retry(1, method=m, status=503)
    }
    assert statuses == {
        s for s in range(400, 500) if policy.should_retry(1, method="GET", status=s)
    }
