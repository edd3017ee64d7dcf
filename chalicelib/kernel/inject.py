"""Injection, written once: a domain object takes its collaborators (a table, a client, another domain
object) in its constructor, so a test or a caller can hand it one, and makes the default on first use
otherwise, so that nothing touches AWS at import time.

    class Payments:
        table = Injected(lambda self: aws.table("processes"))

        def __init__(self, table=None):
            self._table = table        # None: the default, made when first read
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Injected(Generic[T]):
    def __init__(self, default: Callable[[Any], T]) -> None:
        self._default = default
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Injected[T]: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> T: ...

    def __get__(self, obj: object | None, objtype: type | None = None) -> T | Injected[T]:
        if obj is None:
            return self
        value = obj.__dict__.get(self._slot)
        if value is None:
            value = self._default(obj)
            obj.__dict__[self._slot] = value
        return value
