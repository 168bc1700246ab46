"""View decorators built on :mod:`consult.auth.permissions`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from consult.auth import permissions

F = TypeVar("F", bound=Callable[..., Any])


def admin_required(view: F) -> F:
    """Administrators only; delegates get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not permissions.is_admin(current_user.role):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def delegate_required(view: F) -> F:
    """Delegates of a member state only; administrators get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user._get_current_object()  # looked up once, not per attribute
        if user.role != permissions.DELEGATE or user.member_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
