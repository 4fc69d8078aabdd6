"""The helper behind the tool-dependent test modules: it fails in CI and skips elsewhere."""

from __future__ import annotations

import pytest

from tests.conftest import require_tool


def test_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is missing"):
        require_tool(False, "chromium")


def test_missing_tool_skips_on_a_developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_tool(False, "chromium")
    require_tool(True, "chromium")  # present: nothing happens
