"""Who may do what: the role checks, in one place (pure)."""

from __future__ import annotations

ADMIN = "admin"
DELEGATE = "delegate"


def is_admin(role: str | None) -> bool:
    return role == ADMIN


def may_answer_for(role: str | None, user_member_id: int | None, member_id: int) -> bool:
    """A delegate answers for their own member state only; administrators never answer."""
    return role == DELEGATE and user_member_id is not None and user_member_id == member_id


def may_see_results(role: str | None, published: bool) -> bool:
    """Administrators always; delegates once the Administration has published the results."""
    return role == ADMIN or (role == DELEGATE and published)


def is_safe_next(target: str | None) -> bool:
    """Only local absolute paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    return (
        not any(c in target for c in ("\\", "\r", "\n", "\t")) and ":" not in target.split("?")[0]
    )
