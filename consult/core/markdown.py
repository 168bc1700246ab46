"""Markdown for background texts: raw HTML disabled, links only to http(s) and mailto."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(_SAFE_SCHEMES)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.validateLink = _validate_link  # type: ignore[method-assign]


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to HTML; raw HTML in the source is escaped, not passed through."""
    return _rendered(text or "")


@lru_cache(maxsize=1024)
def _rendered(text: str) -> Markup:
    """The same texts (a consultation's summary, its options' descriptions) come back on every
    page view: each is rendered once per process (the result depends on the text alone)."""
    return Markup(_md.render(text))  # noqa: S704 - markdown-it escapes raw HTML (html=False)


def plain_paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a Markdown text as plain text (emphasis and links reduced to their
    words, list items marked with a bullet or their number), for documents that lay out text
    themselves (the results document)."""
    paragraphs: list[str] = []
    lists: list[list[int]] = []  # open lists: [next number] when ordered, [] for bullets
    marker = ""
    for token in _md.parse(text or ""):
        if token.type == "bullet_list_open":
            lists.append([])
        elif token.type == "ordered_list_open":
            lists.append([int(str(token.attrGet("start") or 1))])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open" and lists:
            numbers = lists[-1]
            if numbers:
                marker = f"{numbers[0]}. "
                numbers[0] += 1
            else:
                marker = "• "
        elif token.type in ("inline", "code_block", "fence"):
            words = _inline_text(token) if token.type == "inline" else token.content.strip()
            if words:
                paragraphs.append(marker + words)
                marker = ""
    return paragraphs


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts).strip()
