"""Markdown for background texts: raw HTML disabled, links only to http(s) and mailto."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.validateLink = _validate_link  # type: ignore[method-assign]


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to HTML; raw HTML in the source is escaped, not passed through."""
    return Markup(_md.render(text or ""))  # noqa: S704 - markdown-it escapes raw HTML (html=False)
