"""Markdown as plain paragraphs, for the results document (no HTML there)."""

from __future__ import annotations

from consult.core.markdown import plain_paragraphs


def test_emphasis_and_links_keep_their_words_and_paragraphs_stay_apart():
    text = "The membership has selected *South-South Migration* ([note](https://x.org)).\n\nNext."
    assert plain_paragraphs(text) == [
        "The membership has selected South-South Migration (note).",
        "Next.",
    ]


def test_list_items_keep_their_bullet_or_number_and_lines_join():
    text = "- one\n- **two**\n\n3. three\n4. four\n\nfirst line\nsecond line"
    assert plain_paragraphs(text) == [
        "• one",
        "• two",
        "3. three",
        "4. four",
        "first line second line",
    ]


def test_raw_html_is_text_and_empty_is_nothing():
    assert plain_paragraphs("<b>bold</b>") == ["<b>bold</b>"]
    assert plain_paragraphs("") == []
    assert plain_paragraphs(None) == []
