"""Hypothesis strategies the tests share."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Every character UTF-8 encodes (all but the surrogates): what ``st.text()`` draws by default,
#: as the same intervals, so the same examples for a seed. ``st.text()``'s own default
#: (``characters(codec="utf-8")``) makes Hypothesis try every code point through the codec
#: once per process where .hypothesis/ has no copy yet (a clean checkout, as in CI and in
#: bench/): 2-3 s of CPU for each worker of ``make test``.
NO_SURROGATES = st.characters(exclude_categories=("Cs",))


def text(**kwargs: Any) -> st.SearchStrategy[str]:
    """``st.text(**kwargs)``, drawing from :data:`NO_SURROGATES`."""
    return st.text(NO_SURROGATES, **kwargs)
