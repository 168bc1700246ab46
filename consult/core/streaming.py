"""Streamed downloads that start only once their first part is ready."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from flask import g, has_request_context

log = logging.getLogger("consult.errors")


def started(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Produce the first chunk now, inside the view, then the rest as it is sent.

    The first chunk comes after the first query of a report, so a database that is down or too
    slow at that point gives the 503 page instead of a download that stops at once. A failure
    after the response has started can only cut the download short; it is logged.
    """
    iterator = iter(chunks)
    first = next(iterator, b"")

    def rest() -> Iterator[bytes]:
        yield first
        try:
            yield from iterator
        except Exception:
            request_id = g.get("request_id") if has_request_context() else None
            log.exception("download cut short (request %s)", request_id)
            raise

    return rest()
