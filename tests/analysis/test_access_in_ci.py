"""The PySAL cross-check cannot silently disappear in CI: without ``access`` it fails there."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from tests.analysis.test_fca import import_access


def _without_access(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "access":
            raise ImportError("No module named 'access' (simulated)")
        return real(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "access", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake)


def test_missing_access_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_access(monkeypatch)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PySAL access cannot be imported"):
        import_access()


def test_missing_access_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_access(monkeypatch)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        import_access()
