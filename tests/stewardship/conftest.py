"""Cheap argon2 parameters for tests that create many accounts (production keeps argon2-cffi's RFC 9106
profile; the hash format and the checks are the same)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.stewardship.cheap_hashing import cheap_argon2


@pytest.fixture(autouse=True)
def _fast_hashes() -> Iterator[None]:
    with cheap_argon2():
        yield
