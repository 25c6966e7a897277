from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tsbkart.settings import Settings
from tsbkart.stewardship.keys import Keys, load_secret


def test_a_missing_key_file_is_made_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "secret_key"
    settings = Settings(secret_key_file=path)
    first = load_secret(settings)
    assert len(first) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(settings) == first


def test_a_given_key_must_be_long_and_subkeys_differ_per_purpose() -> None:
    with pytest.raises(ValueError, match="32"):
        load_secret(Settings(secret_key="short"))  # type: ignore[arg-type]
    keys = Keys.from_settings(Settings(secret_key="k" * 40))  # type: ignore[arg-type]
    assert keys.subkey("csrf") != keys.subkey("session-cookie")
    assert keys.csrf_ok("session-a", keys.csrf_token("session-a"))
    assert not keys.csrf_ok("session-b", keys.csrf_token("session-a"))
    assert not keys.csrf_ok("session-a", None)
