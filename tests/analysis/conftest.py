"""Shared fixtures for the atlas analytics tests: paths to the bundled reference tables."""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "reference_data"


@pytest.fixture(scope="session")
def skde_dir() -> Path:
    """SKDE rate-program reference tables (see reference_data/skde-rateprogram/SOURCE.md)."""
    return REFERENCE / "skde-rateprogram"


@pytest.fixture(scope="session")
def ipea_dir() -> Path:
    """IPEA accessibility reference tables (see reference_data/ipea-accessibility/SOURCE.md)."""
    return REFERENCE / "ipea-accessibility"
