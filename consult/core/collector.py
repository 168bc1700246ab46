"""The cyclic garbage collector paused for a bounded batch of work (pure).

A batch that builds many objects that all live until it ends — the node tree of a parsed file,
the documents and rows of an import — gives Python's collector nothing to free, yet its
generational runs walk those objects again and again, move them to the oldest generation and,
once enough have moved there, walk every object of the process (a full collection). That work
grows faster than the batch: an import of 100 consultations cost far more than ten times one of
10. Reference counting frees whatever has no cycle as soon as it is dropped; the collector, once
running again, frees the rest.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused for the block, then as it was (for a batch of bounded size only:
    cyclic garbage made meanwhile waits for its end)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
