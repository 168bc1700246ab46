"""The application class: Flask's, with less to do around every hook it calls."""

from __future__ import annotations

from collections.abc import Callable
from inspect import CO_COROUTINE
from types import FunctionType
from typing import Any

from flask import Flask


class Consult(Flask):
    """Flask, which asks ``inspect.iscoroutinefunction`` of every hook, context processor and
    view before calling it (some fifteen a page, half a microsecond each): a plain function
    not made with ``async def`` nor marked as a coroutine function is called as it is."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if (
            type(func) is FunctionType
            and not func.__code__.co_flags & CO_COROUTINE
            and not hasattr(func, "_is_coroutine_marker")  # inspect.markcoroutinefunction
        ):
            return func
        return super().ensure_sync(func)
