"""argon2id with small cost parameters, for tests only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher

from tsbkart.stewardship import passwords


@contextmanager
def cheap_argon2() -> Iterator[None]:
    saved = passwords._HASHER
    passwords._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        passwords._HASHER = saved
