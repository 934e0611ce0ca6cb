"""Fixtures shared by the validation tests."""

from __future__ import annotations

from typing import Any

import pytest

from generator.parse import validate


@pytest.fixture()
def handed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every document the full validator is handed (openapi-spec-validator on a cut-down document)."""
    seen: list[Any] = []
    real = validate._full_validation

    def spy(doc: Any, data: Any, *rest: Any) -> Any:
        seen.append(data)
        return real(doc, data, *rest)

    monkeypatch.setattr(validate, "_full_validation", spy)
    return seen
